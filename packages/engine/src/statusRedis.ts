import type { PoolCredential } from '@sluice/core';
import { type AdaptiveReading, type CredentialUsage, readAdaptiveRate, readCredentialUsage } from '@sluice/limiter';
import {
  type CrawlScope,
  type CrawlStats,
  listWorkers,
  openBatchQueue,
  pingRedis,
  type RedisClient,
  readCrawlStats,
  type WorkerInfo,
} from '@sluice/queue';
import type { Engine } from './engine';
import { openRedis } from './redisScope';

/** What Redis knows about a crawl right now (all workers together). */
export interface RedisFigures {
  /** Jobs (batches) in the crawl's queue. */
  queue: { waiting: number; active: number; delayed: number };
  /** True when the BullMQ queue is paused (by `sluice pause` or by any BullMQ tool). */
  queuePaused: boolean;
  /** Workers whose heartbeat is alive. */
  workers: WorkerInfo[];
  stats: CrawlStats;
  /** Use, pause and retirement of each pool credential, with its label (empty without a pool). */
  credentials: LabelledUsage[];
  /** The adaptive per-second rate's state (`perSecond: "auto"`), or null without one or before any worker started. */
  adaptive: AdaptiveReading | null;
}

/** A credential's use with its label from the spec (`credentials.labels`), or null when it has none. */
export type LabelledUsage = CredentialUsage & { label: string | null };

/** Longest a status look may wait for Redis: a dashboard tick must never hang on an outage. */
const READ_DEADLINE_MS = 5_000;

/** Reads a crawl's queue counts, live workers, statistics, pool credentials and adaptive rate in parallel. */
export async function readRedisFigures(
  redis: RedisClient,
  scope: CrawlScope,
  credentials: readonly PoolCredential[] = [],
  adaptive = false,
): Promise<RedisFigures> {
  const queue = openBatchQueue(redis, scope);
  try {
    const [live, queuePaused, workers, stats, credentialUsage, adaptiveReading] = await Promise.all([
      queue.liveCount(),
      queue.queue.isPaused(),
      listWorkers(redis, scope),
      readCrawlStats(redis, scope),
      credentials.length > 0 ? readCredentialUsage(redis, scope, credentials) : Promise.resolve([]),
      adaptive ? readAdaptiveRate(redis, scope) : Promise.resolve(null),
    ]);
    const labelled = credentialUsage.map((u) => ({ ...u, label: credentials.find((c) => c.name === u.name)?.label ?? null }));
    return { queue: live, queuePaused, workers, stats, credentials: labelled, adaptive: adaptiveReading };
  } finally {
    await queue.close();
  }
}

/**
 * Runs `fn` with a short-lived Redis connection, or returns null when Redis does not answer a
 * PING or `fn` does not finish within the deadline (ioredis would otherwise queue commands
 * through an outage and the caller would wait forever).
 */
export async function withStatusRedis<T>(engine: Engine, fn: (redis: RedisClient) => Promise<T>): Promise<T | null> {
  if (!(await pingRedis(engine.config.redisUrl, 1000))) return null;
  const redis = openRedis(engine, 'sluice-status');
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
