import type { BatchPayload } from '@sluice/core';
import { Queue } from 'bullmq';
import type { RedisClient } from './connection';
import type { CrawlScope } from './crawlScope';
import { batchJobId, bullPrefix } from './redisKeys';

/**
 * A crawl's batch queue. Jobs carry batches of keys (never URLs or secrets) and are removed
 * from Redis as soon as they complete: the ledger, not Redis, remembers what is done.
 */
export interface BatchQueue {
  readonly queue: Queue<BatchPayload>;
  /** Adds batches; a batch whose job is still in Redis is not added twice. */
  addBatches(payloads: readonly BatchPayload[]): Promise<void>;
  /** Jobs waiting to be taken (waiting + delayed + prioritized). */
  waitingCount(): Promise<number>;
  /** Jobs waiting plus jobs being processed. */
  liveCount(): Promise<{ waiting: number; active: number; delayed: number }>;
  close(): Promise<void>;
}

export function openBatchQueue(connection: RedisClient, scope: CrawlScope): BatchQueue {
  const queue = new Queue<BatchPayload>(scope.queueName, {
    connection,
    prefix: bullPrefix(scope),
    defaultJobOptions: {
      removeOnComplete: true,
      removeOnFail: true,
      // A job fails only on infrastructure errors (e.g. SQLite locked for too long); per-key
      // errors are handled inside the job. Retry those patiently.
      attempts: 1000,
      backoff: { type: 'fixed', delay: 1000 },
    },
  });
  queue.on('error', () => {});
  return {
    queue,
    async addBatches(payloads) {
      if (payloads.length === 0) return;
      await queue.addBulk(payloads.map((data) => ({ name: 'batch', data, opts: { jobId: batchJobId(data.batch) } })));
    },
    async waitingCount() {
      const c = await queue.getJobCounts('waiting', 'delayed', 'prioritized');
      return (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
    },
    async liveCount() {
      const c = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
      return {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
      };
    },
    close: () => queue.close(),
  };
}
