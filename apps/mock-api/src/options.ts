import { ConfigError } from '@sluice/core';
import { z } from 'zod';
import { BODY_FAULTS, type BodyFault } from './bodyFaults';
import { type OutcomeScripts, outcomesSchema } from './outcomes';
import { expected, integerIn, numberIn, problemsOf } from './problems';
import { type QuotaBodyField, type QuotaOptions, quotaSchema } from './quota';
import { type StormOptions, stormSchema } from './storm';
import { MIN_HUGE_BODY_BYTES } from './streams';

/** Knobs of the mock API. Everything except `port` and `host` can change while it runs. */
export interface MockApiOptions {
  /** TCP port to listen on; `0` picks a free port. Default `0`. */
  port?: number;
  /** Interface to bind. Default `'127.0.0.1'`: tests and benchmarks never leave loopback. */
  host?: string;
  /**
   * Delay before answering each API request, in milliseconds, applied to failures and resets
   * too. `0` answers without a timer, which is what throughput benchmarks want. Default `0`.
   */
  latencyMs?: number;
  /**
   * Fraction (0..1) of API requests answered with 500 `{"error":"internal"}`. Deterministic:
   * a request fails iff `injectedErrorDraw(key, attempt, seed) < errorRate`, `attempt` being
   * the 0-based count of earlier requests for the key (see `faults.ts`). Keys with a script
   * in `outcomes` ignore it. Default `0`.
   */
  errorRate?: number;
  /** Seed of the `errorRate` draw: same seed, same failing (key, attempt) pairs. Integer. Default `0`. */
  seed?: number;
  /**
   * Scripted answers per key (upper-cased hex, or stock symbol as sent): request n for a key
   * plays step n, then the last step repeats. E.g. `{ "00000A": [500, 500, "ok"] }`. Default `{}`.
   */
  outcomes?: OutcomeScripts;
  /** Stock symbols answered with Alpha Vantage's "Invalid API call" body even if well-formed. Default `[]`. */
  invalidSymbols?: string[];
  /**
   * Count requests per key (`byKey`, `duplicateKeys`, `requestsForKey`). Turn off for
   * million-key benchmarks to keep memory flat; keys are then still counted where the
   * answer depends on it: keys with a script, and every key while `errorRate > 0`. Default `true`.
   */
  trackKeys?: boolean;
  /**
   * Keep the arrival time and key of every API request for `arrivals()`, `arrivalLog()` and
   * `stats().arrivalsByKey` (limiter and refetch checks). Default `false`.
   */
  recordArrivals?: boolean;
  /**
   * A rate limit like a free tier's, e.g. `{ limit: 5, windowMs: 60_000, mode: '429' }`:
   * shorthand for one more entry of `quotas`. Sliding window; only served calls count (see
   * `quota.ts`). Checked on arrival, before scripts and every other knob but `storm`. Setting
   * it (or `quotas`) at runtime starts every window empty. Default `null`.
   */
  quota?: QuotaOptions | null;
  /** Rate limits enforced together with `quota`, e.g. 5 per minute and 25 per day; a call must fit all. Default `[]`. */
  quotas?: QuotaOptions[];
  /**
   * An unannounced limit: at most this many served calls in any sliding second, every other
   * call answered 429 without `Retry-After` (checked after the quotas). Changing it at runtime
   * keeps the last second's served calls, so lowering it bites at once. `0` is off. Default `0`.
   */
  unannouncedPerSecond?: number;
  /**
   * Quotas each API key (the `apikey` query parameter) has on its own, e.g. 5 per minute and
   * 25 per day: a call must fit its key's quotas and `quota`/`quotas`, and only served calls
   * count. A refusal quotes the key, as Alpha Vantage's does (`body` mode: a 200 with an
   * `Information`; `429`/`503`: that status). Setting it at runtime starts every key empty.
   * Default `[]`.
   */
  keyQuotas?: QuotaOptions[];
  /**
   * API keys refused as invalid or revoked: the stock API answers Alpha Vantage's 200 with
   * `Error Message: the parameter apikey is invalid or missing…`, the colour API a 401. Default `[]`.
   */
  invalidApiKeys?: string[];
  /** Field of the `/query` throttle body in quota mode `'body'`: `'Note'` (older Alpha Vantage) or `'Information'`. Default `'Note'`. */
  quotaBodyField?: QuotaBodyField;
  /**
   * An outage window, e.g. `{ status: 503, fromMs: 1000, durationMs: 5000 }`: during it every
   * API request gets that status and `{"error":"unavailable"}`. `fromMs` counts from
   * `startMockApi`, or from the `setOptions` call that sets it; `null` ends a storm. See also
   * `startStorm()`/`stopStorm()`. Default `null`.
   */
  storm?: StormOptions | null;
  /**
   * Fraction (0..1) of API requests whose socket is destroyed without an answer.
   * Deterministic like `errorRate`, with its own draw `injectedResetDraw(key, attempt, seed)`
   * (see `faults.ts`); checked before `errorRate`. Keys with a script ignore it. Default `0`.
   */
  resetRate?: number;
  /**
   * Send each complete API answer's headers and first half at once and the rest this many
   * ms later (exercises whole-request deadlines). Streams and `'truncated'` ignore it. Default `0`.
   */
  slowBodyMs?: number;
  /**
   * A hostile answer for every API request of a key without a script (scripts win; `storm`,
   * quotas, `resetRate` and `errorRate` come first). See `BodyFault`. Default `null`.
   */
  bodyFault?: BodyFault | null;
  /** Size of a `'hugeBody'` answer in bytes, at least 13. Default `1_073_741_824` (1 GiB). */
  hugeBodyBytes?: number;
  /** Bytes a `'gzipBomb'` answer inflates to (all zeros). Default `1_073_741_824` (1 GiB). */
  gzipBombBytes?: number;
}

