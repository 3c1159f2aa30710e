/**
 * Cancellation by the caller (shutdown, a job that lost its lock) is neither a transient nor a
 * permanent failure of the key: the worker must not count it as an attempt, so it gets its own
 * class instead of one of core's request errors.
 */

/** The caller's `signal` aborted the request. `cause` holds the signal's reason. */
export class RequestAbortedError extends Error {
  override name = 'RequestAbortedError';
}

/** True when `err` means the caller cancelled the request, not that the request failed. */
export function isAbortedByCaller(err: unknown): err is RequestAbortedError {
  return err instanceof RequestAbortedError;
}
