export type { Job } from 'bullmq';
export { type BatchQueue, openBatchQueue } from './batchQueue';
export { type BatchWorkerOptions, createBatchWorker } from './batchWorker';
export { assertRedis, createRedis, pingRedis } from './connection';
export { createProducerLease, type ProducerLease } from './producerLease';
export * from './redisKeys';

// Later additions (shared limiter and others): biome sorts this block on its own.

export {
  type AttemptOutcome,
  type AttemptRecorder,
  type CrawlStats,
  createAttemptRecorder,
  DURATION_BUCKETS_MS,
  RATE_BUCKET_SECONDS,
  type RecentError,
  readCrawlStats,
} from './crawlStats';
export { type LimiterWindowName, limiterLeasesKey, limiterPauseKey, limiterWindowKey } from './limiter/limiterKeys';
export { createSharedLimiter, type SharedLimiter, type SharedLimiterOptions } from './limiter/sharedLimiter';
export { countsFromEach, type LimiterLimits, maxInAnyWindow } from './limiter/windows';
export { evictionPolicy, HEARTBEAT_TTL_MS, listWorkers, removeHeartbeat, type WorkerInfo, writeHeartbeat } from './workerHeartbeat';
