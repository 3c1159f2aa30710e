import { isRetryAfterForm, RETRY_AFTER_FORMS, type RetryAfterForm } from './retryAfter';

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

/** Every problem with a storm, each with its path; `null` (no storm) is fine. */
export function stormProblems(value: unknown, path: string): string[] {
  if (value === null) return [];
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected {status?, fromMs?, durationMs?, retryAfter?} or null`];
  const { status, fromMs, durationMs, retryAfter, ...rest } = value as Record<string, unknown>;
  const problems: string[] = [];
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599)) {
    problems.push(`${path}.status: expected an integer 400..599`);
  }
  if (fromMs !== undefined && !(typeof fromMs === 'number' && Number.isFinite(fromMs) && fromMs >= 0)) {
    problems.push(`${path}.fromMs: expected a number ≥ 0`);
  }
  // Infinity is allowed from code: it is the default, an endless storm.
  if (durationMs !== undefined && !(typeof durationMs === 'number' && durationMs > 0))
    problems.push(`${path}.durationMs: expected a number > 0`);
  if (retryAfter !== undefined && !isRetryAfterForm(retryAfter)) {
    problems.push(`${path}.retryAfter: expected one of ${RETRY_AFTER_FORMS.join(', ')}`);
  }
  for (const name of Object.keys(rest)) problems.push(`${path}.${name}: unknown field`);
  return problems;
}

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