/** Options that `setOptions` may change on a running server. */
export type MockApiRuntimeOptions = Omit<MockApiOptions, 'port' | 'host'>;

export type ResolvedMockApiOptions = Required<MockApiOptions>;

export const DEFAULT_MOCK_API_OPTIONS: Readonly<ResolvedMockApiOptions> = Object.freeze({
  port: 0,
  host: '127.0.0.1',
  latencyMs: 0,
  errorRate: 0,
  seed: 0,
  outcomes: {},
  invalidSymbols: [],
  trackKeys: true,
  recordArrivals: false,
  quota: null,
  quotas: [],
  unannouncedPerSecond: 0,
  keyQuotas: [],
  invalidApiKeys: [],
  quotaBodyField: 'Note',
  storm: null,
  resetRate: 0,
  slowBodyMs: 0,
  bodyFault: null,
  hugeBodyBytes: 1_073_741_824,
  gzipBombBytes: 1_073_741_824,
});

const listOfStrings = z.array(z.string(expected('a string')), expected('a list of strings'));
const listOfQuotas = z.array(quotaSchema, expected('a list of quotas'));
const booleanOption = z.boolean(expected('true or false'));

/** One schema per option; `optionProblems` checks each given option against its own. */
const OPTION_SCHEMAS: Record<keyof MockApiOptions, z.ZodType> = {
  port: integerIn('an integer 0..65535', 0, 65_535),
  host: z.string(expected('a non-empty host name or address')).min(1, expected('a non-empty host name or address')),
  latencyMs: numberIn('a number ≥ 0', 0),
  errorRate: numberIn('a number between 0 and 1', 0, 1),
  seed: integerIn('an integer', Number.MIN_SAFE_INTEGER),
  outcomes: outcomesSchema,
  invalidSymbols: listOfStrings,
  trackKeys: booleanOption,
  recordArrivals: booleanOption,
  quota: quotaSchema.nullable(),
  quotas: listOfQuotas,
  unannouncedPerSecond: integerIn('an integer ≥ 0', 0),
  keyQuotas: listOfQuotas,
  invalidApiKeys: listOfStrings,
  quotaBodyField: z.enum(['Note', 'Information'], expected('Note or Information')),
  storm: stormSchema,
  resetRate: numberIn('a number between 0 and 1', 0, 1),
  slowBodyMs: numberIn('a number ≥ 0', 0),
  bodyFault: z.enum(BODY_FAULTS, expected(`null or one of ${BODY_FAULTS.join(', ')}`)).nullable(),
  hugeBodyBytes: integerIn(`an integer ≥ ${MIN_HUGE_BODY_BYTES}`, MIN_HUGE_BODY_BYTES),
  gzipBombBytes: integerIn('an integer ≥ 0', 0),
};

/** Every problem with the given (partial) options, each prefixed with its option path. */
export function optionProblems(options: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const schema = Object.hasOwn(OPTION_SCHEMAS, name) ? OPTION_SCHEMAS[name as keyof MockApiOptions] : undefined;
    if (schema === undefined) problems.push(`${name}: unknown option`);
    else problems.push(...problemsOf(schema, value, name));
  }
  return problems;
}

/** Fills defaults under `options` and validates the result, reporting every problem at once. */
export function resolveOptions(
  options: MockApiOptions,
  base: Readonly<ResolvedMockApiOptions> = DEFAULT_MOCK_API_OPTIONS,
): ResolvedMockApiOptions {
  const problems = optionProblems(options as Record<string, unknown>);
  if (problems.length > 0) throw new ConfigError(`invalid mock API options: ${problems.join('; ')}`, problems);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...base, ...defined };
}

/** Every quota in force: `quota` first, then `quotas`. */
export const quotasOf = (options: ResolvedMockApiOptions): QuotaOptions[] =>
  options.quota === null ? options.quotas : [options.quota, ...options.quotas];
