import { z } from 'zod';
import { expected, integerIn, oneOf, problemsOf } from './problems';
import { RETRY_AFTER_FORMS, type RetryAfterForm } from './retryAfter';

/**
 * Free-tier rate limits, emulated with a SLIDING window over arrival times: a served call
 * occupies its quota for exactly `windowMs` after it arrived, so no burst at a window
 * boundary can exceed `limit` (a fixed window would allow 2 × limit across one). Only served
 * calls occupy a slot: a throttled call is refused before it counts, as real APIs count
 * only the calls they serve, so a client that keeps retrying still gets in once a slot frees.
 */

/** What a call over the quota receives: a 200 with a throttle body (Alpha Vantage style), a 429 or a 503. */
export type QuotaMode = 'body' | '429' | '503';

export const QUOTA_MODES: readonly QuotaMode[] = ['body', '429', '503'];

/** One rate limit, e.g. `{ limit: 5, windowMs: 60_000, mode: '429' }` for 5 calls per minute. */
export interface QuotaOptions {
  /** Calls served within any `windowMs`; a positive integer. */
  limit: number;
  /** Length of the sliding window in milliseconds; `86_400_000` makes a daily quota. */
  windowMs: number;
  /** Answer to a call over the quota. `'body'` ignores `retryAfter` (a 200 carries none). */
  mode: QuotaMode;
  /** `Retry-After` of 429 and 503 answers, counted until the window frees a slot. Default `'seconds'`. */
  retryAfter?: RetryAfterForm;
}

/** Field of Alpha Vantage's throttle body: older answers say `Note`, newer ones `Information`. */
export type QuotaBodyField = 'Note' | 'Information';

/** One quota, as the options and `--quotas` give it. */
export const quotaSchema = z.strictObject(
  {
    limit: integerIn('an integer ≥ 1', 1),
    windowMs: z.number(expected('a number > 0')).positive(expected('a number > 0')),
    mode: z.enum(QUOTA_MODES, oneOf(QUOTA_MODES)),
    retryAfter: z.enum(RETRY_AFTER_FORMS, oneOf(RETRY_AFTER_FORMS)).optional(),
  },
  expected('{limit, windowMs, mode, retryAfter?}'),
);

/** Every problem with one quota, each with its path. */
export const quotaProblems = (value: unknown, path: string): string[] => problemsOf(quotaSchema, value, path);

/** Arrival times of the calls a quota served, oldest first, forgetting those out of the window. */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  constructor(readonly quota: QuotaOptions) {}

  /** Milliseconds from `now` until a slot is free; 0 if one is free now. */
  waitMs(now: number): number {
    const { limit, windowMs } = this.quota;
    while (this.head < this.times.length && (this.times[this.head] as number) <= now - windowMs) this.head++;
    // Compact now and then so the array stays about as long as the window is full.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    const occupied = this.times.length - this.head;
    return occupied < limit ? 0 : (this.times[this.times.length - limit] as number) + windowMs - now;
  }

  record(now: number): void {
    this.times.push(now);
  }
}

/** Why a call was refused: the quota that frees a slot last, and how long that takes. */
export interface QuotaRefusal {
  quota: QuotaOptions;
  waitMs: number;
}

/** Every configured quota at once: a call is served only if all of them have a free slot. */
export class QuotaGate {
  private readonly windows: SlidingWindow[];

  constructor(quotas: readonly QuotaOptions[]) {
    this.windows = quotas.map((quota) => new SlidingWindow(quota));
  }

  /** Serves (and counts) the call arriving at `now` (monotonic ms), or says why not without counting it. */
  admit(now: number): QuotaRefusal | undefined {
    const refusal = this.check(now);
    if (refusal === undefined) this.record(now);
    return refusal;
  }

  /** Why a call arriving at `now` would be refused, or `undefined` if every quota has room; counts nothing. */
  check(now: number): QuotaRefusal | undefined {
    let refusal: QuotaRefusal | undefined;
    for (const window of this.windows) {
      const waitMs = window.waitMs(now);
      if (waitMs > 0 && (refusal === undefined || waitMs > refusal.waitMs)) refusal = { quota: window.quota, waitMs };
    }
    return refusal;
  }

  /** Counts a served call in every quota. */
  record(now: number): void {
    for (const window of this.windows) window.record(now);
  }
}
