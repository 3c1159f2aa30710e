import { randomBytes } from 'node:crypto';
import type { AdaptiveSettings } from '@sluice/core';
import type { CrawlScope, RedisClient } from '@sluice/queue';
import { type AdaptiveRate, createAdaptiveRate } from './adaptiveRate';
import { createAdmissionQueue } from './admissionQueue';
import type { AdaptiveState } from './aimd';
import { createLeaseKeeper } from './leaseKeeper';
import { type LimiterWindowName, limiterAdaptiveKey, limiterLeasesKey, limiterPauseKey, limiterWindowKey } from './limiterKeys';
import { runScript, toError } from './luaScript';
import { PauseState } from './pauseState';
import { parseAcquireReply, parsePeekReply } from './replies';
import { seedWindows } from './seedWindows';
import { NO_START, SharedStart } from './sharedStart';
import { sleep } from './sleep';
import { ACQUIRE, CONFIRM, PAUSE, TOUCH } from './windowScripts';
import {
  assertLimits,
  configuredWindows,
  isUnlimited,
  type LimiterLimits,
  MAX_CONFIRM_LATE_MS,
  RESERVE_AHEAD_MS,
  refusalSleepMs,
} from './windows';

/**
 * The limiter shared by every worker process of a crawl, on every host: exact sliding windows
 * (per second, minute, hour, day) and a global concurrency cap, kept in Redis and checked by
 * one atomic script per admission against Redis's clock. See `limiterScript.ts`.
 *
 * Costs: Redis holds one log entry per start still inside a window, so memory is bounded by
 * the sum of the configured limits (~60 bytes an entry). Each process sends one script call
 * per admission and per wait; while the global concurrency cap is full, each waiting process
 * polls every 2–10 ms (a pub/sub wake-up would be the next step if that ever matters).
 * All processes of a crawl must use the same limits: each checks its own.
 */

export interface SharedLimiterOptions {
  /** ioredis client; the caller owns and closes it. Use `maxRetriesPerRequest: null` (as `createRedis` does) so calls wait out a reconnect. */
  redis: RedisClient;
  /** The crawl whose limiter this is: its keys live in the crawl's namespace. */
  scope: CrawlScope;
  /**
   * The crawl's limits, each an integer ≥ 0 and `0` meaning unlimited. `concurrency` here is
   * GLOBAL: requests in flight across all processes (`0`: no global cap). With every limit 0,
   * the limiter never touches Redis.
   */
  limits: LimiterLimits;
  /** Names this process in lease members (visible in Redis). Default: 8 random hex digits. */
  holderId?: string;
  /**
   * A concurrency lease not renewed for this long frees its slot (a dead process). Holders
   * renew every third of it while alive. Default 60000.
   */
  leaseMs?: number;
  /**
   * Extra length added to every window. Starts are recorded at admission, in Redis time, but
   * the API sees them a little later, by a delay that varies (event-loop lag, a slow socket):
   * enforcing each window over its length plus this margin keeps any window *at the API* within
   * its limit as long as that variation stays under the margin. Costs `margin / length` of the
   * budget (1% of a per-second limit for 10 ms). Default 0.
   */
  marginMs?: number;
  /**
   * Called with the Redis time (epoch ms, sub-millisecond) of every start this process sends, as
   * recorded in the windows, when it is handed to the caller. Default none.
   */
  onAdmit?: (redisTimeMs: number) => void;
  /** Receives Redis errors the limiter rides out (retried acquires, lost renewals and releases). Default: ignored. */
  onError?: (err: Error) => void;
  /**
   * An adaptive per-second limit (`limits.perSecond: "auto"`; `limits.perSecond` must then be
   * 0): the per-second window allows the rate an AIMD controller shared by every process keeps
   * in Redis (see `adaptiveRate.ts` and `aimd.ts`). Default none.
   */
  adaptive?: AdaptiveSettings;
  /** Called when this process changed the adaptive rate, with the state after and before. Default none. */
  onAdaptiveChange?: (next: AdaptiveState, previous: AdaptiveState) => void;
  /**
   * This process's record of the crawl's pause, which admission honours by this process's clock
   * and `pauseUntil` extends (the crawl limiter shares it with the pause watch and the engine).
   * Default: a record of this limiter's own.
   */
  pause?: PauseState;
}

