import type { AdaptiveSettings } from '@sluice/core';
import type { RedisClient } from '@sluice/queue';
import { REPORT_LUA, WRITE_LUA } from './adaptiveScript';
import { parseReportReply, stateFields } from './adaptiveState';
import { type AdaptiveState, initialAdaptiveState, nextAdaptiveState } from './aimd';
import { luaScript, runScript, toError } from './luaScript';

/**
 * One worker process's side of the adaptive per-second rate: it counts this process's answers,
 * reports them to the shared hash every REPORT_EVERY_MS (at once after a throttle answer), and
 * after each report computes the next state from what all workers reported (`aimd.ts`),
 * writing it when it changed and no other worker wrote first. The rate itself is read by the
 * acquire script on every admission, so a cut binds every process at its next start.
 */
export interface AdaptiveRate {
  /**
   * Counts one answer. `startedAtMs` is when the request was admitted, by this process's clock
   * (converted to Redis time with the offset the reports measure); `answerMs` is how long the
   * answer took. A throttle answer is reported at once.
   */
  answered(startedAtMs: number, outcome: 'clean' | 'throttled', answerMs: number): void;
  /** The state as last read from Redis. */
  readonly state: AdaptiveState;
  /** True when the rate is at its floor: throttle answers must then pause the crawl as without `"auto"`. */
  readonly atFloor: boolean;
  /** Reports now; resolves when done (never rejects: errors go to onError). */
  sync(): Promise<void>;
  /** Stops reporting (the last counts are not sent). */
  close(): void;
}

export interface AdaptiveRateOptions {
  redis: RedisClient;
  /** The adaptive hash (`limiterAdaptiveKey`). */
  key: string;
  /** The per-second window's log (`limiterWindowKey(scope, 'perSecond')`), whose starts tell whether the rate is used. */
  windowKey: string;
  settings: AdaptiveSettings;
  /** Called after this process changed the rate, with the state before and after. Default none. */
  onChange?: (next: AdaptiveState, previous: AdaptiveState) => void;
  onError?: (err: Error) => void;
}

/** How often each process reports its answer counts; well under `BUCKET_MS`, so a bucket is complete one bucket later. */
export const REPORT_EVERY_MS = 100;
const REPORT = luaScript(REPORT_LUA);
const WRITE = luaScript(WRITE_LUA);
const WINDOW_MS = 1_000;

export function createAdaptiveRate(options: AdaptiveRateOptions): AdaptiveRate {
  const { redis, settings } = options;
  const onError = options.onError ?? (() => {});
  let state = initialAdaptiveState(settings, Date.now());
  let clean = 0;
  let answerMsSum = 0;
  let throttled = 0;
  let throttleStartMs = 0;
  // Redis clock minus this process's, measured by every report (half the round trip off at most).
  let offsetMs = 0;
  let syncing: Promise<void> | null = null;
  let again = false;
  let closed = false;

  async function reportOnce(): Promise<void> {
    const sent = { clean, answerMsSum, throttled, throttleStartMs };
    clean = 0;
    answerMsSum = 0;
    throttled = 0;
    throttleStartMs = 0;
    const before = Date.now();
    let raw: unknown;
    try {
      raw = await runScript(
        redis,
        REPORT,
        [options.key, options.windowKey],
        [settings.startPerSecond, sent.clean, sent.answerMsSum.toFixed(3), sent.throttled, sent.throttleStartMs.toFixed(3), WINDOW_MS],
      );
    } catch (err) {
      // Counted again with the next report: a Redis outage loses no throttle signal.
      clean += sent.clean;
      answerMsSum += sent.answerMsSum;
      throttled += sent.throttled;
      throttleStartMs = Math.max(throttleStartMs, sent.throttleStartMs);
      onError(toError(err));
      return;
    }
    const reply = parseReportReply(raw);
    offsetMs = reply.observation.nowMs - (before + Date.now()) / 2;
    state = reply.state;
    const next = nextAdaptiveState(reply.state, reply.observation, settings);
    if (next === null) return;
    try {
      const written = await runScript(redis, WRITE, [options.key], [reply.state.version, ...stateFields(next)]);
      if (Number(written) === 1) {
        state = { ...next, version: reply.state.version + 1 };
        options.onChange?.(state, reply.state);
      }
    } catch (err) {
      onError(toError(err));
    }
  }

  function sync(): Promise<void> {
    if (closed) return Promise.resolve();
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = (async () => {
      try {
        do {
          again = false;
          await reportOnce();
        } while (again && !closed);
      } finally {
        syncing = null;
      }
    })();
    return syncing;
  }

  const timer = setInterval(() => void sync(), REPORT_EVERY_MS);
  timer.unref();

  return {
    answered(startedAtMs, outcome, answerMs) {
      if (outcome === 'clean') {
        clean++;
        answerMsSum += answerMs;
        return;
      }
      throttled++;
      throttleStartMs = Math.max(throttleStartMs, startedAtMs + offsetMs);
      void sync();
    },
    get state() {
      return state;
    },
    get atFloor() {
      return state.rate <= settings.floorPerSecond;
    },
    sync,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
