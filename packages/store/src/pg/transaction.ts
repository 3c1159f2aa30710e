import type pg from 'pg';

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
 * Locks the progress rows of the given crawls, in id order. Every write to a crawl's rows
 * takes this lock first, so the writers of one crawl (any number of processes on any number of
 * hosts) commit one after another, each seeing what the previous one committed. That is what
 * keeps "a failure never overwrites a result" true when two writers race on one key: the second
 * sees the first one's row.
 */
export function lockCrawlsSql(crawlIds: readonly number[]): string {
  for (const id of crawlIds) if (!Number.isSafeInteger(id)) throw new Error(`not a crawl id: ${id}`);
  return `SELECT crawl_id FROM crawl_progress WHERE crawl_id IN (${crawlIds.join(', ')}) ORDER BY crawl_id FOR UPDATE`;
}
