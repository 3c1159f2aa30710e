import type { FailureRecord, LedgerEntry, ResultRecord } from '@sluice/core';
import type pg from 'pg';

type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * Runs `fn` in one transaction on one pooled connection. A connection that failed is
 * discarded, not returned to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A connection cut while checked out (server restart) is reported here and by the failing
  // query; without a listener it would be an uncaught 'error' event.
  const onError = (err: Error) => {
    broken = err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const value = await fn(client);
    await client.query('COMMIT');
    return value;
  } catch (err) {
    await client.query('ROLLBACK').catch((rollbackErr: Error) => {
      broken = rollbackErr;
    });
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/**
 * Locks the progress rows of the batch's crawls, in id order. Every write to a crawl's rows
 * takes this lock first, so the writers of one crawl (any number of processes on any number of
 * hosts) commit one after another, each seeing what the previous one committed. That is what
 * keeps "a failure never overwrites a result" true when two writers race on one key: the second
 * sees the first one's row. The counter row is updated by every batch anyway, so this costs
 * only the inserts' time inside the lock. Returns each crawl's committed failure count.
 */
async function lockCrawls(client: pg.PoolClient, crawlIds: readonly number[]): Promise<Map<number, number>> {
  const { rows } = await client.query<{ crawl_id: number; failed: number }>(
    'SELECT crawl_id, failed FROM crawl_progress WHERE crawl_id = ANY($1::int[]) ORDER BY crawl_id FOR UPDATE',
    [crawlIds],
  );
  return new Map(rows.map((r) => [r.crawl_id, r.failed]));
}

async function insertResults(client: pg.PoolClient, records: readonly ResultRecord[]): Promise<Array<{ crawlId: number; key: string }>> {
  if (records.length === 0) return [];
  const { rows } = await client.query<{ crawl_id: number; key: string }>(
    `INSERT INTO results (crawl_id, key, position, status, body, attempts, fetched_at, duration_ms)
     SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::int[], $5::text[], $6::int[], $7::bigint[], $8::int[])
     ON CONFLICT DO NOTHING RETURNING crawl_id, key`,
    [
      records.map((r) => r.crawlId),
      records.map((r) => r.key),
      records.map((r) => r.position),
      records.map((r) => r.status),
      records.map((r) => r.body),
      records.map((r) => r.attempts),
      records.map((r) => r.fetchedAt),
      records.map((r) => r.durationMs),
    ],
  );
  return rows.map((r) => ({ crawlId: r.crawl_id, key: r.key }));
}

async function deleteFailures(client: pg.PoolClient, keys: ReadonlyArray<{ crawlId: number; key: string }>): Promise<number[]> {
  if (keys.length === 0) return [];
  const { rows } = await client.query<{ crawl_id: number }>(
    `DELETE FROM failures f USING unnest($1::int[], $2::text[]) AS t(crawl_id, key)
     WHERE f.crawl_id = t.crawl_id AND f.key = t.key RETURNING f.crawl_id`,
    [keys.map((k) => k.crawlId), keys.map((k) => k.key)],
  );
  return rows.map((r) => r.crawl_id);
}

/**
 * Inserts failures of keys without a result; a repeated failure updates its row in place.
 * Returns the crawl of each newly inserted row (updates do not change the counters).
 */
async function upsertFailures(client: pg.PoolClient, records: readonly FailureRecord[]): Promise<number[]> {
  if (records.length === 0) return [];
  const { rows } = await client.query<{ crawl_id: number; inserted: boolean }>(
    `INSERT INTO failures (crawl_id, key, position, error_class, reason, status, attempts, failed_at)
     SELECT t.* FROM unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::int[], $8::bigint[])
       AS t(crawl_id, key, position, error_class, reason, status, attempts, failed_at)
     WHERE NOT EXISTS (SELECT 1 FROM results r WHERE r.crawl_id = t.crawl_id AND r.key = t.key)
     ON CONFLICT (crawl_id, key) DO UPDATE SET error_class = excluded.error_class, reason = excluded.reason,
       status = excluded.status, attempts = excluded.attempts, failed_at = excluded.failed_at
     RETURNING crawl_id, (xmax = 0) AS inserted`,
    [
      records.map((f) => f.crawlId),
      records.map((f) => f.key),
      records.map((f) => f.position),
      records.map((f) => f.errorClass),
      records.map((f) => f.reason),
      records.map((f) => f.status),
      records.map((f) => f.attempts),
      records.map((f) => f.failedAt),
    ],
  );
  return rows.filter((r) => r.inserted).map((r) => r.crawl_id);
}

/** The last failure of each key (ON CONFLICT DO UPDATE may touch a row once per statement). */
function lastFailurePerKey(records: readonly FailureRecord[]): FailureRecord[] {
  const byKey = new Map<string, FailureRecord>();
  for (const f of records) byKey.set(`${f.crawlId}\u0000${f.key}`, f);
  return [...byKey.values()];
}

/**
 * Writes finished keys to the PostgreSQL ledger, one transaction per call, with the same rules
 * as the SQLite writer (see `sqlite/ledgerWriter.ts`): a result is inserted once per
 * (crawl, key) and replaces an earlier failure; a failure never overwrites a result; the
 * counters move, in the same transaction, by what was really inserted or deleted (atomic
 * increments, so concurrent writers never lose an update). Each statement covers the whole
 * batch (arrays unnested server-side), so a flush costs a handful of round trips whatever its
 * size. Retried over outages: every statement is idempotent, so a batch whose commit was lost
 * with its connection is written again without doubling anything.
 */
export function createPgLedgerWriter(pool: pg.Pool, retry: Retry): (entries: readonly LedgerEntry[]) => Promise<void> {
  return (entries) => {
    const results: ResultRecord[] = [];
    const failed: FailureRecord[] = [];
    for (const e of entries) {
      if (e.kind === 'result') results.push(e.record);
      else failed.push(e.record);
    }
    const failures = lastFailurePerKey(failed);
    const crawlIds = [...new Set(entries.map((e) => e.record.crawlId))].sort((a, b) => a - b);
    if (crawlIds.length === 0) return Promise.resolve();
    return retry(() =>
      inTransaction(pool, async (client) => {
        const failedBefore = await lockCrawls(client, crawlIds);
        const deltas = new Map(crawlIds.map((id) => [id, { done: 0, failed: 0 }]));
        const inserted = await insertResults(client, results);
        for (const r of inserted) deltas.get(r.crawlId)!.done++;
        const mayHaveFailures = inserted.filter((r) => (failedBefore.get(r.crawlId) ?? 0) > 0);
        for (const id of await deleteFailures(client, mayHaveFailures)) deltas.get(id)!.failed--;
        for (const id of await upsertFailures(client, failures)) deltas.get(id)!.failed++;
        const now = Date.now();
        for (const [crawlId, d] of deltas) {
          if (d.done === 0 && d.failed === 0) continue;
          await client.query(
            `INSERT INTO crawl_progress (crawl_id, done, failed, last_progress_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (crawl_id) DO UPDATE SET done = crawl_progress.done + excluded.done,
               failed = crawl_progress.failed + excluded.failed, last_progress_at = excluded.last_progress_at`,
            [crawlId, d.done, d.failed, now],
          );
        }
      }),
    );
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
