import { ConfigError } from '@sluice/core';
import { type OutcomeScripts, outcomeProblems } from './outcomes';

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
  /** Keep the arrival time of every API request for `arrivals()` (limiter checks). Default `false`. */
  recordArrivals?: boolean;
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
});

type Check = (value: unknown, path: string) => string[];

const check =
  (ok: (value: unknown) => boolean, expected: string): Check =>
  (value, path) =>
    ok(value) ? [] : [`${path}: expected ${expected}`];

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const CHECKS: Record<keyof MockApiOptions, Check> = {
  port: check((v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65_535, 'an integer 0..65535'),
  host: check((v) => typeof v === 'string' && v.length > 0, 'a non-empty host name or address'),
  latencyMs: check((v) => isNumber(v) && v >= 0, 'a number ≥ 0'),
  errorRate: check((v) => isNumber(v) && v >= 0 && v <= 1, 'a number between 0 and 1'),
  seed: check((v) => Number.isSafeInteger(v), 'an integer'),
  outcomes: outcomeProblems,
  invalidSymbols: check((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'), 'a list of strings'),
  trackKeys: check((v) => typeof v === 'boolean', 'true or false'),
  recordArrivals: check((v) => typeof v === 'boolean', 'true or false'),
};

/** Every problem with the given (partial) options, each prefixed with its option path. */
export function optionProblems(options: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const checkOption = Object.hasOwn(CHECKS, name) ? CHECKS[name as keyof MockApiOptions] : undefined;
    if (checkOption === undefined) problems.push(`${name}: unknown option`);
    else problems.push(...checkOption(value, name));
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
