import { existsSync } from 'node:fs';
import { ConfigError } from '@sluice/core';
import { isPostgresUrl } from '@sluice/engine';

/**
 * Refuses a SQLite ledger path where no ledger is. Only `run` and `crawl create` may create a ledger:
 * opening one creates the file and its folder, so a typo in `--db` (`status --db ledgr.db`)
 * would otherwise leave a new, empty ledger behind and report that it has no crawls.
 * Checked here, before the store is opened, so no file or folder is made.
 * A PostgreSQL URL is not checked here: opening it creates no file, and an unreachable server
 * or a missing database is reported when the store opens.
 * @throws ConfigError (exit 2) naming the path.
 */
export function assertLedgerExists(dbPath: string): void {
  if (isPostgresUrl(dbPath) || existsSync(dbPath)) return;
  throw new ConfigError(
    `no ledger at ${dbPath} (\`sluice run <spec>\` or \`sluice crawl create <spec>\` makes one; --db or SLUICE_DB points at another)`,
  );
}
