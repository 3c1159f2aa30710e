import { adaptiveSettings, CredentialsExhaustedError, fixedPerSecond, type Limits, type PoolCredential, toError } from '@sluice/core';
import type { CrawlScope, RedisClient } from '@sluice/queue';
import { type AdmissionParts, type Admitted, AdmittedRequest } from './admitted';
import { type CredentialControl, credentialControlOf } from './credentialControl';
import { type CredentialPool, createCredentialPool, type PoolAdmission } from './credentialPool';
import type { LimiterLog } from './limiterLog';
import { PauseState } from './pauseState';
import { watchPauses } from './pauseWatch';
import { keepMsFor, loggedWindow, RequestBudgetLog, type RequestLogSink } from './requestBudgetLog';
import { Semaphore } from './semaphore';
import { createSharedLimiter } from './sharedLimiter';
import { NO_START, type SharedStart } from './sharedStart';

const RESEED_EVERY_MS = 10_000;
/**
 * Admission-to-arrival jitter the windows absorb (see SharedLimiter `marginMs`). Measured on
 * loopback: the first requests of a process reach the API ~20 ms after admission (new sockets,
 * first-call JIT) while warm ones take ~2 ms; 25 ms covers that at 2.5% of a per-second budget
 * and nothing noticeable of longer windows.
 */
const WINDOW_MARGIN_MS = 25;
/** A credential start that waited this long for the crawl's limits is re-dated when it leaves. */
const CREDENTIAL_LATE_MS = 5;

/**
 * Admission of one crawl's requests in one worker process: everything the engine needs from
 * the limiter, and nothing else.
 */
export interface CrawlLimiter {
  /**
   * Waits until a request may start (a slot here, the crawl's shared limits, a pool credential,
   * no pause) and returns it. When `signal` aborts, resolves with an admission that recorded
   * nothing: the caller checks `signal.aborted` and releases it.
   * @throws CredentialsExhaustedError when every pool credential is retired.
   */
  acquire(signal?: AbortSignal): Promise<Admitted>;
  /**
   * Pauses every request of the crawl, in every process, until epoch ms `untilMs` (a throttle
   * signal); extends, never shortens. Holds in this process at once; shared through Redis
   * without waiting for it (a failed write is logged).
   */
  pause(untilMs: number): void;
  /** Epoch ms until which the crawl is paused, by this process's or another's throttle; 0 or past when not paused. */
  readonly pausedUntil: number;
  /** Resolves once no pause is in force, or when `signal` aborts. */
  waitWhilePaused(signal?: AbortSignal): Promise<void>;
  /** Requests in flight in this process. */
  readonly inFlight: number;
  /** Present with a credential pool. */
  readonly credentials: CredentialControl | undefined;
  /** Periodic upkeep (call about every 500 ms): log requests, re-seed lost windows. */
  tick(): Promise<void>;
  /** Stops pause watching and upkeep, and logs the requests not logged yet. */
  close(): Promise<void>;
}

export interface CrawlLimiterOptions {
  /** The crawl's limits (`limits.concurrency` is not read: see `concurrency`). */
  limits: Limits;
  /** Requests in flight in this process. */
  concurrency: number;
  /** ioredis client; the caller owns and closes it (a duplicate subscribes to pause announcements). */
  redis: RedisClient;
  /** The crawl's Redis namespace (windows, leases, pause key and channel). */
  scope: CrawlScope;
  /** The crawl's request log in the ledger (hourly and daily budgets write to it and re-seed from it). */
  requestLog: RequestLogSink;
  log: LimiterLog;
  /** Told about each request-log write, so a failing ledger holds requests. Default: failures are logged as warnings. */
  requestLogHealth?: { failed(err: unknown): void; succeeded(): void };
  /** The crawl's credential pool with each credential's own limits. Default none. */
  credentials?: readonly PoolCredential[];
  /** Called once every pool credential is retired (the worker then stops). Default none. */
  onExhausted?: (err: CredentialsExhaustedError) => void;
  /** Called each time the crawl's pause starts or is extended, by this process or adopted from another (event logs). Default none. */
  onPauseChange?: (untilMs: number) => void;
}

/**
 * Builds a worker's admission: a local semaphore (requests in flight here), then the shared
 * Redis limiter (exact sliding windows, global concurrency and crawl-wide pauses across all
 * processes).
 *
 * Pauses: one PauseState per crawl limiter holds "paused until" for this process. A throttle
 * here extends it and writes the Redis key at once; pauses of other processes are announced on
 * pub/sub and adopted within a round trip, or within 100 ms by polling while the subscriber is
 * away. Admission reads it (shared and local-only alike), and with any rate limit configured the
 * acquire script also checks the Redis key atomically, which makes a pause exact across processes.
 *
 * With a credential pool, each request first takes a start on a credential with room (its own
 * windows, see CredentialPool), then the crawl's limits on top; a start that then waited for
 * the crawl's limits is re-dated in the credential's windows to when it really leaves.
 *
 * Hourly and daily budgets (the crawl's or a credential's) also log each start in the ledger,
 * and `tick` re-seeds the Redis windows from that log when Redis has lost them, so a spent
 * budget is never handed out again.
 */
