import type { LedgerEntry } from '@sluice/core';
import { createBodyCompression } from './bodyCompression';
import { type Db, openDb } from './client';
import { type CrawlQueries, createCrawlQueries } from './crawlQueries';
import { ensureLedgerId } from './ledgerIdentity';
import { createLedgerReads, type LedgerReads } from './ledgerReads';
import { createFailureClearer, createLedgerWriter, createRequestLogger } from './ledgerWriter';

/**
 * The store: the only way into SQLite. No driver types leak out of this package.
 */
export interface Store {
  readonly path: string;
  /** The ledger's random id (16 hex digits): part of every Redis key of its crawls. */
  readonly ledgerId: string;
  readonly crawls: CrawlQueries;
  readonly ledger: LedgerReads;
  /** Writes entries in one transaction (see ledgerWriter). */
  writeEntries(entries: readonly LedgerEntry[]): void;
  /** Deletes a crawl's failures so they can be fetched again; returns how many. */
  clearFailures(crawlId: number): number;
  /** Logs request start times (epoch ms) and prunes those older than `keepMs`. */
  logRequests(crawlId: number, times: readonly number[], keepMs: number): void;
  /** `PRAGMA integrity_check` result: `ok` when healthy. */
  integrityCheck(): string;
  /** Size of the database file in bytes (main file, WAL excluded). */
  fileBytes(): number;
  close(): void;
}

export function openStore(path: string): Store {
  const db: Db = openDb(path);
  const bodies = createBodyCompression(db);
  const writeEntries = createLedgerWriter(db, bodies);
  return {
    path,
    ledgerId: ensureLedgerId(db),
    crawls: createCrawlQueries(db),
    ledger: createLedgerReads(db, bodies),
    writeEntries,
    clearFailures: createFailureClearer(db),
    logRequests: createRequestLogger(db),
    integrityCheck: () => db.$client.pragma('integrity_check', { simple: true }) as string,
    fileBytes: () => {
      const pageCount = db.$client.pragma('page_count', { simple: true }) as number;
      const pageSize = db.$client.pragma('page_size', { simple: true }) as number;
      return pageCount * pageSize;
    },
    close: () => {
      if (db.$client.open) db.$client.close();
    },
  };
}
