import { setMaxListeners } from 'node:events';
import { effectiveConcurrency } from '@sluice/core';
import { createHttpClient } from '@sluice/http';
import { assertRedis, createBatchWorker, createProducerLease, createRedis, openBatchQueue } from '@sluice/queue';
import { createGroupCommitWriter } from '@sluice/store';
import { checkCompletion } from './completion';
import type { Engine } from './engine';
import { buildKeyFetchContext, jobConcurrency } from './keyFetchContext';
import { type LoadedCrawl, loadCrawl } from './loadCrawl';
import { createLocalLimiter } from './localLimiter';
import { processBatch } from './processBatch';
import { runProducerLoop } from './producerLoop';
import { type ProgressSnapshot, RateMeter } from './progress';
import { sleep } from './sleep';

export interface WorkOptions {
  /** Requests in flight in this process. Default: the spec's `limits.concurrency`. */
  concurrency?: number;
  /** Also compete for the producer lease and enqueue when holding it. Default true. */
  produce?: boolean;
  /** Stops the session (graceful shutdown): in-flight keys return to the queue. */
  signal?: AbortSignal;
  /** Called about every `progressIntervalMs` with a snapshot. */
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** Default 500. */
  progressIntervalMs?: number;
}

export interface WorkSummary {
  crawl: string;
  total: number;
  done: number;
  failed: number;
  /** Keys this process finished. */
  finishedHere: number;
  durationMs: number;
  /** True when every key of the crawl has a result or a failure. */
  complete: boolean;
}

/**
 * Works on a crawl until every key is in the ledger or `signal` aborts: a BullMQ worker over
 * the crawl's batch queue, the producer when this process holds the lease, and a monitor that
 * notices completion (and re-enqueues keys missing from the ledger once the queue is empty).
 */
export async function work(engine: Engine, ref: string | number, options: WorkOptions = {}): Promise<WorkSummary> {
  const crawl: LoadedCrawl = loadCrawl(engine.store, ref);
  const { store, config } = engine;
  const concurrency = options.concurrency ?? effectiveConcurrency(crawl.spec.limits);
  const stop = new AbortController();
  // Every request in flight listens on this signal.
  setMaxListeners(0, stop.signal);
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  const http = createHttpClient({ connections: concurrency });
  const limiter = createLocalLimiter({ ...crawl.spec.limits, concurrency });
  const ctx = buildKeyFetchContext(crawl, { http, limiter, env: config.env, signal: stop.signal });
  await assertRedis(config.redisUrl);
  const redis = createRedis(config.redisUrl, `sluice-work-${crawl.row.id}`);
  redis.on('error', () => {});
  const queue = openBatchQueue(redis, config.prefix, crawl.row.id);
  // Wakes the monitor the moment the last key commits, instead of at its next poll.
  let wake = new AbortController();
  const writer = createGroupCommitWriter({
    write: store.writeEntries,
    onCommit: () => {
      const p = store.ledger.progress(crawl.row.id);
      if (p.done + p.failed >= crawl.row.total) wake.abort();
    },
  });
  const started = Date.now();
  const worker = createBatchWorker({
    connection: redis,
    prefix: config.prefix,
    crawlId: crawl.row.id,
    concurrency: jobConcurrency(crawl, concurrency),
    process: async (payload) => {
      await processBatch(payload, store, writer, ctx);
    },
  });
  const producerStop = new AbortController();
  const producerTask =
    options.produce === false
      ? Promise.resolve()
      : runProducerLoop({
          store,
          queue,
          crawl,
          lease: createProducerLease(redis, config.prefix, crawl.row.id),
          signal: producerStop.signal,
          log: config.log,
        });

  const meter = new RateMeter();
  let complete = false;
  try {
    for (;;) {
      const state = await checkCompletion(store, queue, crawl, config.log);
      const p = store.ledger.progress(crawl.row.id);
      options.onProgress?.({
        crawl: crawl.row.name,
        total: crawl.row.total,
        done: p.done,
        failed: p.failed,
        ratePerSec: meter.sample(p.done + p.failed),
        inFlight: limiter.inFlight,
        throttledUntil: ctx.throttle.pausedUntil,
      });
      if (state === 'complete') {
        complete = true;
        break;
      }
      if (stop.signal.aborted) break;
      await sleep(options.progressIntervalMs ?? 500, AbortSignal.any([stop.signal, wake.signal]));
      if (wake.signal.aborted) wake = new AbortController();
    }
  } finally {
    producerStop.abort();
    stop.abort();
    await producerTask.catch(() => {});
    await worker.close();
    await writer.flush();
    await queue.close();
    await http.close();
    redis.disconnect();
    options.signal?.removeEventListener('abort', onAbort);
  }
  const p = store.ledger.progress(crawl.row.id);
  return {
    crawl: crawl.row.name,
    total: crawl.row.total,
    done: p.done,
    failed: p.failed,
    finishedHere: writer.committed,
    durationMs: Date.now() - started,
    complete,
  };
}
