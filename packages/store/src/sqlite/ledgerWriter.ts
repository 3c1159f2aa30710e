import type { LedgerEntry } from '@sluice/core';
import type { CommittedProgress, CrawlProgress } from '../contract';
import type { BodyCompression, StoredBody } from './bodyCompression';
import type { Db } from './client';

/**
 * Writes finished keys to the ledger. One call is one transaction, so a batch is either all
 * in or all out (no half-written rows). Writes are idempotent:
 * - a result is inserted once; a second result for the same (crawl, key) is ignored, and a
 *   result replaces an earlier failure of that key (retry-failed succeeded);
 * - a failure never overwrites a result, and a repeated failure updates the reason in place.
 * The progress counters change in the same transaction, by what was really inserted; the
 * write resolves them as it left them.
 * Bodies of crawls with `storage.compress` are compressed before the transaction (bodyCompression).
 */
export function createLedgerWriter(db: Db, bodies: BodyCompression): (entries: readonly LedgerEntry[]) => Promise<CommittedProgress> {
  const sqlite = db.$client;
  const insertResult = sqlite.prepare(
    `INSERT INTO results (crawl_id, key, position, status, body, body_z, attempts, fetched_at, duration_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const deleteFailure = sqlite.prepare('DELETE FROM failures WHERE crawl_id = ? AND key = ?');
  const resultExists = sqlite.prepare('SELECT 1 FROM results WHERE crawl_id = ? AND key = ?').pluck();
  const insertFailure = sqlite.prepare(
    `INSERT INTO failures (crawl_id, key, position, error_class, reason, status, attempts, failed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const updateFailure = sqlite.prepare(
    `UPDATE failures SET error_class = ?, reason = ?, status = ?, attempts = ?, failed_at = ?
     WHERE crawl_id = ? AND key = ?`,
  );
  const bumpProgress = sqlite.prepare(
    `INSERT INTO crawl_progress (crawl_id, done, failed, last_progress_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (crawl_id) DO UPDATE SET done = done + excluded.done, failed = failed + excluded.failed,
       last_progress_at = excluded.last_progress_at
     RETURNING done, failed`,
  );

  const failedCount = sqlite.prepare('SELECT failed FROM crawl_progress WHERE crawl_id = ?').pluck();

  const write = sqlite.transaction((entries: readonly LedgerEntry[], stored: readonly (StoredBody | null)[]) => {
    // Only crawls with failures can have a failure row to replace; skip the delete otherwise.
    const hasFailures = new Map<number, boolean>();
    const crawlHasFailures = (crawlId: number) => {
      let known = hasFailures.get(crawlId);
      if (known === undefined) {
        known = ((failedCount.get(crawlId) as number | undefined) ?? 0) > 0;
        hasFailures.set(crawlId, known);
      }
      return known;
    };
    const deltas = new Map<number, { done: number; failed: number }>();
    const delta = (crawlId: number) => {
      let d = deltas.get(crawlId);
      if (!d) {
        d = { done: 0, failed: 0 };
        deltas.set(crawlId, d);
      }
      return d;
    };
    // An index loop and no object per row: this runs for every key.
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as LedgerEntry;
      if (entry.kind === 'result') {
        const r = entry.record;
        // null: stored as received.
        const encoded = stored[i] ?? null;
        const body = encoded === null ? r.body : encoded.body;
        const bodyZ = encoded === null ? null : encoded.bodyZ;
        const inserted = insertResult.run(r.crawlId, r.key, r.position, r.status, body, bodyZ, r.attempts, r.fetchedAt, r.durationMs);
        if (inserted.changes === 0) continue;
        delta(r.crawlId).done++;
        if (crawlHasFailures(r.crawlId) && deleteFailure.run(r.crawlId, r.key).changes > 0) delta(r.crawlId).failed--;
      } else {
        const f = entry.record;
        if (resultExists.get(f.crawlId, f.key)) continue;
        const inserted = insertFailure.run(f.crawlId, f.key, f.position, f.errorClass, f.reason, f.status, f.attempts, f.failedAt);
        if (inserted.changes > 0) {
          delta(f.crawlId).failed++;
          hasFailures.set(f.crawlId, true);
        } else updateFailure.run(f.errorClass, f.reason, f.status, f.attempts, f.failedAt, f.crawlId, f.key);
      }
    }
    const committed = new Map<number, CrawlProgress>();
    for (const [crawlId, d] of deltas) {
      if (d.done !== 0 || d.failed !== 0) committed.set(crawlId, bumpProgress.get(crawlId, d.done, d.failed, Date.now()) as CrawlProgress);
    }
    return committed;
  });
  // Compressing (and building a dictionary, in its own transaction) happens before the write lock is taken.
  return async (entries) => write.immediate(entries, bodies.encodeEntries(entries));
}

/**
 * Deletes a crawl's failures (for retry-failed) and lowers the counter by as many, in one
 * transaction. Returns how many were deleted.
 */
export function createFailureClearer(db: Db): (crawlId: number) => Promise<number> {
  const sqlite = db.$client;
  const clear = sqlite.prepare('DELETE FROM failures WHERE crawl_id = ?');
  const lower = sqlite.prepare('UPDATE crawl_progress SET failed = failed - ? WHERE crawl_id = ?');
  const run = sqlite.transaction((crawlId: number) => {
    const deleted = clear.run(crawlId).changes;
    if (deleted > 0) lower.run(deleted, crawlId);
    return deleted;
  });
  return async (crawlId) => run.immediate(crawlId);
}

/**
 * Appends request start times to the request log (with the pool credential they went out with,
 * if any) and prunes rows older than `keepMs`, in one transaction.
 */
export function createRequestLogger(
  db: Db,
): (crawlId: number, times: readonly number[], keepMs: number, credential?: string) => Promise<void> {
  const sqlite = db.$client;
  const insert = sqlite.prepare('INSERT INTO request_log (crawl_id, at, credential) VALUES (?, ?, ?)');
  const prune = sqlite.prepare('DELETE FROM request_log WHERE crawl_id = ? AND at < ?');
  const run = sqlite.transaction((crawlId: number, times: readonly number[], keepMs: number, credential: string | null) => {
    for (const at of times) insert.run(crawlId, at, credential);
    prune.run(crawlId, Date.now() - keepMs);
  });
  return async (crawlId, times, keepMs, credential) => run.immediate(crawlId, times, keepMs, credential ?? null);
}
