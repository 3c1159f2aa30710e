import { adaptiveSettings, CredentialsExhaustedError, fixedPerSecond, type Limits, type PoolCredential, toError } from '@sluice/core';
import { type CredentialPool, createCredentialPool, createSharedLimiter, type PoolAdmission, watchPauses } from '@sluice/limiter';
import type { CrawlScope, RedisClient } from '@sluice/queue';
import type { Store } from '@sluice/store';
import type { Logger } from './engine';
import type { LedgerGuard } from './ledgerGuard';
import { keepMsFor, loggedWindow, RequestBudgetLog } from './requestBudgetLog';
import { Semaphore } from './semaphore';
import type { ThrottleGate } from './throttleGate';

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
 * The end of an admitted request; `arrivedLate` re-dates its start (see SharedLimiter.touch);
 * `credential` names the pool credential it goes out with; `adaptive` (with
 * `perSecond: "auto"`) is told how the answer went.
 */
export type Release = (() => void) & { arrivedLate?: (backdateMs: number) => void; credential?: string; adaptive?: AnswerReport };

/** How an answer feeds the adaptive rate (`limits.perSecond: "auto"`). */
export interface AnswerReport {
  /** The API answered without a throttle signal, after `answerMs`. */
  clean(answerMs: number): void;
  /**
   * The API answered with a throttle signal. `slowing`: the shared rate is cut for it, so a
   * throttle without `Retry-After` needs no pause; `at-floor`: the rate cannot go lower, pause
   * as without an adaptive rate.
   */
  throttled(): 'slowing' | 'at-floor';
}

/** What a request's answer may do to the pool credential it went out with. */
export interface CredentialControl {
  /** Pauses one credential (a throttle answer) for every process until epoch ms `untilMs`. */
  pause(name: string, untilMs: number): void;
  /** Retires one credential for the crawl (the API called it invalid), logging it once. */
  retire(name: string, status: number): void;
}

/** Admission for one request. */
export interface Limiter {
  /**
   * Waits until a request may start; returns the function that ends it.
   * @throws CredentialsExhaustedError when every pool credential is retired.
   */
  acquire(signal?: AbortSignal): Promise<Release>;
  /** Requests in flight in this process. */
  readonly inFlight: number;
  /** Present with a credential pool. */
  readonly credentials?: CredentialControl;
}

/** Admission of requests: this process's concurrency plus the crawl's shared limits. */
export interface Admission extends Limiter {
  /** Periodic upkeep (call about every 500 ms): adopt pauses from other processes, log requests, re-seed lost windows. */
  tick(): Promise<void>;
  /** Stops upkeep and logs the requests not logged yet. */
  close(): Promise<void>;
}

export interface AdmissionOptions {
  crawlId: number;
  limits: Limits;
  /** Requests in flight in this process. */
  concurrency: number;
  redis: RedisClient;
  /** The crawl's Redis namespace (limiter windows, leases, pause key and channel). */
  scope: CrawlScope;
  store: Store;
  throttle: ThrottleGate;
  log: Logger;
  /** Told about each request-log write (hourly and daily budgets), so a failing ledger holds requests. Default none. */
  ledger?: Pick<LedgerGuard, 'failed' | 'succeeded'>;
  /** The crawl's credential pool with each credential's own limits. Default none. */
  credentials?: readonly PoolCredential[];
  /** Called once every pool credential is retired (the worker then stops). Default none. */
  onExhausted?: (err: CredentialsExhaustedError) => void;
}

/**
 * Builds the admission for a worker: a local semaphore (requests in flight here), then the
 * shared Redis limiter (exact sliding windows, global concurrency and crawl-wide pauses across
 * all processes). Throttle pauses of this process are shared through Redis at once; pauses of
 * other processes are announced on pub/sub and adopted within a round trip, or within 100 ms
 * by polling while the subscriber is away (and checked atomically on every admission when any
 * rate limit is configured, which makes a pause exact across processes).
 *
 * With a credential pool, each request first takes a start on a credential with room (its own
 * windows, see CredentialPool), then the crawl's limits on top; a start that then waited for
 * the crawl's limits is re-dated in the credential's windows to when it really leaves.
 *
 * Hourly and daily budgets (the crawl's or a credential's) also log each start in SQLite, and
 * `tick` re-seeds the Redis windows from that log when Redis has lost them, so a spent budget is
 * never handed out again.
 */
