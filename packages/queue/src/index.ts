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

// Later additions (shared limiter and others): biome sorts this block on its own.

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
export { type AdaptiveRate, REPORT_EVERY_MS } from './limiter/adaptiveRate';
export { type AdaptiveReading, readAdaptiveRate } from './limiter/adaptiveState';
export {
  type AdaptivePhase,
  type AdaptiveState,
  BETA,
  BUSY_SHARE,
  CUT_WINDOW_MS,
  type CutReason,
  INTERVAL_MS,
  PROBE_FACTOR,
  STEP_SHARE,
} from './limiter/aimd';
export { type CredentialPool, type CredentialPoolOptions, createCredentialPool, type PoolAdmission } from './limiter/credentialPool';
export { type CredentialUsage, readCredentialUsage } from './limiter/credentialUsage';
export {
  credentialLeasesKey,
  credentialPauseKey,
  credentialsRetiredKey,
  credentialWindowKey,
  type LimiterWindowName,
  limiterAdaptiveKey,
  limiterLeasesKey,
  limiterPauseKey,
  limiterWindowKey,
} from './limiter/limiterKeys';
export { createSharedLimiter, type SharedLimiter, type SharedLimiterOptions } from './limiter/sharedLimiter';
export { countsFromEach, type LimiterLimits, maxInAnyWindow } from './limiter/windows';
export { evictionPolicy, HEARTBEAT_TTL_MS, listWorkers, removeHeartbeat, type WorkerInfo, writeHeartbeat } from './workerHeartbeat';
