import { assertRedis, createProducerLease, createRedis, openBatchQueue } from '@sluice/queue';
import type { Engine } from './engine';
import { loadCrawl } from './loadCrawl';
import { runProducerLoop } from './producerLoop';

/**
 * `sluice enqueue`: act as the crawl's producer until every key has been enqueued. The queue
 * is kept between its low- and high-water marks, so on a big crawl this runs as long as the
 * workers need to drain it. Workers also produce by themselves when no producer runs.
 */
export async function enqueue(engine: Engine, ref: string | number, signal?: AbortSignal): Promise<{ enqueuedThrough: number }> {
  const crawl = await loadCrawl(engine.store, ref);
  await assertRedis(engine.config.redisUrl);
  const redis = createRedis(engine.config.redisUrl, `sluice-enqueue-${crawl.row.id}`);
  redis.on('error', () => {});
  const queue = openBatchQueue(redis, engine.config.prefix, crawl.row.id);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await runProducerLoop({
      store: engine.store,
      queue,
      crawl,
      lease: createProducerLease(redis, engine.config.prefix, crawl.row.id),
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