export interface SharedLimiter {
  /**
   * Waits until one request may start under every window, the global concurrency cap and no
   * pause; resolves with its start (call `release` once, when the request ends). When `signal`
   * aborts, resolves at once with NO_START and records nothing: the caller checks
   * `signal.aborted` before requesting. Redis outages are waited out, never thrown; rejects
   * only when closed or on a non-transient Redis error (InfrastructureError).
   */
  acquire(signal?: AbortSignal): Promise<SharedStart>;
  /**
   * A start without waiting and without a promise, when one needs nothing from Redis (every
   * limit 0 and no pause): NO_START. Null otherwise: then call `acquire`.
   */
  tryAcquire(): SharedStart | null;
  /**
   * Pauses the whole crawl (all processes) until epoch ms `untilMs`; extends, never shortens.
   * Other processes compare it with Redis's clock; this process also honours it at once by its
   * own clock (the `pause` record), even while Redis is away (the write then waits for the
   * reconnect). With every limit 0 the write is not awaited, and other processes learn of it
   * from the key's announcement or poll (see `pauseWatch.ts`).
   */
  pauseUntil(untilMs: number): Promise<void>;
  /** Epoch ms until which the crawl is paused or waiting for budget, whichever is later; 0 if neither. Not retried: rejects if Redis does. */
  blockedUntil(): Promise<number>;
  /** Starts in the current window of each configured length, and leases in flight under a global cap. */
  usage(): Promise<{ perSecond?: number; perMinute?: number; perHour?: number; perDay?: number; inFlight?: number }>;
  /**
   * Seeds the windows with past starts (epoch ms), e.g. from the ledger after Redis lost its
   * data, so a daily budget is not reset to full. Adds each start only to the windows it is
   * still inside; seeding the same times again adds nothing.
   */
  seed(requestTimesMs: number[]): Promise<void>;
  /**
   * True when Redis holds no log of `window` (it lost the data, or no start is inside the
   * window): the caller then seeds it from its own record of past starts. Always false with
   * every limit 0. Not retried: rejects if Redis does.
   */
  windowLogMissing(window: LimiterWindowName): Promise<boolean>;
  /**
   * Re-dates a start to now minus `backdateMs` (Redis time) in every window, never earlier than
   * it was: call it when the request reached the API noticeably later than it was admitted.
   * Never throws. `start` is what `acquire` gave.
   */
  touch(start: SharedStart, backdateMs?: number): Promise<void>;
  /** The adaptive per-second rate, or null without `adaptive`: tell it how each answer went. */
  readonly adaptive: AdaptiveRate | null;
  /** Stops renewals and rejects pending acquires; does not close `redis`. Leases still held expire after leaseMs. */
  close(): void;
}

export { MAX_CONFIRM_LATE_MS, RESERVE_AHEAD_MS } from './windows';

