/**
 * Pure arithmetic over the mock API's arrival times for `pnpm bench:limits`: sliding-window
 * maxima and violations, utilisation, and the recovery after a storm. Every window is the
 * half-open span `[t, t + lengthMs)` starting at an arrival: checking those spans is exact.
 */
import { countsFromEach } from '@sluice/limiter';

/** One configured budget: at most `max` requests in any `lengthMs` span. */
export interface Budget {
  label: string;
  lengthMs: number;
  max: number;
}

export interface WindowFigures {
  /** Most arrivals in any window of the budget's length. */
  maxInWindow: number;
  /** Windows (one per arrival as its start) holding more than `max` arrivals. */
  violations: number;
}

/** Max and violations of one budget over `sortedMs` (ascending epoch ms). */
export function windowFigures(sortedMs: readonly number[], budget: Budget): WindowFigures {
  const counts = countsFromEach(sortedMs, budget.lengthMs);
  return {
    maxInWindow: counts.reduce((best, count) => Math.max(best, count), 0),
    violations: counts.filter((count) => count > budget.max).length,
  };
}

/**
 * Requests the budgets allow in `durationMs`: the least over budgets of `max × duration /
 * length`, but never less than `max` (a window longer than the run still allows its whole
 * budget at once: 300 a minute allows 300 in a 30 s run).
 */
export function allowedIn(durationMs: number, budgets: readonly Budget[]): number {
  return Math.min(...budgets.map((b) => b.max * Math.max(1, durationMs / b.lengthMs)));
}

/** Arrivals in `[fromMs, toMs)`. */
export function countBetween(sortedMs: readonly number[], fromMs: number, toMs: number): number {
  return sortedMs.filter((t) => t >= fromMs && t < toMs).length;
}

/**
 * Ms from `fromMs` until the end of the first one-second window, starting at an arrival at or
 * after `fromMs`, that holds at least `atLeast` arrivals; null if none does.
 */
export function recoveryMs(sortedMs: readonly number[], fromMs: number, atLeast: number): number | null {
  const counts = countsFromEach(sortedMs, 1_000);
  for (let i = 0; i < sortedMs.length; i++) {
    const t = sortedMs[i] as number;
    if (t >= fromMs && (counts[i] as number) >= atLeast) return t + 1_000 - fromMs;
  }
  return null;
}
