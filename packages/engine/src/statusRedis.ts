import { type CrawlStats, createRedis, listWorkers, openBatchQueue, pingRedis, readCrawlStats, type WorkerInfo } from '@sluice/queue';
import type { Redis } from 'ioredis';
import type { Engine } from './engine';

/** What Redis knows about a crawl right now (all workers together). */
export interface RedisFigures {
  /** Jobs (batches) in the crawl's queue. */
  queue: { waiting: number; active: number; delayed: number };
  /** True when the BullMQ queue is paused (by `sluice pause` or by any BullMQ tool). */
  queuePaused: boolean;
  /** Workers whose heartbeat is alive. */
  workers: WorkerInfo[];
  stats: CrawlStats;
}

/** Longest a status look may wait for Redis: a dashboard tick must never hang on an outage. */
const READ_DEADLINE_MS = 5_000;

/** Reads a crawl's queue counts, live workers and statistics in parallel. */
export async function readRedisFigures(redis: Redis, prefix: string, crawlId: number): Promise<RedisFigures> {
  const queue = openBatchQueue(redis, prefix, crawlId);
  try {
    const [live, queuePaused, workers, stats] = await Promise.all([
      queue.liveCount(),
      queue.queue.isPaused(),
      listWorkers(redis, prefix, crawlId),
      readCrawlStats(redis, prefix, crawlId),
    ]);
    return { queue: live, queuePaused, workers, stats };
  } finally {
    await queue.close();
  }
}

/**
 * Runs `fn` with a short-lived Redis connection, or returns null when Redis does not answer a
 * PING or `fn` does not finish within the deadline (ioredis would otherwise queue commands
 * through an outage and the caller would wait forever).
 */
export async function withStatusRedis<T>(engine: Engine, fn: (redis: Redis) => Promise<T>): Promise<T | null> {
  if (!(await pingRedis(engine.config.redisUrl, 1000))) return null;
  const redis = createRedis(engine.config.redisUrl, 'sluice-status');
  redis.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), READ_DEADLINE_MS);
  });
  try {
    return await Promise.race([fn(redis).catch(() => null), deadline]);
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
