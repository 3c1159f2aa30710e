import { setMaxListeners } from 'node:events';
import { type BatchPayload, type CredentialsExhaustedError, effectiveConcurrency, poolCredentials, toError } from '@sluice/core';
import { createHttpClient, type HttpClient, warmUpHttp } from '@sluice/http';
import { type CrawlLimiter, createCrawlLimiter } from '@sluice/limiter';
import {
  type AttemptRecorder,
  assertRedis,
  type BatchQueue,
  type CrawlScope,
  createAttemptRecorder,
  createBatchWorker,
  createProducerLease,
  openBatchQueue,
  type RedisClient,
} from '@sluice/queue';
import { createGroupCommitWriter, type GroupCommitWriter, type Store } from '@sluice/store';
import { settlesWithin } from './abortable';
import type { Engine, Logger } from './engine';
import type { Heartbeat } from './heartbeat';
import { KeyAbortedError } from './keyAborted';
import { buildKeyFetchContext, jobConcurrency, type KeyFetchContext } from './keyFetchContext';
import { DEFAULT_LEDGER_RETRY_MS, LedgerGuard } from './ledgerGuard';
import { ledgerRequestLog } from './ledgerRequestLog';
import type { LoadedCrawl } from './loadCrawl';
import { MonitorWake } from './monitorWake';
import type { OutageWatch } from './outageWatch';
import { processBatch } from './processBatch';
import { runProducerLoop } from './producerLoop';
import { warnIfEvicting } from './redisChecks';
import { openClaimedRedis, scopeOf } from './redisScope';
import { WorkEvents } from './workEvents';
import { watchHealth } from './workHealth';
import type { WorkOptions } from './workOptions';

/** How long a graceful shutdown waits for BullMQ before forcing its worker closed. */
const CLOSE_GRACE_MS = 5_000;

/** What one `work` session runs on, from its Redis connection to its BullMQ worker. */
export interface WorkSession {
  readonly crawl: LoadedCrawl;
  readonly store: Store;
  readonly log: Logger;
  /** Aborts when the session stops: the caller's signal, every credential retired, or `close`. */
  readonly signal: AbortSignal;
  readonly redis: RedisClient;
  readonly scope: CrawlScope;
  readonly queue: BatchQueue;
  readonly http: HttpClient;
  readonly limiter: CrawlLimiter;
  readonly ctx: KeyFetchContext;
  readonly guard: LedgerGuard;
  readonly recorder: AttemptRecorder;
  readonly writer: GroupCommitWriter;
  readonly worker: ReturnType<typeof createBatchWorker>;
  /** The producer loop; resolved at once when this process does not produce. */
  readonly producer: Promise<void>;
  readonly heartbeat: Heartbeat;
  readonly outage: OutageWatch;
  readonly events: WorkEvents;
  readonly wake: MonitorWake;
  /** Epoch ms the worker started. */
  readonly startedAt: number;
  /** Set once every pool credential was retired (the session then stops). */
  readonly exhausted: CredentialsExhaustedError | null;
  /**
   * Stops in order: the producer and every request in flight (their batches go back to the
   * queue), the BullMQ worker (forced after CLOSE_GRACE_MS), the writer's last entries, counters,
   * heartbeat and queue, then HTTP, the limiter's last request log and Redis. Returns within a
   * few seconds even when Redis is unreachable.
   */
  close(): Promise<void>;
}

/** What a session opens before any work starts. */
interface Connections {
  readonly stop: AbortController;
  readonly log: Logger;
  readonly concurrency: number;
  readonly redis: RedisClient;
  readonly scope: CrawlScope;
  readonly events: WorkEvents;
  readonly http: HttpClient;
  readonly limiter: CrawlLimiter;
  readonly guard: LedgerGuard;
  readonly recorder: AttemptRecorder;
  readonly exhausted: () => CredentialsExhaustedError | null;
}

/** Connections ready to work: the key-fetch context built and everything checked. */
interface Prepared extends Connections {
  readonly ctx: KeyFetchContext;
  /** Whether the endpoint answered any key before this session. */
  readonly answeredBefore: boolean;
}

/**
 * Opens a work session on a crawl: connects, builds admission and the key-fetch context, then
 * starts the BullMQ worker, the producer (unless `options.produce` is false) and the heartbeat.
 * When a step fails, what was opened is closed again before the error is thrown: every step
 * that waits on I/O comes before the worker starts.
 */
export async function openWorkSession(engine: Engine, crawl: LoadedCrawl, options: WorkOptions): Promise<WorkSession> {
  const c = await connect(engine, crawl, options);
  try {
    const ctx = buildKeyFetchContext(crawl, {
      http: c.http,
      limiter: c.limiter,
      recorder: c.recorder,
      env: engine.config.env,
      signal: c.stop.signal,
      ledgerHold: c.guard.hold,
      customValidate: options.validate,
    });
    await c.limiter.tick();
    await warmUpHttp();
    const answeredBefore = (await engine.store.ledger.progress(crawl.row.id)).done > 0;
    return startWork(engine, crawl, { ...c, ctx, answeredBefore }, options);
  } catch (err) {
    await c.limiter.close().catch(() => {});
    await c.http.close().catch(() => {});
    c.redis.disconnect();
    throw err;
  }
}