export function createAdmission(options: AdmissionOptions): Admission {
  const { limits, redis, scope, crawlId, store, throttle, log } = options;
  const local = new Semaphore(options.concurrency);
  const adaptive = adaptiveSettings(limits);
  const shared = createSharedLimiter({
    redis,
    scope,
    adaptive: adaptive ?? undefined,
    onAdaptiveChange: (next, previous) => {
      if (next.cuts > previous.cuts)
        log.info(
          `adaptive rate cut to ${next.rate.toFixed(1)}/s (was ${previous.rate.toFixed(1)}/s): ${next.cutReason ?? 'throttle'} signal`,
          {
            event: 'adaptive-cut',
          },
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
  const credentialControl: CredentialControl | undefined = pool
    ? {
        pause(name, untilMs) {
          pool.pause(name, untilMs).catch((err) => log.warn(`could not share the pause of credential ${name}: ${toError(err).message}`));
        },
        retire(name, status) {
          pool
            .retire(name, 'invalid')
            .then((first) => {
              if (first)
                log.error(
                  `credential ${name} retired: the API answered that it is invalid or revoked (HTTP ${status}); its keys go on with the others`,
                );
            })
            .catch((err) => log.warn(`could not record the retirement of credential ${name}: ${toError(err).message}`));
        },
      }
    : undefined;
  throttle.onPause = (untilMs) => {
    shared.pauseUntil(untilMs).catch((err) => log.warn(`could not share a throttle pause: ${toError(err).message}`));
  };
  const limited = adaptive !== null || fixedPerSecond(limits) + limits.perMinute + limits.perHour + limits.perDay > 0;
  const logWindow = loggedWindow(limits);
  const credentialLogWindows = credentials.map((c) => ({ name: c.name, window: loggedWindow(c.limits) }));
  const requestLog = new RequestBudgetLog(
    store,
    crawlId,
    Math.max(keepMsFor(logWindow), ...credentialLogWindows.map((c) => keepMsFor(c.window))),
  );
  let logFailing = false;
  let lastReseed = 0;
  let ticking = false;
  // Pauses other processes set: announced on pub/sub, polled while the subscriber is away.
  const pauses = watchPauses({
    redis,
    scope,
    onPause: (untilMs) => throttle.adopt(untilMs),
    onSubscribeError: (err) => log.warn(`pause announcements unavailable (polling only): ${err.message}`),
  });

  async function reseedIfLost(): Promise<void> {
    lastReseed = Date.now();
    if (logWindow !== null && (await shared.windowLogMissing(logWindow))) {
      const times = await store.ledger.requestTimesSince(crawlId, Date.now() - keepMsFor(logWindow));
      if (times.length > 0) {
        await shared.seed(times);
        log.warn(`rebuilt the ${logWindow} request budget from ${times.length} logged requests (Redis had lost it)`);
      }
    }
    for (const { name, window } of credentialLogWindows) {
      if (!pool || window === null || !(await pool.windowLogMissing(name, window))) continue;
      const times = await store.ledger.requestTimesSince(crawlId, Date.now() - keepMsFor(window), name);
      if (times.length === 0) continue;
      await pool.seed(name, times);
      log.warn(`rebuilt the ${window} budget of credential ${name} from ${times.length} logged requests (Redis had lost it)`);
    }
  }

  /** A start on a pool credential, or null when `signal` aborted (then nothing was recorded). */
  async function credentialStart(signal: AbortSignal | undefined): Promise<PoolAdmission | null> {
    if (!pool) return null;
    try {
      return await pool.acquire(signal);
    } catch (err) {
      if (err instanceof CredentialsExhaustedError) options.onExhausted?.(err);
      throw err;
    }
  }

  return {
    async acquire(signal) {
      // Without a wait or a pool, no promise beyond this function's own: this runs per request.
      const releaseLocal = local.tryAcquire() ?? (await local.acquire());
      let credential: PoolAdmission | null = null;
      if (pool) {
        try {
          credential = await credentialStart(signal);
        } catch (err) {
          releaseLocal();
          throw err;
        }
        if (!credential) return releaseLocal;
      }
      const sharedWaitStarted = performance.now();
      let releaseShared: () => void;
      try {
        releaseShared = await shared.acquire(signal);
      } catch (err) {
        credential?.release();
        releaseLocal();
        throw err;
      }
      // The credential's start was recorded before the crawl's limits let it go: date it again.
      if (credential && performance.now() - sharedWaitStarted > CREDENTIAL_LATE_MS) void pool?.touch(credential, 0);
      if (!signal?.aborted) requestLog.add(Date.now(), credential?.credential);
      const release: Release = () => {
        releaseShared();
        credential?.release();
        releaseLocal();
      };
      if (credential) release.credential = credential.credential;
      const rate = shared.adaptive;
      if (rate) {
        const startedAtMs = Date.now();
        release.adaptive = {
          clean: (answerMs) => rate.answered(startedAtMs, 'clean', answerMs),
          throttled: () => {
            rate.answered(startedAtMs, 'throttled', 0);
            return rate.atFloor ? 'at-floor' : 'slowing';
          },
        };
      }
      if (limited || credential) {
        release.arrivedLate = (backdateMs) => {
          if (limited) void shared.touch(releaseShared, backdateMs);
          if (credential) void pool?.touch(credential, backdateMs);
        };
      }
      return release;
    },
    get inFlight() {
      return local.inUse;
    },
    credentials: credentialControl,
    async tick() {
      // Never overlapping: during a Redis outage one tick may wait for the reconnect.
      if (ticking) return;
      ticking = true;
      try {
        await requestLog.flush();
        // Lifts a hold this log's own failure made (no result may be pending to prove it).
        if (logFailing) options.ledger?.succeeded();
        logFailing = false;
      } catch (err) {
        // Kept for the next tick (see RequestBudgetLog.flush); the ledger guard holds requests meanwhile.
        logFailing = true;
        if (options.ledger) options.ledger.failed(err);
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
