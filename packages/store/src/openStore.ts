import type { Store } from './contract';
import { openPgStore } from './pg/store';
import { openSqliteStore } from './sqlite/store';
import { isPostgresUrl } from './target';

/**
 * Opens the ledger named by `target` and applies pending migrations: a `postgres://` or
 * `postgresql://` URL opens PostgreSQL, anything else is a SQLite file path (created if needed).
 * @throws InfrastructureError when the database cannot be reached, opened or migrated.
 */
export async function openStore(target: string): Promise<Store> {
  return isPostgresUrl(target) ? openPgStore(target) : openSqliteStore(target);
}
