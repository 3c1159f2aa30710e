import type { BatchPayload } from '@sluice/core';
import { type Job, Worker } from 'bullmq';
import type { RedisClient } from './connection';
import type { CrawlScope } from './crawlScope';
import { bullPrefix } from './redisKeys';

export interface BatchWorkerOptions {
  /** The caller's client; BullMQ duplicates it for its blocking connection. The caller closes it. */
  connection: RedisClient;
  scope: CrawlScope;
  /** Batches processed at once by this process. */
  concurrency: number;
  /**
   * Lock on a job being processed, renewed every half of it while the process lives. Default
   * 6000. With `stalledIntervalMs` this bounds how soon a killed worker's batch is taken by
   * another worker: at most lock + interval, 9 s by default, which leaves room under the
   * promised 15 s for a loaded machine's late timers (BullMQ's own defaults, 30 s + 30 s, would
   * leave a dead worker's keys idle for up to a minute). Shorter values detect
   * crashes sooner but cost more Redis calls and risk a busy event loop missing a renewal; a
   * batch is then run twice, which the ledger absorbs (finished keys are skipped).
   */
  lockDurationMs?: number;
  /** How often a worker looks for stalled jobs. Default 3000. */
  stalledIntervalMs?: number;
  /** Processes one batch; resolves only after every key's row is committed. */
  process: (payload: BatchPayload, job: Job<BatchPayload>) => Promise<void>;
}

/**
 * A BullMQ worker over a crawl's batch queue. The processor's promise resolves after the
 * batch's rows are committed, so the ack (BullMQ completing the job) always follows the
 * commit. A stalled batch is retried without limit: the ledger makes a rerun harmless.
 */
export function createBatchWorker(options: BatchWorkerOptions): Worker<BatchPayload> {
  const worker = new Worker<BatchPayload>(options.scope.queueName, (job) => options.process(job.data, job), {
    connection: options.connection,
    prefix: bullPrefix(options.scope),
    concurrency: options.concurrency,
    lockDuration: options.lockDurationMs ?? 6_000,
    stalledInterval: options.stalledIntervalMs ?? 3_000,
    maxStalledCount: 1_000_000,
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
    drainDelay: 1,
    autorun: true,
  });
  worker.on('error', () => {});
  return worker;
}
