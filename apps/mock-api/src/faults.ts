import { fmix32, fnv1a32 } from './hash';
import { type OutcomeStep, stepFor } from './outcomes';

/**
 * Decides, per request, whether the mock answers normally, fails or resets. Everything is a
 * pure function of (key, attempt, seed) so a test can predict the answer before sending.
 */

/** What the server will do with one API request. */
export type Plan = { kind: 'ok' } | { kind: 'reset' } | { kind: 'status'; status: number; retryAfter?: string; body?: string };

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

function planStep(step: OutcomeStep): Plan {
  if (step === 'ok') return OK;
  if (step === 'reset') return RESET;
  if (typeof step === 'number') return { kind: 'status', status: step };
  return { kind: 'status', ...step };
}

/** A key's script wins over the error rate; keys without a script fall back to it. */
export function planResponse(
  key: string,
  attempt: number,
  script: readonly OutcomeStep[] | undefined,
  seed: number,
  errorRate: number,
): Plan {
  if (script !== undefined) return planStep(stepFor(script, attempt));
  return isInjectedError(key, attempt, seed, errorRate) ? INTERNAL : OK;
}
