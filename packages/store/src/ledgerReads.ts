import type { Db } from './client';

export interface ResultRow {
  key: string;
  position: number;
  status: number;
  body: string;
  attempts: number;
  fetchedAt: number;
  durationMs: number;
}

export interface FailureRow {
  key: string;
  position: number;
  errorClass: string;
  reason: string;
  status: number | null;
  attempts: number;
  failedAt: number;
}

/** Read side of the ledger. Hot and streaming queries use prepared statements. */
export function createLedgerReads(db: Db) {
  const sqlite = db.$client;
  const finishedInRange = sqlite
    .prepare(
      `SELECT position FROM results WHERE crawl_id = ? AND position BETWEEN ? AND ?
       UNION ALL SELECT position FROM failures WHERE crawl_id = ? AND position BETWEEN ? AND ?`,
    )
    .pluck();
  const progress = sqlite.prepare('SELECT done, failed, last_progress_at AS lastProgressAt FROM crawl_progress WHERE crawl_id = ?');
  const countResults = sqlite.prepare('SELECT count(*) FROM results WHERE crawl_id = ?').pluck();
  const countFailures = sqlite.prepare('SELECT count(*) FROM failures WHERE crawl_id = ?').pluck();
  const resultsInOrder = sqlite.prepare(
    `SELECT key, position, status, body, attempts, fetched_at AS fetchedAt, duration_ms AS durationMs
     FROM results WHERE crawl_id = ? ORDER BY position`,
  );
  const failuresInOrder = sqlite.prepare(
    `SELECT key, position, error_class AS errorClass, reason, status, attempts, failed_at AS failedAt
     FROM failures WHERE crawl_id = ? ORDER BY position LIMIT ?`,
  );
  const allFailuresInOrder = sqlite.prepare(
    `SELECT key, position, error_class AS errorClass, reason, status, attempts, failed_at AS failedAt
     FROM failures WHERE crawl_id = ? ORDER BY position`,
  );
  const fetchedSince = sqlite.prepare('SELECT count(*) FROM results WHERE crawl_id = ? AND fetched_at >= ?').pluck();

  const requestTimes = sqlite.prepare('SELECT at FROM request_log WHERE crawl_id = ? AND at >= ? ORDER BY at').pluck();

  return {
    /** Start times (epoch ms) of logged requests since `sinceMs`, oldest first. */
    requestTimesSince(crawlId: number, sinceMs: number): number[] {
      return requestTimes.all(crawlId, sinceMs) as number[];
    },

    /** Positions in [from, to] that already have a result or a failure. */
    finishedPositions(crawlId: number, from: number, to: number): Set<number> {
      return new Set(finishedInRange.all(crawlId, from, to, crawlId, from, to) as number[]);
    },

    /** Finished-key counters, maintained by the ledger writer. */
    progress(crawlId: number): { done: number; failed: number } {
      const row = progress.get(crawlId) as { done: number; failed: number } | undefined;
      return row ? { done: row.done, failed: row.failed } : { done: 0, failed: 0 };
    },

    /** Epoch ms of the last commit that finished a key of the crawl, or null. */
    lastProgressAt(crawlId: number): number | null {
      const row = progress.get(crawlId) as { lastProgressAt: number | null } | undefined;
      return row?.lastProgressAt ?? null;
    },

    /** Counts rows directly (slow on huge crawls; used to verify the counters). */
    recount(crawlId: number): { done: number; failed: number } {
      return { done: countResults.get(crawlId) as number, failed: countFailures.get(crawlId) as number };
    },

    /** Results fetched at or after `sinceMs` (epoch ms), for rates. */
    resultsSince(crawlId: number, sinceMs: number): number {
      return fetchedSince.get(crawlId, sinceMs) as number;
    },

    /** Streams results in position order without loading them all. */
    iterateResults(crawlId: number): IterableIterator<ResultRow> {
      return resultsInOrder.iterate(crawlId) as IterableIterator<ResultRow>;
    },

    /** Streams failures in position order without loading them all (failed-key export). */
    iterateFailures(crawlId: number): IterableIterator<FailureRow> {
      return allFailuresInOrder.iterate(crawlId) as IterableIterator<FailureRow>;
    },

    listFailures(crawlId: number, limit = 1_000_000): FailureRow[] {
      return failuresInOrder.all(crawlId, limit) as FailureRow[];
    },
  };
}

export type LedgerReads = ReturnType<typeof createLedgerReads>;
