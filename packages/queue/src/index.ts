export type { Job } from 'bullmq';
export { type BatchQueue, openBatchQueue } from './batchQueue';
export { type BatchWorkerOptions, createBatchWorker } from './batchWorker';
export {
  assertRedis,
  createRedis,
  isClusterTarget,
  pingRedis,
  type RedisClient,
  type RedisTargetOptions,
  redisUrls,
  scanKeys,
} from './connection';
export { type CrawlOwner, claimCrawlNamespace } from './crawlOwner';
export { type CrawlScope, type CrawlScopeInput, crawlScope, describeScope, sanitizeQueueName } from './crawlScope';
export { createProducerLease, type ProducerLease } from './producerLease';
export * from './redisKeys';

// Later additions: biome sorts this block on its own.

export { deleteCrawlKeys } from './crawlKeys';
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
export { evictionPolicy, HEARTBEAT_TTL_MS, listWorkers, removeHeartbeat, type WorkerInfo, writeHeartbeat } from './workerHeartbeat';
