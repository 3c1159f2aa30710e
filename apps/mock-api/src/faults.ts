import type { BodyFault } from './bodyFaults';
import { fmix32, fnv1a32 } from './hash';
import { type OutcomeStep, stepFor } from './outcomes';

/**
 * Decides, per request, whether the mock answers normally, fails, resets or spoils the body.
 * Everything is a pure function of (key, attempt, seed) so a test can predict the answer
 * before sending. Storms and quotas come first (see `gate.ts`); they depend on time instead.
 */

/** What the server will do with one API request. */
export type Plan =
  | { kind: 'ok' }
  | { kind: 'reset' }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  | { kind: 'fault'; fault: BodyFault }
  /** Over a quota in `'body'` mode: 200 with the endpoint's throttle body. */
  | { kind: 'throttled' };

const OK: Plan = { kind: 'ok' };
const RESET: Plan = { kind: 'reset' };
const INTERNAL: Plan = { kind: 'status', status: 500 };

/**
 * The draw in [0, 1) compared with `errorRate`:
 * `fmix32(fnv1a32(key) ^ imul(attempt + 1, 0x9E3779B1) ^ seed) / 2^32`,
 * where `fnv1a32` hashes the key's UTF-16 code units, `imul` is 32-bit multiplication and
 * `fmix32` is MurmurHash3's finaliser. `attempt` is the 0-based count of earlier requests
 * for the same key.
 */
export function injectedErrorDraw(key: string, attempt: number, seed: number): number {
  return fmix32(fnv1a32(key) ^ Math.imul(attempt + 1, 0x9e3779b1) ^ seed) / 4294967296;
}

/** True when the error-rate knob answers this request with 500 `{"error":"internal"}`. */
export function isInjectedError(key: string, attempt: number, seed: number, errorRate: number): boolean {
  return errorRate > 0 && injectedErrorDraw(key, attempt, seed) < errorRate;
}

/**
 * The draw in [0, 1) compared with `resetRate`: like {@link injectedErrorDraw} with the
 * multiplier `0x85EBCA77` instead, so resets and errors fall on unrelated requests:
 * `fmix32(fnv1a32(key) ^ imul(attempt + 1, 0x85EBCA77) ^ seed) / 2^32`.
 */
export function injectedResetDraw(key: string, attempt: number, seed: number): number {
  return fmix32(fnv1a32(key) ^ Math.imul(attempt + 1, 0x85ebca77) ^ seed) / 4294967296;
}

/** True when the reset-rate knob destroys this request's socket without an answer. */
export function isInjectedReset(key: string, attempt: number, seed: number, resetRate: number): boolean {
  return resetRate > 0 && injectedResetDraw(key, attempt, seed) < resetRate;
}

function planStep(step: OutcomeStep): Plan {
  if (step === 'ok') return OK;
  if (step === 'reset') return RESET;
  if (typeof step === 'number') return { kind: 'status', status: step };
  if (typeof step === 'string') return { kind: 'fault', fault: step };
  return { kind: 'status', ...step };
}

/** The global knobs consulted for keys without a script, besides `errorRate`. */
export interface GlobalFaults {
  /** Default `0`. */
  resetRate?: number;
  /** Default `null`. */
  bodyFault?: BodyFault | null;
}

/**
 * A key's script wins over every global knob. Keys without a script are reset by
 * `resetRate`, else failed by `errorRate`, else answered with `bodyFault` if one is set.
 */
export function planResponse(
  key: string,
  attempt: number,
  script: readonly OutcomeStep[] | undefined,
  seed: number,
  errorRate: number,
  { resetRate = 0, bodyFault = null }: GlobalFaults = {},
): Plan {
  if (script !== undefined) return planStep(stepFor(script, attempt));
  if (isInjectedReset(key, attempt, seed, resetRate)) return RESET;
  if (isInjectedError(key, attempt, seed, errorRate)) return INTERNAL;
  return bodyFault === null ? OK : { kind: 'fault', fault: bodyFault };
}
