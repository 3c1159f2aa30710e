import type { FailureRecord, LedgerEntry, ResultRecord } from '@sluice/core';
import type pg from 'pg';
import type { CommittedProgress } from '../contract';
import { int4Array, int8Array, textArray } from './binaryArrays';
import { inTransaction, lockCrawls } from './transaction';

type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

/** The last failure of each key (ON CONFLICT DO UPDATE may touch a row once per statement). */
function lastFailurePerKey(records: readonly FailureRecord[]): FailureRecord[] {
  const byKey = new Map<string, FailureRecord>();
  for (const f of records) byKey.set(`${f.crawlId}\u0000${f.key}`, f);
  return [...byKey.values()];
}

/** The flush function of migration 0004, prepared once per connection (node-postgres keys it by name). */
const FLUSH = 'SELECT crawl_id, done, failed FROM sluice_flush_rows($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)';

/** The results of a batch as the flush function's column arrays, in PostgreSQL's binary array format. */
function resultColumns(results: readonly ResultRecord[]): Buffer[] {
  return [
    int4Array(results.map((r) => r.crawlId)),
    textArray(results.map((r) => r.key)),
    int4Array(results.map((r) => r.position)),
    int4Array(results.map((r) => r.status)),
    textArray(results.map((r) => r.body)),
    int4Array(results.map((r) => r.attempts)),
    int8Array(results.map((r) => r.fetchedAt)),
    int4Array(results.map((r) => r.durationMs)),
  ];
}

/**
 * Writes finished keys to the PostgreSQL ledger: one call of `sluice_flush_rows` (see
 * `migrations/pg/0003_flush_function.sql` for the rules, the same as the SQLite writer's), so
 * one round trip and one transaction per batch. Results travel as binary column arrays (see
 * binaryArrays.ts), failures as JSON with one-letter field names. Retried over outages: the
 * function is idempotent, so a batch whose commit was lost with its connection is written
 * again without doubling anything.
 */
export function createPgLedgerWriter(pool: pg.Pool, retry: Retry): (entries: readonly LedgerEntry[]) => Promise<CommittedProgress> {
  return (entries) => {
    const results: ResultRecord[] = [];
    const failed: FailureRecord[] = [];
    for (const e of entries) {
      if (e.kind === 'result') results.push(e.record);
      else failed.push(e.record);
    }
    const crawlIds = [...new Set(entries.map((e) => e.record.crawlId))].sort((a, b) => a - b);
    if (crawlIds.length === 0) return Promise.resolve(new Map());
    const values = [
      ...resultColumns(results),
      JSON.stringify(
        lastFailurePerKey(failed).map((f) => ({
          c: f.crawlId,
          k: f.key,
          p: f.position,
          e: f.errorClass,
          m: f.reason,
          s: f.status,
          a: f.attempts,
          f: f.failedAt,
        })),
      ),
      Date.now(),
      crawlIds,
    ];
    return retry(async () => {
      const { rows } = await pool.query<{ crawl_id: number; done: number; failed: number }>({
        name: 'sluice_flush_rows',
        text: FLUSH,
        values,
      });
      return new Map(rows.map((r) => [r.crawl_id, { done: r.done, failed: r.failed }]));
    });
  };
}

/** Deletes a crawl's failures and lowers its counter by as many, in one transaction. */
export function createPgFailureClearer(pool: pg.Pool, retry: Retry): (crawlId: number) => Promise<number> {
  return (crawlId) =>
    retry(() =>
      inTransaction(pool, async (client) => {
        await lockCrawls(client, [crawlId]);
        const deleted = (await client.query('DELETE FROM failures WHERE crawl_id = $1', [crawlId])).rowCount ?? 0;
        if (deleted > 0) await client.query('UPDATE crawl_progress SET failed = failed - $1 WHERE crawl_id = $2', [deleted, crawlId]);
        return deleted;
      }),
    );
}

/**
 * Appends request start times (with the pool credential they went out with, if any) and prunes
 * those older than `keepMs`, in one transaction. A
 * retry after a lost commit may log a batch twice: a rebuilt budget then counts more requests
 * than were sent, which errs on the side of the limit.
 */
export function createPgRequestLogger(
  pool: pg.Pool,
  retry: Retry,
): (crawlId: number, times: readonly number[], keepMs: number, credential?: string) => Promise<void> {
  return (crawlId, times, keepMs, credential) =>
    retry(() =>
      inTransaction(pool, async (client) => {
        if (times.length > 0) {
          await client.query('INSERT INTO request_log (crawl_id, at, credential) SELECT $1, unnest($2::bigint[]), $3', [
            crawlId,
            times,
            credential ?? null,
          ]);
        }
        await client.query('DELETE FROM request_log WHERE crawl_id = $1 AND at < $2', [crawlId, Date.now() - keepMs]);
      }),
    );
}
