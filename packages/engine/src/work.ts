import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { type CredentialsExhaustedError, effectiveConcurrency, poolCredentials, toError } from '@sluice/core';
import { createHttpClient, warmUpHttp } from '@sluice/http';
import { createCrawlLimiter } from '@sluice/limiter';
import {
  assertRedis,
  createAttemptRecorder,
  createBatchWorker,
  createProducerLease,
  openBatchQueue,
  removeHeartbeat,
  writeHeartbeat,
} from '@sluice/queue';
import { createGroupCommitWriter } from '@sluice/store';
import { settlesWithin, unlessAborted } from './abortable';
import { checkCompletion } from './completion';
import type { Engine } from './engine';
import { KeyAbortedError } from './keyAborted';
import { buildKeyFetchContext, jobConcurrency } from './keyFetchContext';
import { DEFAULT_LEDGER_RETRY_MS, LedgerGuard } from './ledgerGuard';
import { ledgerRequestLog } from './ledgerRequestLog';
import { type LoadedCrawl, loadCrawl } from './loadCrawl';
import { endpointOf, OutageWatch } from './outageWatch';
import { processBatch } from './processBatch';
import { runProducerLoop } from './producerLoop';
import { type ProgressSnapshot, RateMeter } from './progress';
import { warnIfEvicting } from './redisChecks';
import { openClaimedRedis, scopeOf } from './redisScope';
import { sleep } from './sleep';
import { WorkEvents } from './workEvents';

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
  /**
   * Extra validation of each parsed 2xx body, in code: throw `PermanentError` to fail the key,
   * `TransientError` to retry it. Default none.
   */
  validate?: (body: unknown, key: string) => void;
  /**
   * How long failed ledger writes (disk full, read-only file) are retried, fetching nothing
   * meanwhile, before `work` stops and throws LedgerUnwritableError. Default 60000.
   */
  ledgerRetryMs?: number;
  /**
   * Give up (throw EndpointOutageError) once the endpoint stayed unreachable (circuit open)
   * this long. Default: 60000 while the endpoint has never answered, no limit once it has.
   */
  maxOutageMs?: number;
  /** An ongoing outage is logged again this often. Default 30000. */
  outageLogEveryMs?: number;
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

/** How long a graceful shutdown waits for BullMQ before forcing its worker closed. */
const CLOSE_GRACE_MS = 5_000;
/** Heartbeat renewal; its TTL in Redis (HEARTBEAT_TTL_MS, 4 s) lets three renewals go missing. */
const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Works on a crawl until every key is in the ledger or `signal` aborts: a BullMQ worker over
 * the crawl's batch queue, the producer when this process holds the lease, and a monitor that
 * notices completion (and re-enqueues keys missing from the ledger once the queue is empty),
 * follows the user's pause flag and keeps a heartbeat in Redis.
 *
 * Shutdown: aborting `signal` aborts requests in flight; their batches fail back to the queue
 * (keys already committed are skipped when the batch runs again), the writer flushes, and the
 * session returns within a few seconds even when Redis is unreachable.
 */
