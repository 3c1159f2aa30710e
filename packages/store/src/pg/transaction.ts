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
 * Locks the progress rows of the given crawls, in id order, as every write to a crawl's rows
 * does first (the flush function included), so the writers of one crawl commit one after another.
 */
export async function lockCrawls(client: pg.PoolClient, crawlIds: readonly number[]): Promise<void> {
  await client.query('SELECT crawl_id FROM crawl_progress WHERE crawl_id = ANY($1::int[]) ORDER BY crawl_id FOR UPDATE', [crawlIds]);
}
