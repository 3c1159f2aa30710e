import { openBatchQueue, pingRedis } from '@sluice/queue';
import type { FailureRow } from '@sluice/store';
import type { Engine } from './engine';
import { type LoadedCrawl, loadCrawl } from './loadCrawl';
import { openClaimedRedis, scopeOf } from './redisScope';

/**
 * Runs `fn` with the crawl's queue when Redis answers; returns false when it does not.
 * @throws ForeignCrawlStateError when the crawl's Redis namespace belongs to another ledger.
 */
async function withQueue(
  engine: Engine,
  crawl: LoadedCrawl,
  fn: (queue: ReturnType<typeof openBatchQueue>) => Promise<void>,
): Promise<boolean> {
  if (!(await pingRedis(engine.config.redisUrl, 1500))) return false;
  const redis = await openClaimedRedis(engine, crawl, 'sluice-control');
  const scope = scopeOf(engine, crawl);
  const queue = openBatchQueue(redis, scope);
  try {
    await fn(queue);
    return true;
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/**
 * Pauses a crawl: workers start no new request (in-flight ones finish) and take no new batch.
 * The flag lives in SQLite (so it survives Redis), the queue is paused in Redis too.
 */
export async function pauseCrawl(engine: Engine, ref: string | number): Promise<{ name: string }> {
  const crawl = await loadCrawl(engine.store, ref);
  await engine.store.crawls.setPaused(crawl.row.id, true);
  await withQueue(engine, crawl, (q) => q.queue.pause());
  return { name: crawl.row.name };
}

/**
 * Resumes a crawl and reconciles it: the cursor goes back to the start, so the producer
 * (any running worker, or the next `work`/`run`) walks the key source again and enqueues
 * exactly the keys that have no ledger row and no live job in Redis. Correct after Redis lost
 * everything (FLUSHALL, restart without persistence).
 */
export async function resumeCrawl(engine: Engine, ref: string | number): Promise<{ name: string; missing: number; redis: boolean }> {
  const crawl = await loadCrawl(engine.store, ref);
  await engine.store.crawls.setPaused(crawl.row.id, false);
  const redis = await withQueue(engine, crawl, (q) => q.queue.resume());
  await engine.store.crawls.setCursor(crawl.row.id, 0);
  const p = await engine.store.ledger.progress(crawl.row.id);
  return { name: crawl.row.name, missing: crawl.row.total - p.done - p.failed, redis };
}

/** Makes failed keys pending again; workers fetch them on their next pass. Returns how many. */
export async function retryFailed(engine: Engine, ref: string | number): Promise<{ name: string; retried: number }> {
  const crawl = await loadCrawl(engine.store, ref);
  const retried = await engine.store.clearFailures(crawl.row.id);
  if (retried > 0) await engine.store.crawls.setCursor(crawl.row.id, 0);
  return { name: crawl.row.name, retried };
}

/** A crawl's failed keys with their reasons, in key order. */
export async function listFailed(engine: Engine, ref: string | number, limit?: number): Promise<{ name: string; failures: FailureRow[] }> {
  const crawl = await loadCrawl(engine.store, ref);
  return { name: crawl.row.name, failures: await engine.store.ledger.listFailures(crawl.row.id, limit) };
}
