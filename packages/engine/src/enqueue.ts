import { assertRedis, createProducerLease, openBatchQueue } from '@sluice/queue';
import type { Engine } from './engine';
import { loadCrawl } from './loadCrawl';
import { runProducerLoop } from './producerLoop';
import { openClaimedRedis, scopeOf } from './redisScope';

/**
 * `sluice enqueue`: act as the crawl's producer until every key has been enqueued. The queue
 * is kept between its low- and high-water marks, so on a big crawl this runs as long as the
 * workers need to drain it. Workers also produce by themselves when no producer runs.
 */
export async function enqueue(engine: Engine, ref: string | number, signal?: AbortSignal): Promise<{ enqueuedThrough: number }> {
  const crawl = await loadCrawl(engine.store, ref);
  await assertRedis(engine.config.redisUrl);
  const scope = scopeOf(engine, crawl);
  const redis = await openClaimedRedis(engine, crawl, `sluice-enqueue-${crawl.row.id}`);
  const queue = openBatchQueue(redis, scope);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await runProducerLoop({
      store: engine.store,
      queue,
      crawl,
      lease: createProducerLease(redis, scope),
      signal: stop.signal,
      log: engine.config.log,
      untilEnqueued: true,
    });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await queue.close();
    redis.disconnect();
  }
  return { enqueuedThrough: Math.min((await engine.store.crawls.getCursor(crawl.row.id)) * crawl.batchSize, crawl.row.total) };
}
