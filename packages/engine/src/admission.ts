import { type Limits, toError } from '@sluice/core';
import { createSharedLimiter, limiterPauseKey, limiterWindowKey } from '@sluice/queue';
import type { Store } from '@sluice/store';
import type { Redis } from 'ioredis';
import type { Logger } from './engine';
import type { LedgerGuard } from './ledgerGuard';
import { Semaphore } from './semaphore';
import type { ThrottleGate } from './throttleGate';

const DAY_MS = 86_400_000;
const RESEED_EVERY_MS = 10_000;
const PAUSE_POLL_MS = 100;
/**
 * Admission-to-arrival jitter the windows absorb (see SharedLimiter `marginMs`). Measured on
 * loopback: the first requests of a process reach the API ~20 ms after admission (new sockets,
 * first-call JIT) while warm ones take ~2 ms; 25 ms covers that at 2.5% of a per-second budget
 * and nothing noticeable of longer windows.
 */
const WINDOW_MARGIN_MS = 25;

/** The end of an admitted request; `arrivedLate` re-dates its start (see SharedLimiter.touch). */
export type Release = (() => void) & { arrivedLate?: (backdateMs: number) => void };

/** Admission for one request. */
export interface Limiter {
  /** Waits until a request may start; returns the function that ends it. */
  acquire(signal?: AbortSignal): Promise<Release>;
  /** Requests in flight in this process. */
  readonly inFlight: number;
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
  redis: Redis;
  prefix: string;
  store: Store;
  throttle: ThrottleGate;
  log: Logger;
  /** Told about each request-log write (hourly and daily budgets), so a failing ledger holds requests. Default none. */
  ledger?: Pick<LedgerGuard, 'failed' | 'succeeded'>;
}

/**
 * Builds the admission for a worker: a local semaphore (requests in flight here), then the
 * shared Redis limiter (exact sliding windows, global concurrency and crawl-wide pauses across
 * all processes). Throttle pauses of this process are shared through Redis at once; pauses of
 * other processes are announced on pub/sub and adopted within a round trip, or within 100 ms
 * by polling while the subscriber is away (and checked atomically on every admission when any
 * rate limit is configured, which makes a pause exact across processes).
 *
 * Hourly and daily budgets also log each start in SQLite, and `tick` re-seeds the Redis windows
 * from that log when Redis has lost them, so a spent budget is never handed out again.
 */
export function createAdmission(options: AdmissionOptions): Admission {
  const { limits, redis, prefix, crawlId, store, throttle, log } = options;
  const local = new Semaphore(options.concurrency);
  const shared = createSharedLimiter({
    redis,
    prefix,
    crawlId,
    limits: {
      perSecond: limits.perSecond,
      perMinute: limits.perMinute,
      perHour: limits.perHour,
      perDay: limits.perDay,
      concurrency: limits.globalConcurrency,
    },
    marginMs: WINDOW_MARGIN_MS,
  });
  throttle.onPause = (untilMs) => {
    shared.pauseUntil(untilMs).catch((err) => log.warn(`could not share a throttle pause: ${toError(err).message}`));
  };
  const limited = limits.perSecond + limits.perMinute + limits.perHour + limits.perDay > 0;
  const logWindow = limits.perDay > 0 ? 'perDay' : limits.perHour > 0 ? 'perHour' : null;
  const logKeepMs = limits.perDay > 0 ? DAY_MS : DAY_MS / 24;
  let pendingLog: number[] = [];
  let logFailing = false;
  let lastReseed = 0;
  let ticking = false;
  // Pauses signalled by other processes are adopted within this interval. With any rate limit
  // configured, every admission also checks the pause atomically in Redis.
  let polling = false;
  const adoptPauses = async () => {
    if (polling) return;
    polling = true;
    try {
      const pausedUntil = Number(await redis.get(limiterPauseKey(prefix, crawlId)));
      if (pausedUntil > Date.now()) throttle.adopt(pausedUntil);
    } catch {
      // Redis away: the next poll tries again; nothing to adopt meanwhile.
    } finally {
      polling = false;
    }
  };
  const poller = setInterval(() => void adoptPauses(), PAUSE_POLL_MS);
  poller.unref();
  // Pauses are also announced on a channel: adopted within a round trip, where the poll alone
  // lets a process without rate limits send for up to PAUSE_POLL_MS after another got a 429.
  // The poll stays for announcements missed while the subscriber reconnects.
  const pauseKey = limiterPauseKey(prefix, crawlId);
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  subscriber.on('message', (channel: string, message: string) => {
    const untilMs = Number(message);
    if (channel === pauseKey && untilMs > Date.now()) throttle.adopt(untilMs);
  });
  subscriber.subscribe(pauseKey).catch((err) => log.warn(`pause announcements unavailable (polling only): ${toError(err).message}`));

  async function reseedIfLost(): Promise<void> {
    if (logWindow === null) return;
    lastReseed = Date.now();
    if ((await redis.exists(limiterWindowKey(prefix, crawlId, logWindow))) === 1) return;
    const times = await store.ledger.requestTimesSince(crawlId, Date.now() - logKeepMs);
    if (times.length === 0) return;
    await shared.seed(times);
    log.warn(`rebuilt the ${logWindow} request budget from ${times.length} logged requests (Redis had lost it)`);
  }

  return {
    async acquire(signal) {
      const releaseLocal = await local.acquire();
      const releaseShared = await shared.acquire(signal);
      if (logWindow !== null && !signal?.aborted) pendingLog.push(Date.now());
      const release: Release = () => {
        releaseShared();
        releaseLocal();
      };
      if (limited) release.arrivedLate = (backdateMs) => void shared.touch(releaseShared, backdateMs);
      return release;
    },
    get inFlight() {
      return local.inUse;
    },
    async tick() {
      // Never overlapping: during a Redis outage one tick may wait for the reconnect.
      if (ticking) return;
      ticking = true;
      if (pendingLog.length > 0) {
        const times = pendingLog;
        pendingLog = [];
        try {
          await store.logRequests(crawlId, times, logKeepMs);
          // Lifts a hold this log's own failure made (no result may be pending to prove it).
          if (logFailing) options.ledger?.succeeded();
          logFailing = false;
        } catch (err) {
          // Kept for the next tick; the ledger guard holds requests meanwhile.
          pendingLog = [...times, ...pendingLog];
          logFailing = true;
          if (options.ledger) options.ledger.failed(err);
          else log.warn(`could not log requests: ${toError(err).message}`);
        }
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
      clearInterval(poller);
      subscriber.disconnect();
      const times = pendingLog;
      pendingLog = [];
      try {
        if (times.length > 0) await store.logRequests(crawlId, times, logKeepMs);
      } catch {
        // The ledger refuses writes (the guard already said so): these starts stay in the Redis windows only.
      } finally {
        shared.close();
      }
    },
  };
}
