export type { Job } from 'bullmq';
export { type BatchQueue, openBatchQueue } from './batchQueue';
export { type BatchWorkerOptions, createBatchWorker } from './batchWorker';
export { assertRedis, createRedis, pingRedis } from './connection';
export { createProducerLease, type ProducerLease } from './producerLease';
export * from './redisKeys';