/**
 * Claims the crawl's Redis namespace and sets up HTTP, the ledger guard and admission; nothing
 * here waits once Redis is claimed.
 */
async function connect(engine: Engine, crawl: LoadedCrawl, options: WorkOptions): Promise<Connections> {
  const { store, config } = engine;
  const id = crawl.row.id;
  const concurrency = options.concurrency ?? effectiveConcurrency(crawl.spec.limits);
  const stop = new AbortController();
  // Every request in flight listens on this signal.
  setMaxListeners(0, stop.signal);
  await assertRedis(config.redisUrl);
  const scope = scopeOf(engine, crawl);
  const redis = await openClaimedRedis(engine, crawl, `sluice-work-${id}`);
  const events = new WorkEvents(config.log);
  events.watchRedis(redis, config.redisUrl.replace(/\/\/[^@/]*@/g, '//'));
  await warnIfEvicting(redis, config.log).catch((err: unknown) => {
    redis.disconnect();
    throw err;
  });
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
  const recorder = createAttemptRecorder(redis, scope);
  return { stop, log: config.log, concurrency, redis, scope, events, http, limiter, guard, recorder, exhausted: () => exhausted };
}

/** Starts the writer, the BullMQ worker, the producer and the heartbeat; waits on nothing. */
function startWork(engine: Engine, crawl: LoadedCrawl, c: Prepared, options: WorkOptions): WorkSession {
  const { store, config } = engine;
  const { redis, scope, recorder, guard, ctx } = c;
  const queue = openBatchQueue(redis, scope);
  const wake = new MonitorWake();
  const writer = ledgerWriter(store, crawl, recorder, wake);
  const startedAt = Date.now();
  const worker = createBatchWorker({
    connection: redis,
    scope,
    concurrency: jobConcurrency(crawl, c.concurrency, store.flushIntervalMs),
    process: batchRunner(store, writer, guard, ctx, config.log),
  });
  const producerStop = new AbortController();
  const producer =
    options.produce === false
      ? Promise.resolve()
      : runProducerLoop({ store, queue, crawl, lease: createProducerLease(redis, scope), signal: producerStop.signal, log: config.log });
  const { outage, heartbeat } = watchHealth(crawl, c, writer, wake, startedAt, options);
  const onAbort = () => c.stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) c.stop.abort();
  const session: WorkSession = {
    crawl,
    store,
    log: config.log,
    signal: c.stop.signal,
    redis,
    scope,
    queue,
    http: c.http,
    limiter: c.limiter,
    ctx,
    guard,
    recorder,
    writer,
    worker,
    producer,
    heartbeat,
    outage,
    events: c.events,
    wake,
    startedAt,
    get exhausted() {
      return c.exhausted();
    },
    close: async () => {
      producerStop.abort();
      c.stop.abort();
      await closeSession(session);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
  return session;
}

/** The group-commit writer of the session: counts finished keys and wakes the monitor when the last one commits. */
function ledgerWriter(store: Store, crawl: LoadedCrawl, recorder: AttemptRecorder, wake: MonitorWake): GroupCommitWriter {
  return createGroupCommitWriter({
    write: store.writeEntries,
    minIntervalMs: store.flushIntervalMs,
    onCommit: (entries, committed) => {
      recorder.finished(entries.length);
      // The write reports the counters it left, so noticing completion costs no query.
      const p = committed.get(crawl.row.id);
      if (p && p.done + p.failed >= crawl.row.total) wake.wake();
    },
  });
}

/**
 * Runs batches for the BullMQ worker. A batch that fails returns to the queue and says why,
 * once for a run of the same message (a shutdown or a ledger fault says so elsewhere).
 */
function batchRunner(store: Store, writer: GroupCommitWriter, guard: LedgerGuard, ctx: KeyFetchContext, log: Logger) {
  let lastTrouble = '';
  return async (payload: BatchPayload): Promise<void> => {
    try {
      await processBatch(payload, store, writer, guard, ctx);
    } catch (err) {
      const message = toError(err).message;
      if (!(err instanceof KeyAbortedError) && guard.fatal === null && message !== lastTrouble) {
        lastTrouble = message;
        log.warn(`a batch failed and returns to the queue: ${message}`, { event: 'batch-failed' });
      }
      throw err;
    }
  };
}

/** The ordered shutdown of WorkSession.close, once the producer and requests were told to stop. */
async function closeSession(s: WorkSession): Promise<void> {
  s.ctx.pause.set(false);
  await s.producer.catch(() => {});
  if (!(await settlesWithin(s.worker.close(), CLOSE_GRACE_MS))) await settlesWithin(s.worker.close(true), 1_000);
  await s.writer.flush();
  await settlesWithin(s.recorder.flush(), 1_000);
  await settlesWithin(s.heartbeat.remove(), 1_000);
  await settlesWithin(s.queue.close(), 1_000);
  await s.http.close().catch(() => {});
  await s.limiter.close().catch((err) => s.log.warn(`could not log the last requests: ${toError(err).message}`));
  s.redis.disconnect();
}
