import type { Store } from '../contract';
import { createBodyCompression } from './bodyCompression';
import { type Db, openDb } from './client';
import { createCrawlQueries } from './crawlQueries';
import { createKeyFileQueries } from './keyFileQueries';
import { ensureLedgerId } from './ledgerIdentity';
import { createLedgerReads } from './ledgerReads';
import { createFailureClearer, createLedgerWriter, createRequestLogger } from './ledgerWriter';

/**
 * The SQLite ledger: one file, one writer at a time (`BEGIN IMMEDIATE`), every call answered
 * synchronously inside its promise.
 * @throws InfrastructureError when the file cannot be opened or migrated.
 */
export function openSqliteStore(path: string): Store {
  const db: Db = openDb(path);
  const bodies = createBodyCompression(db);
  return {
    kind: 'sqlite',
    flushIntervalMs: 0,
    path,
    ledgerId: ensureLedgerId(db),
    crawls: createCrawlQueries(db),
    ledger: createLedgerReads(db, bodies),
    keyFiles: createKeyFileQueries(db),
    writeEntries: createLedgerWriter(db, bodies),
    clearFailures: createFailureClearer(db),
    logRequests: createRequestLogger(db),
    integrityCheck: async () => String(db.$client.pragma('integrity_check', { simple: true })),
    close: async () => {
      if (db.$client.open) db.$client.close();
    },
  };
}