export function createSharedLimiter(options: SharedLimiterOptions): SharedLimiter {
  assertLimits(options.limits);
  const limits = { ...options.limits };
  const { redis, scope } = options;
  const leaseMs = options.leaseMs ?? 60_000;
  if (!Number.isFinite(leaseMs) || leaseMs < 3) throw new RangeError('shared limiter: leaseMs must be ≥ 3');
  const onError = options.onError ?? (() => {});
  const adaptiveSettings = options.adaptive ?? null;
  if (adaptiveSettings && limits.perSecond !== 0) throw new RangeError('shared limiter: an adaptive rate needs limits.perSecond 0');
  const pause = options.pause ?? new PauseState();
  if (isUnlimited(limits) && !adaptiveSettings) return createLocalOnly(redis, limiterPauseKey(scope), pause, onError);

  // Each window is enforced over its length plus the margin (see `marginMs`). An adaptive
  // per-second window passes its start rate negated: the script reads the rate from the hash.
  const windows = configuredWindows(adaptiveSettings ? { ...limits, perSecond: adaptiveSettings.startPerSecond } : limits).map((w) => ({
    ...w,
    lengthMs: w.lengthMs + (options.marginMs ?? 0),
    max: adaptiveSettings && w.name === 'perSecond' ? -w.max : w.max,
  }));
  const pauseKey = limiterPauseKey(scope);
  const leasesKey = limiterLeasesKey(scope);
  const windowKeys = windows.map((w) => limiterWindowKey(scope, w.name));
  const keys = [pauseKey, leasesKey, ...windowKeys];
  const adaptiveKey = limiterAdaptiveKey(scope);
  const acquireKeys = adaptiveSettings ? [...keys, adaptiveKey] : keys;
  const windowArgs = windows.flatMap((w) => [w.lengthMs, w.max]);
  const adaptive = adaptiveSettings
    ? createAdaptiveRate({
        redis,
        key: adaptiveKey,
        windowKey: limiterWindowKey(scope, 'perSecond'),
        settings: adaptiveSettings,
        onChange: options.onAdaptiveChange,
        onError,
      })
    : null;
  const holder = `${options.holderId ?? randomBytes(4).toString('hex')}:${randomBytes(3).toString('hex')}`;
  let sequence = 0;
  const leases = limits.concurrency > 0 ? createLeaseKeeper({ redis, key: leasesKey, leaseMs, onError }) : null;

  const queue = createAdmissionQueue<SharedStart>({
    label: 'shared limiter',
    async attempt() {
      const member = `${holder}:${(sequence++).toString(36)}`;
      const reply = parseAcquireReply(
        await runScript(redis, ACQUIRE, acquireKeys, ['acquire', member, limits.concurrency, leaseMs, RESERVE_AHEAD_MS, ...windowArgs]),
      );
      if (!reply.admitted) return refusalSleepMs(reply.reason, reply.waitMs);
      leases?.hold(member);
      return {
        admission: new SharedStart(member, leases),
        startMs: reply.startMs,
        waitMs: reply.waitMs,
        confirm: () =>
          runScript(redis, CONFIRM, keys, [member, reply.startMs.toFixed(3), MAX_CONFIRM_LATE_MS, ...windows.map((w) => w.lengthMs)]),
      };
    },
    localPauseMs: () => pause.remainingMs(),
    onAdmit: options.onAdmit ?? (() => {}),
    onError,
  });

  async function peek() {
    const raw = await runScript(redis, ACQUIRE, acquireKeys, ['peek', '', limits.concurrency, leaseMs, 0, ...windowArgs]);
    return parsePeekReply(raw, windows.length);
  }

  return {
    acquire: async (signal) => (await queue.acquire(signal)) ?? NO_START,
    tryAcquire: () => null,
    async pauseUntil(untilMs) {
      if (!Number.isFinite(untilMs)) return;
      pause.extend(untilMs);
      await runScript(redis, PAUSE, [pauseKey], [String(Math.ceil(untilMs))]);
    },
    async blockedUntil() {
      const state = await peek();
      const budgetUntil = state.waitMs > 0 ? state.nowMs + state.waitMs : 0;
      const pausedUntil = state.pausedUntilMs > state.nowMs ? state.pausedUntilMs : 0;
      return Math.max(budgetUntil, pausedUntil, pause.remainingMs() > 0 ? pause.untilMs : 0);
    },
    async usage() {
      const state = await peek();
      const usage: Awaited<ReturnType<SharedLimiter['usage']>> = {};
      windows.forEach((w, i) => {
        usage[w.name] = state.counts[i] ?? 0;
      });
      if (state.inFlight !== null) usage.inFlight = state.inFlight;
      return usage;
    },
    async seed(requestTimesMs) {
      await seedWindows(redis, windowKeys, windows, requestTimesMs);
    },
    async windowLogMissing(window) {
      return (await redis.exists(limiterWindowKey(scope, window))) === 0;
    },
    async touch(start, backdateMs = 0) {
      if (start.member === '' || windows.length === 0) return;
      try {
        await runScript(redis, TOUCH, windowKeys, [start.member, Math.max(0, backdateMs)]);
      } catch (err) {
        onError(toError(err));
      }
    },
    adaptive,
    close() {
      queue.close();
      leases?.stop();
      adaptive?.close();
    },
  };
}

/**
 * The fast path when every limit is 0: nothing to share, so Redis is never touched by
 * admission. The crawl's pause still holds, read from the `pause` record (this process's own
 * throttles and those adopted from others).
 */
function createLocalOnly(redis: RedisClient, pauseKey: string, pause: PauseState, onError: (err: Error) => void): SharedLimiter {
  let closed = false;
  return {
    async acquire(signal) {
      if (closed) throw new Error('shared limiter is closed');
      while (pause.untilMs > Date.now() && !signal?.aborted && !closed) await sleep(Math.min(pause.remainingMs(), 1_000), signal);
      return NO_START;
    },
    tryAcquire: () => (closed || pause.untilMs > Date.now() ? null : NO_START),
    async pauseUntil(untilMs) {
      if (!Number.isFinite(untilMs)) return;
      pause.extend(untilMs);
      // Also written to Redis, so other processes can adopt the pause (announced and polled);
      // not awaited, so this process's pause never waits for Redis.
      runScript(redis, PAUSE, [pauseKey], [String(Math.ceil(untilMs))]).catch((err) => onError(toError(err)));
    },
    async blockedUntil() {
      return pause.untilMs > Date.now() ? pause.untilMs : 0;
    },
    async usage() {
      return {};
    },
    async touch() {},
    async seed() {},
    async windowLogMissing() {
      return false;
    },
    adaptive: null,
    close() {
      closed = true;
    },
  };
}