export function createCrawlLimiter(options: CrawlLimiterOptions): CrawlLimiter {
  const { limits, redis, scope, log } = options;
  const pause = new PauseState(options.onPauseChange);
  const adaptive = adaptiveSettings(limits);
  const shared = createSharedLimiter({
    redis,
    scope,
    pause,
    adaptive: adaptive ?? undefined,
    onAdaptiveChange: (next, previous) => {
      if (next.cuts > previous.cuts)
        log.info(
          `adaptive rate cut to ${next.rate.toFixed(1)}/s (was ${previous.rate.toFixed(1)}/s): ${next.cutReason ?? 'throttle'} signal`,
          { event: 'adaptive-cut' },
        );
    },
    limits: {
      perSecond: fixedPerSecond(limits),
      perMinute: limits.perMinute,
      perHour: limits.perHour,
      perDay: limits.perDay,
      concurrency: limits.globalConcurrency,
    },
    marginMs: WINDOW_MARGIN_MS,
  });
  const credentials = options.credentials ?? [];
  const pool: CredentialPool | null =
    credentials.length > 0
      ? createCredentialPool({
          redis,
          scope,
          credentials: credentials.map((c) => ({ name: c.name, limits: c.limits })),
          marginMs: WINDOW_MARGIN_MS,
        })
      : null;
  const parts: AdmissionParts = {
    local: new Semaphore(options.concurrency),
    shared,
    pool,
    rate: shared.adaptive,
    limited: adaptive !== null || fixedPerSecond(limits) + limits.perMinute + limits.perHour + limits.perDay > 0,
  };
  const logWindow = loggedWindow(limits);
  const credentialLogWindows = credentials.map((c) => ({ name: c.name, window: loggedWindow(c.limits) }));
  const requestLog = new RequestBudgetLog(
    options.requestLog,
    Math.max(keepMsFor(logWindow), ...credentialLogWindows.map((c) => keepMsFor(c.window))),
  );
  let logFailing = false;
  let lastReseed = 0;
  let ticking = false;
  // Pauses other processes set: announced on pub/sub, polled while the subscriber is away.
  const pauses = watchPauses({
    redis,
    scope,
    onPause: (untilMs) => pause.extend(untilMs),
    onSubscribeError: (err) => log.warn(`pause announcements unavailable (polling only): ${err.message}`),
  });

  async function reseedIfLost(): Promise<void> {
    lastReseed = Date.now();
    if (logWindow !== null && (await shared.windowLogMissing(logWindow))) {
      const times = await options.requestLog.requestTimesSince(Date.now() - keepMsFor(logWindow));
      if (times.length > 0) {
        await shared.seed(times);
        log.warn(`rebuilt the ${logWindow} request budget from ${times.length} logged requests (Redis had lost it)`);
      }
    }
    for (const { name, window } of credentialLogWindows) {
      if (!pool || window === null || !(await pool.windowLogMissing(name, window))) continue;
      const times = await options.requestLog.requestTimesSince(Date.now() - keepMsFor(window), name);
      if (times.length === 0) continue;
      await pool.seed(name, times);
      log.warn(`rebuilt the ${window} budget of credential ${name} from ${times.length} logged requests (Redis had lost it)`);
    }
  }

  /** A start on a pool credential, or null when `signal` aborted (then nothing was recorded). */
  async function credentialStart(pool: CredentialPool, signal: AbortSignal | undefined): Promise<PoolAdmission | null> {
    try {
      return await pool.acquire(signal);
    } catch (err) {
      if (err instanceof CredentialsExhaustedError) options.onExhausted?.(err);
      throw err;
    }
  }

  return {
    async acquire(signal) {
      // Without a wait, a pool or a limit, no promise beyond this function's own: this runs per request.
      const { local } = parts;
      if (!local.tryAcquire()) await local.acquire();
      let credential: PoolAdmission | null = null;
      if (pool) {
        try {
          credential = await credentialStart(pool, signal);
        } catch (err) {
          local.release();
          throw err;
        }
        if (!credential) return new AdmittedRequest(parts, NO_START, null, 0);
      }
      const sharedWaitStarted = credential ? performance.now() : 0;
      let start: SharedStart;
      try {
        start = shared.tryAcquire() ?? (await shared.acquire(signal));
      } catch (err) {
        credential?.release();
        local.release();
        throw err;
      }
      // The credential's start was recorded before the crawl's limits let it go: date it again.
      if (credential && performance.now() - sharedWaitStarted > CREDENTIAL_LATE_MS) void pool?.touch(credential, 0);
      if (!signal?.aborted) requestLog.add(Date.now(), credential?.credential);
      return new AdmittedRequest(parts, start, credential, parts.rate ? Date.now() : 0);
    },
    pause(untilMs) {
      shared.pauseUntil(untilMs).catch((err) => log.warn(`could not share a throttle pause: ${toError(err).message}`));
    },
    get pausedUntil() {
      return pause.untilMs;
    },
    waitWhilePaused: (signal) => pause.wait(signal),
    get inFlight() {
      return parts.local.inUse;
    },
    credentials: pool ? credentialControlOf(pool, log) : undefined,
    async tick() {
      // Never overlapping: during a Redis outage one tick may wait for the reconnect.
      if (ticking) return;
      ticking = true;
      try {
        await requestLog.flush();
        // Lifts a hold this log's own failure made (no result may be pending to prove it).
        if (logFailing) options.requestLogHealth?.succeeded();
        logFailing = false;
      } catch (err) {
        // Kept for the next tick (see RequestBudgetLog.flush); the ledger guard holds requests meanwhile.
        logFailing = true;
        if (options.requestLogHealth) options.requestLogHealth.failed(err);
        else log.warn(`could not log requests: ${toError(err).message}`);
      }
      try {
        if (Date.now() - lastReseed >= RESEED_EVERY_MS) await reseedIfLost();
      } catch (err) {
        log.warn(`limiter upkeep: ${toError(err).message}`);
      } finally {
        ticking = false;
      }
    },
    async close() {
      pauses.stop();
      try {
        await requestLog.flush();
      } catch {
        // The ledger refuses writes (the guard already said so): these starts stay in the Redis windows only.
      } finally {
        shared.close();
        pool?.close();
      }
    },
  };
}
