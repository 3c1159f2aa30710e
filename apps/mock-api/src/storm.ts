import { z } from 'zod';
import { expected, integerIn, numberIn, oneOf, problemsOf } from './problems';
import { RETRY_AFTER_FORMS, type RetryAfterForm } from './retryAfter';

/**
 * An outage: while it lasts, every API request is answered with the storm's status and
 * `{"error":"unavailable"}`, whatever its key, script or quota.
 */

/** A storm window. `fromMs` counts from `startMockApi`, or from the `setOptions` call that set it. */
export interface StormOptions {
  /** Status of every answer during the storm, 400..599. Default `503`. */
  status?: number;
  /** Delay before the storm starts, in ms. Default `0`: at once. */
  fromMs?: number;
  /** Length of the storm in ms. Default `Infinity`: until `stopStorm()` or `setOptions({ storm: null })`. */
  durationMs?: number;
  /**
   * `Retry-After` of stormy answers, counted until the storm ends (an endless storm sends
   * none for `'seconds'` and `'http-date'`). Default `'none'`, as most real outages send none.
   */
  retryAfter?: RetryAfterForm;
}

/** What `startStorm` takes: a storm that starts now. */
export type StormStart = Omit<StormOptions, 'fromMs'>;

export const STORM_DEFAULTS: Readonly<Required<StormOptions>> = Object.freeze({
  status: 503,
  fromMs: 0,
  durationMs: Number.POSITIVE_INFINITY,
  retryAfter: 'none',
});

export const STORM_BODY = '{"error":"unavailable"}';

/** A storm placed on the monotonic clock (`performance.now()` milliseconds). */
export interface ActiveStorm {
  status: number;
  startsAt: number;
  endsAt: number;
  retryAfter: RetryAfterForm;
}

/** A storm, or `null` for none. */
export const stormSchema = z
  .strictObject(
    {
      status: integerIn('an integer 400..599', 400, 599).optional(),
      fromMs: numberIn('a number ≥ 0', 0).optional(),
      // Infinity is allowed from code (zod's numbers refuse it): it is the default, an endless storm.
      durationMs: z.custom<number>((v) => typeof v === 'number' && v > 0, expected('a number > 0')).optional(),
      retryAfter: z.enum(RETRY_AFTER_FORMS, oneOf(RETRY_AFTER_FORMS)).optional(),
    },
    expected('{status?, fromMs?, durationMs?, retryAfter?} or null'),
  )
  .nullable();

/** Every problem with a storm, each with its path; `null` (no storm) is fine. */
export const stormProblems = (value: unknown, path: string): string[] => problemsOf(stormSchema, value, path);

/** Places a (validated) storm on the clock, counting `fromMs` from `now`. */
export function armStorm(storm: StormOptions | null, now: number): ActiveStorm | null {
  if (storm === null) return null;
  const { status, fromMs, durationMs, retryAfter } = { ...STORM_DEFAULTS, ...definedFields(storm) };
  return { status, startsAt: now + fromMs, endsAt: now + fromMs + durationMs, retryAfter };
}

const definedFields = (storm: StormOptions): StormOptions =>
  Object.fromEntries(Object.entries(storm).filter(([, value]) => value !== undefined)) as StormOptions;

/** True while `now` lies inside the storm. */
export const isStorming = (storm: ActiveStorm | null, now: number): storm is ActiveStorm =>
  storm !== null && now >= storm.startsAt && now < storm.endsAt;
