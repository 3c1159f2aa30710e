import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { BODY_FAULTS, type BodyFault } from './bodyFaults';
import { expected, problemsOf } from './problems';

/**
 * Scripted per-key outcomes: the n-th request for a key (0-based) plays step n of its
 * script, and once the script runs out its last step repeats. `[500, 500, 'ok']` therefore
 * fails twice and then succeeds forever; `[404]` always answers 404.
 */

/** An answer with full control over status, `Retry-After` and body. */
export interface OutcomeResponse {
  /** HTTP status, 200..599. */
  status: number;
  /** Sent verbatim as the `Retry-After` header (seconds or an HTTP date). Default: no header. */
  retryAfter?: string;
  /** Sent verbatim as the body. Default: `{"error":"<reason phrase>"}`. */
  body?: string;
}

/**
 * One scripted answer:
 * - a status number: that status with body `{"error":"<reason phrase>"}` (`500` → `{"error":"internal"}`);
 * - `'ok'`: the normal answer of the endpoint;
 * - `'reset'`: the socket is destroyed without any answer;
 * - a {@link BodyFault} (`'html200'`, `'truncated'`, `'empty'`, `'wrongSchema'`,
 *   `'wrongContentType'`, `'deepJson'`, `'hugeBody'`, `'gzipBomb'`, `'redirect'`): that hostile answer;
 * - an {@link OutcomeResponse}.
 */
export type OutcomeStep = number | 'ok' | 'reset' | BodyFault | OutcomeResponse;

/** Scripts by key: the upper-cased `hex` for the colour API, the `symbol` as sent for the stock API. */
export type OutcomeScripts = Record<string, OutcomeStep[]>;

/** The step played by the request with 0-based `attempt` for its key. */
export function stepFor(steps: readonly OutcomeStep[], attempt: number): OutcomeStep {
  return steps[Math.min(attempt, steps.length - 1)] ?? 'ok';
}

/** Body of a status-only failure, e.g. `{"error":"too many requests"}` for 429. */
export function errorBodyFor(status: number): string {
  // The real upstreams' 500s are opaque; "internal" is what engine tests match on.
  const reason = status === 500 ? 'internal' : (STATUS_CODES[status]?.toLowerCase() ?? 'error');
  return `{"error":${JSON.stringify(reason)}}`;
}

const STEP = expected(`a status 200..599, "ok", "reset", a body fault (${BODY_FAULTS.join(', ')}) or {status, retryAfter?, body?}`);

const isStatus = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 200 && (value as number) <= 599;
const isString = (value: unknown) => typeof value === 'string';
const refined = (ok: (value: unknown) => boolean, what: string) => z.unknown().refine(ok, expected(what));

/**
 * zod reports a union member's own problems only when that member alone got past its type
 * check; otherwise it reports the union's message. So a status out of range gets the union's
 * message, and the fields of `{status, retryAfter?, body?}` are checked as refinements, which
 * never stop the check, so an object step is always told what is wrong inside it.
 */
const stepSchema = z.union(
  [
    z.int(STEP).min(200, STEP).max(599, STEP),
    z.enum(['ok', 'reset', ...BODY_FAULTS]),
    z.strictObject({
      status: refined(isStatus, 'an integer 200..599'),
      retryAfter: refined(isString, 'a string').optional(),
      body: refined(isString, 'a string').optional(),
    }),
  ],
  STEP,
);

/** Scripts by key, as the options and `--outcomes-json` give them. */
export const outcomesSchema = z.record(
  z.string(),
  z.array(stepSchema, expected('a non-empty list of steps')).min(1, expected('a non-empty list of steps')),
  expected('an object mapping keys to lists of steps'),
);

/** Every problem in a value meant to be {@link OutcomeScripts}, each with its path. */
export const outcomeProblems = (value: unknown, path = 'outcomes'): string[] => problemsOf(outcomesSchema, value, path);
