import { STATUS_CODES } from 'node:http';
import { BODY_FAULTS, type BodyFault, isBodyFault } from './bodyFaults';

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

const isStatus = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 200 && (value as number) <= 599;

function stepProblems(step: unknown, path: string): string[] {
  if (step === 'ok' || step === 'reset' || isStatus(step) || isBodyFault(step)) return [];
  if (typeof step !== 'object' || step === null || Array.isArray(step)) {
    return [`${path}: expected a status 200..599, "ok", "reset", a body fault (${BODY_FAULTS.join(', ')}) or {status, retryAfter?, body?}`];
  }
  const problems: string[] = [];
  const { status, retryAfter, body, ...rest } = step as Record<string, unknown>;
  if (!isStatus(status)) problems.push(`${path}.status: expected an integer 200..599`);
  if (retryAfter !== undefined && typeof retryAfter !== 'string') problems.push(`${path}.retryAfter: expected a string`);
  if (body !== undefined && typeof body !== 'string') problems.push(`${path}.body: expected a string`);
  for (const name of Object.keys(rest)) problems.push(`${path}.${name}: unknown field`);
  return problems;
}

/** Every problem in a value meant to be {@link OutcomeScripts}, each with its path. */
export function outcomeProblems(value: unknown, path = 'outcomes'): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${path}: expected an object mapping keys to lists of steps`];
  }
  const problems: string[] = [];
  for (const [key, steps] of Object.entries(value)) {
    const keyPath = `${path}.${key}`;
    if (!Array.isArray(steps) || steps.length === 0) {
      problems.push(`${keyPath}: expected a non-empty list of steps`);
      continue;
    }
    steps.forEach((step, i) => {
      problems.push(...stepProblems(step, `${keyPath}[${i}]`));
    });
  }
  return problems;
}
