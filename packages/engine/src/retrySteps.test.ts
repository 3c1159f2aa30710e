import { CredentialRejectedError, InvalidKeyError, PermanentError, type RetryPolicy, ThrottledError, TransientError } from '@sluice/core';
import { attemptsUsedError, retryStep, throttledOutError } from './retrySteps';

const retry: RetryPolicy = { attempts: 3, baseDelayMs: 200, maxDelayMs: 30_000, maxThrottles: 2 };
const transient = new TransientError('HTTP 503', 503);
const throttled = new ThrottledError('HTTP 429', 1_000, 429);

describe('retryStep', () => {
  it('backs off from a transient error while attempts are left, and fails on the last one', () => {
    expect(retryStep(transient, 1, 0, retry, true)).toBe('backoff');
    expect(retryStep(transient, 2, 0, retry, true)).toBe('backoff');
    expect(retryStep(transient, 3, 0, retry, true)).toBe('attempts-used');
  });

  it('treats an error of no request class (a network fault, a custom validator) as transient', () => {
    expect(retryStep(new Error('socket hang up'), 1, 0, retry, true)).toBe('backoff');
    expect(retryStep(new Error('socket hang up'), 3, 0, retry, true)).toBe('attempts-used');
  });

  it('does not charge a transient failure to the key while the circuit is open, even on its last attempt', () => {
    expect(retryStep(transient, 3, 0, retry, false)).toBe('outage');
  });

  it('waits out throttles without using an attempt, up to maxThrottles in a row', () => {
    expect(retryStep(throttled, 3, 0, retry, true)).toBe('throttle');
    expect(retryStep(throttled, 1, 1, retry, true)).toBe('throttle');
    expect(retryStep(throttled, 1, 2, retry, true)).toBe('throttled-out');
  });

  it('fails a permanent error at once, invalid keys included', () => {
    expect(retryStep(new PermanentError('HTTP 404', 404), 1, 0, retry, true)).toBe('fail');
    expect(retryStep(new InvalidKeyError('dot segment'), 1, 0, retry, true)).toBe('fail');
  });

  it('goes on with another credential when the API rejected the one used, whatever the counts', () => {
    const rejected = new CredentialRejectedError('API_KEY_2', 401);
    expect(retryStep(rejected, 3, 2, retry, false)).toBe('other-credential');
  });
});

describe('the errors a key fails with', () => {
  it('says how many throttles in a row, with the last one, and carries no Retry-After', () => {
    const err = throttledOutError(throttled, 3);
    expect(err).toBeInstanceOf(ThrottledError);
    expect(err.message).toBe('throttled 3 times in a row (last: HTTP 429)');
    expect(err.retryAfterMs).toBeNull();
  });

  it('says how many attempts were used, with the last error and its status', () => {
    const err = attemptsUsedError(new Error('socket hang up'), 3, null);
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toBe('gave up after 3 attempts: socket hang up');
    expect(attemptsUsedError(transient, 5, 503).status).toBe(503);
  });
});
