import { CredentialRejectedError, PermanentError, type RetryPolicy, ThrottledError, TransientError } from '@sluice/core';

/**
 * What a key does after an attempt without a result:
 * - `backoff`: a transient error with attempts left: wait a full-jitter backoff, then again;
 * - `throttle`: the API asked to slow down: wait out the pause, then again, using no attempt;
 * - `other-credential`: the API rejected the pool credential: again at once with another one,
 *   using no attempt (the key was never judged);
 * - `outage`: a transient error while the circuit is open: the outage's, not the key's, so no
 *   attempt is used;
 * - `fail`: a permanent error: the key fails now;
 * - `throttled-out`: more than `retry.maxThrottles` throttles in a row: the key fails;
 * - `attempts-used`: a transient error on the last of `retry.attempts`: the key fails.
 */
export type RetryStep = 'backoff' | 'throttle' | 'other-credential' | 'outage' | 'fail' | 'throttled-out' | 'attempts-used';

/**
 * The step after an attempt that failed with `error`. `attempts`: attempts used, this one
 * included; `throttles`: throttle answers in a row before this one; `countsAgainstKey`: whether
 * the circuit breaker charged a transient failure to the key (false while the circuit is open,
 * see CircuitBreaker.failure).
 */
export function retryStep(error: Error, attempts: number, throttles: number, retry: RetryPolicy, countsAgainstKey: boolean): RetryStep {
  if (error instanceof CredentialRejectedError) return 'other-credential';
  if (error instanceof ThrottledError) return throttles + 1 > retry.maxThrottles ? 'throttled-out' : 'throttle';
  if (error instanceof PermanentError) return 'fail';
  if (!countsAgainstKey) return 'outage';
  return attempts >= retry.attempts ? 'attempts-used' : 'backoff';
}

/** What a key fails with after `throttles` throttle answers in a row, the last one `last`. */
export function throttledOutError(last: Error, throttles: number): ThrottledError {
  return new ThrottledError(`throttled ${throttles} times in a row (last: ${last.message})`, null);
}

/** What a key fails with when the last of its `attempts` failed with `last` (HTTP `status`, if any). */
export function attemptsUsedError(last: Error, attempts: number, status: number | null): TransientError {
  return new TransientError(`gave up after ${attempts} attempts: ${last.message}`, status);
}
