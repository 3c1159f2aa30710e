/**
 * How a throttled or stormed answer states when to come back. Real servers disagree, and some
 * send nonsense, so clients must survive every form.
 */

/**
 * - `'seconds'`: whole seconds until the wait is over, rounded up (`Retry-After: 42`);
 * - `'http-date'`: that moment as an HTTP date, rounded up to the next whole second;
 * - `'none'`: no header;
 * - `'garbage'`: `Retry-After: soon`, which no parser should accept.
 */
export type RetryAfterForm = 'seconds' | 'http-date' | 'none' | 'garbage';

export const RETRY_AFTER_FORMS: readonly RetryAfterForm[] = ['seconds', 'http-date', 'none', 'garbage'];

/** The value sent for the garbage form. */
export const GARBAGE_RETRY_AFTER = 'soon';

/**
 * The `Retry-After` value announcing a wait of `waitMs`, or `undefined` for no header. A wait
 * without end (an open-ended storm) has nothing to announce, so it sends no header either.
 */
export function retryAfterHeader(form: RetryAfterForm, waitMs: number, nowEpochMs: number = Date.now()): string | undefined {
  if (form === 'none') return undefined;
  if (form === 'garbage') return GARBAGE_RETRY_AFTER;
  if (!Number.isFinite(waitMs)) return undefined;
  const wait = Math.max(0, waitMs);
  if (form === 'seconds') return String(Math.ceil(wait / 1000));
  // HTTP dates have whole seconds; rounding up keeps the date at or after the real moment.
  return new Date(Math.ceil((nowEpochMs + wait) / 1000) * 1000).toUTCString();
}
