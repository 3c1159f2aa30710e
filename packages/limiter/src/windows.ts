import { ConfigError } from '@sluice/core';
import type { LimiterWindowName } from './limiterKeys';

/**
 * Pure window and wait math of the shared limiter: which windows a crawl's limits configure,
 * how long a waiter sleeps before it asks again, and the checker tests use to prove that no
 * sliding window ever held more starts than allowed.
 */

/** A crawl's limits as the shared limiter reads them; `0` means unlimited. */
export interface LimiterLimits {
  perSecond: number;
  perMinute: number;
  perHour: number;
  perDay: number;
  /** Requests in flight at once across ALL processes of the crawl; `0` means no global cap. */
  concurrency: number;
}

/** Every window the limiter knows, shortest first, with its length. */
export const WINDOW_LENGTHS_MS: ReadonlyArray<readonly [LimiterWindowName, number]> = [
  ['perSecond', 1_000],
  ['perMinute', 60_000],
  ['perHour', 3_600_000],
  ['perDay', 86_400_000],
];

/** One configured window: at most `max` starts in any `lengthMs` span. */
export interface ConfiguredWindow {
  name: LimiterWindowName;
  lengthMs: number;
  max: number;
}

/** Most a waiter adds to a wait, so waiters of several processes do not all retry at once. */
export const JITTER_MS = 5;
/**
 * Longest single sleep before a waiter asks Redis again, so a lost Redis (then `seed`) or a
 * changed limit is noticed within a second even while a daily budget is exhausted.
 */
export const MAX_SLEEP_MS = 1_000;

/** @throws ConfigError when a limit is not an integer ≥ 0. */
export function assertLimits(limits: LimiterLimits): void {
  const names = ['concurrency', ...WINDOW_LENGTHS_MS.map(([name]) => name)] as const;
  const problems = names
    .filter((n) => !Number.isSafeInteger(limits[n]) || limits[n] < 0)
    .map((n) => `limits.${n}: expected an integer ≥ 0`);
  if (problems.length > 0) throw new ConfigError(`shared limiter: ${problems.join('; ')}`, problems);
}

/** The windows with a non-zero limit, shortest first. */
export function configuredWindows(limits: LimiterLimits): ConfiguredWindow[] {
  return WINDOW_LENGTHS_MS.filter(([name]) => limits[name] > 0).map(([name, lengthMs]) => ({ name, lengthMs, max: limits[name] }));
}

/** True when no window and no global concurrency cap is set: nothing to share. */
export function isUnlimited(limits: LimiterLimits): boolean {
  return limits.concurrency === 0 && configuredWindows(limits).length === 0;
}

/**
 * How long to sleep after the script said "wait `waitMs`": never less than the wait (waking
 * early only costs a retry, the script never admits early), plus up to JITTER_MS, and at most
 * MAX_SLEEP_MS.
 */
export function budgetSleepMs(waitMs: number, random: () => number = Math.random): number {
  // Jitter grows with the wait, so short waits (evenly spaced starts, a few ms apart) stay short.
  return Math.min(MAX_SLEEP_MS, Math.ceil(waitMs) + random() * Math.min(JITTER_MS, waitMs * 0.2));
}

/**
 * How far ahead the acquire script reserves a start instead of refusing it (see `ACQUIRE_LUA`):
 * a tenth of a second's window and then some, so a per-second budget is paced by reservations
 * alone, while few starts (rate × this) wait reserved when a pause or shutdown comes.
 */
export const RESERVE_AHEAD_MS = 150;
/**
 * A reserved start confirmed later than this after its instant gives its slot up and asks
 * again (see `CONFIRM_LUA`): re-dating it further could move it into a window another
 * admission already counted it out of, which the shortest window (1 s) minus the reserve-ahead
 * time bounds. Only a stalled event loop is this late.
 */
export const MAX_CONFIRM_LATE_MS = 250;

/**
 * How long to sleep after the acquire script refused a start for `reason`, `waitMs` before it
 * would have room: a full window only until its slot is within reach of a reservation, a pause
 * until it ends, a full concurrency cap a short poll.
 */
export function refusalSleepMs(reason: 'pause' | 'window' | 'concurrency', waitMs: number): number {
  if (reason === 'concurrency') return concurrencyPollMs();
  return budgetSleepMs(reason === 'window' ? Math.max(1, waitMs - RESERVE_AHEAD_MS) : waitMs);
}

/** Poll interval while the global concurrency cap is full: 2–10 ms. */
export function concurrencyPollMs(random: () => number = Math.random): number {
  return 2 + random() * 8;
}

/** Backoff after the `failures`-th consecutive Redis error: 50 ms doubling to 1 s. */
export function errorBackoffMs(failures: number): number {
  return Math.min(1_000, 50 * 2 ** Math.max(0, failures - 1));
}

/**
 * For each entry `t` of `sortedMs` (ascending), how many entries lie in the half-open span
 * `[t, t + lengthMs)`. Spans that start at an entry are the only ones worth checking: sliding a
 * span's start forward to its first entry never loses one.
 */
export function countsFromEach(sortedMs: readonly number[], lengthMs: number): number[] {
  const counts: number[] = [];
  let end = 0;
  for (let start = 0; start < sortedMs.length; start++) {
    const limit = (sortedMs[start] as number) + lengthMs;
    while (end < sortedMs.length && (sortedMs[end] as number) < limit) end++;
    counts.push(end - start);
  }
  return counts;
}

/** The most entries of `timesMs` (any order) inside any half-open span `[t, t + lengthMs)`. */
export function maxInAnyWindow(timesMs: readonly number[], lengthMs: number): number {
  const sorted = [...timesMs].sort((a, b) => a - b);
  return countsFromEach(sorted, lengthMs).reduce((best, count) => Math.max(best, count), 0);
}