export async function work(engine: Engine, ref: string | number, options: WorkOptions = {}): Promise<WorkSummary> {
  const crawl: LoadedCrawl = await loadCrawl(engine.store, ref);
  const { store, config } = engine;
  const id = crawl.row.id;
  const concurrency = options.concurrency ?? effectiveConcurrency(crawl.spec.limits);
  const stop = new AbortController();
  // Every request in flight listens on this signal.
  setMaxListeners(0, stop.signal);
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  await assertRedis(config.redisUrl);
  const scope = scopeOf(engine, crawl);
  const redis = await openClaimedRedis(engine, crawl, `sluice-work-${id}`);
  const events = new WorkEvents(config.log);
  events.watchRedis(redis, config.redisUrl.replace(/\/\/[^@/]*@/g, '//'));
  await warnIfEvicting(redis, config.log);
  const http = createHttpClient({ connections: concurrency });
  const guard = new LedgerGuard(options.ledgerRetryMs ?? DEFAULT_LEDGER_RETRY_MS, config.log);
  // Set when every pool credential was retired: the session stops and reports it.
  let exhausted: CredentialsExhaustedError | null = null;
  const limiter = createCrawlLimiter({
    limits: crawl.spec.limits,
    concurrency,
    redis,
    scope,
    requestLog: ledgerRequestLog(store, id),
    log: config.log,
    requestLogHealth: guard,
    onPauseChange: (untilMs) => events.throttle(untilMs),
    credentials: crawl.spec.credentials ? poolCredentials(crawl.spec.credentials) : undefined,
    onExhausted: (err) => {
      exhausted ??= err;
      stop.abort();
    },
  });
  let ctx: ReturnType<typeof buildKeyFetchContext>;
  try {
    ctx = buildKeyFetchContext(crawl, { http, limiter, env: config.env, signal: stop.signal });
    if (options.validate) ctx.customValidate = options.validate;
    ctx.ledgerHold = guard.hold;
    await limiter.tick();
    await warmUpHttp();
  } catch (err) {
    await limiter.close().catch(() => {});
    await http.close().catch(() => {});
    redis.disconnect();
    throw err;
  }
  const queue = openBatchQueue(redis, scope);
  const recorder = createAttemptRecorder(redis, scope);
  ctx.recorder = recorder;
  // Wakes the monitor the moment the last key commits, instead of at its next poll.
  let wake = new AbortController();
  const writer = createGroupCommitWriter({
    write: store.writeEntries,
    minIntervalMs: store.flushIntervalMs,
    onCommit: (entries, committed) => {
      recorder.finished(entries.length);
      // The write reports the counters it left, so noticing completion costs no query.
      const p = committed.get(id);
      if (p && p.done + p.failed >= crawl.row.total) wake.abort();
    },
  });
  const started = Date.now();
  const worker = createBatchWorker({
    connection: redis,
    scope,
    concurrency: jobConcurrency(crawl, concurrency),
    process: async (payload) => {
      try {
        await processBatch(payload, store, writer, guard, ctx);
      } catch (err) {
        // The batch returns to the queue; say why once (a shutdown or a ledger fault says so elsewhere).
        if (!(err instanceof KeyAbortedError) && guard.fatal === null) batchTrouble(toError(err).message);
        throw err;
      }
    },
  });
  let lastBatchTrouble = '';
  const batchTrouble = (message: string) => {
    if (message === lastBatchTrouble) return;
    lastBatchTrouble = message;
    config.log.warn(`a batch failed and returns to the queue: ${message}`, { event: 'batch-failed' });
  };
  const producerStop = new AbortController();
  const producerTask =
    options.produce === false
      ? Promise.resolve()
      : runProducerLoop({
          store,
          queue,
          crawl,
          lease: createProducerLease(redis, scope),
          signal: producerStop.signal,
          log: config.log,
        });

  // Before the heartbeat's breaker listener, so a beat sent on a change already carries the outage.
  const outage = new OutageWatch({
    breaker: ctx.breaker,
    endpoint: endpointOf(crawl.spec.request.url),
    answeredBefore: (await store.ledger.progress(id)).done > 0,
    maxOutageMs: options.maxOutageMs,
    logEveryMs: options.outageLogEveryMs,
    log: config.log,
  });
  let gaveUp: Error | null = null;
  const workerId = randomUUID();
  const beat = () =>
    writeHeartbeat(redis, scope, {
      id: workerId,
      host: hostname(),
      pid: process.pid,
      startedAt: started,
      finished: writer.committed,
      inFlight: limiter.inFlight,
      beatAt: Date.now(),
      breaker: ctx.breaker.current,
      throttledUntil: limiter.pausedUntil,
      ledgerError: guard.error,
      outageSince: outage.since,
    }).catch(() => {});
  let lastBeat = 0;
  // Breaker changes reach status at once, not at the next regular heartbeat.
  ctx.breaker.onChange(() => {
    lastBeat = Date.now();
    void beat();
  });
  guard.onChange(() => {
    lastBeat = Date.now();
    void beat();
    if (guard.error !== null && guard.fatal === null) {
      recorder.error({ at: Date.now(), key: '', errorClass: 'LedgerWriteError', reason: guard.error });
      void recorder.flush();
    }
    if (guard.fatal) wake.abort();
  });
  const meter = new RateMeter();
  // A pause made on the queue with a BullMQ tool (bull-board's button) holds requests too.
  let queuePaused = false;
  let readingQueuePause = false;
  const readQueuePause = () => {
    if (readingQueuePause) return;
    readingQueuePause = true;
    queue.queue
      .isPaused()
      .then((paused) => {
        queuePaused = paused;
      })
      .catch(() => {})
      .finally(() => {
        readingQueuePause = false;
      });
  };
  let complete = false;
  try {
    for (;;) {
      readQueuePause();
      const pausedInLedger = (await store.crawls.find(id))?.paused ?? false;
      ctx.pause.set(pausedInLedger || queuePaused);
      events.pause(ctx.pause.paused, pausedInLedger ? 'sluice pause or the dashboard' : 'the BullMQ queue was paused');
      if (Date.now() - lastBeat >= HEARTBEAT_EVERY_MS) {
        lastBeat = Date.now();
        void beat();
      }
      void recorder.flush();
      void limiter.tick();
      const state = await unlessAborted(checkCompletion(store, queue, crawl, config.log), stop.signal, 'running' as const);
      const p = await store.ledger.progress(id);
      options.onProgress?.({
        crawl: crawl.row.name,
        total: crawl.row.total,
        done: p.done,
        failed: p.failed,
        ratePerSec: meter.sample(p.done + p.failed),
        inFlight: limiter.inFlight,
        throttledUntil: limiter.pausedUntil,
        paused: ctx.pause.paused,
        breaker: ctx.breaker.current,
        outageSince: outage.since,
        ledgerError: guard.error,
      });
      if (state === 'complete') {
        complete = true;
        break;
      }
      gaveUp = outage.check();
      if (stop.signal.aborted || guard.fatal || gaveUp) break;
      await sleep(options.progressIntervalMs ?? 500, AbortSignal.any([stop.signal, wake.signal]));
      if (wake.signal.aborted) wake = new AbortController();
    }
  } finally {
    producerStop.abort();
    stop.abort();
    ctx.pause.set(false);
    await producerTask.catch(() => {});
    if (!(await settlesWithin(worker.close(), CLOSE_GRACE_MS))) await settlesWithin(worker.close(true), 1_000);
    await writer.flush();
    await settlesWithin(recorder.flush(), 1_000);
    await settlesWithin(removeHeartbeat(redis, scope, workerId), 1_000);
    await settlesWithin(queue.close(), 1_000);
    await http.close().catch(() => {});
    await limiter.close().catch((err) => config.log.warn(`could not log the last requests: ${toError(err).message}`));
    redis.disconnect();
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (guard.fatal) throw guard.fatal;
  if (gaveUp) throw gaveUp;
  if (exhausted) throw exhausted;
  const p = await store.ledger.progress(id);
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
