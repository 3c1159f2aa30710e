/**
 * Exponential backoff with full jitter: a uniformly random delay in [0, min(max, base * 2^n)).
 * Full jitter spreads retries of many keys that failed together, so a recovering API is not
 * hit by a synchronized wave. `attempt` counts from 1 (the first retry).
 */
export function fullJitterBackoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  // The exponent is capped so a zero base never meets 2^n = Infinity (0 * Infinity is NaN).
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(1023, Math.max(0, attempt - 1)));
  return Math.floor(random() * ceiling);
}

/** Cooldown when a throttle gave no usable Retry-After: 1 s, 2 s, 4 s … capped at 60 s. */
export function throttleCooldownMs(consecutiveThrottles: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, consecutiveThrottles - 1));
}
