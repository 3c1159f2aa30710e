/**
 * Decides what a response means for the worker, from the status tables in errorTable.ts.
 * Pure: the clock is a parameter.
 */
import { PermanentError, type RequestError, ThrottledError, TransientError } from '@sluice/core';
import { statusClass } from './errorTable';
import { parseRetryAfterMs } from './retryAfter';
import type { HttpResponse } from './types';

/** What to do with a response. `reason` is a short, secret-free description. */
export type ResponseOutcome =
  | { outcome: 'ok' }
  | { outcome: 'throttled'; retryAfterMs: number | null; reason: string }
  | { outcome: 'transient'; reason: string }
  | { outcome: 'permanent'; reason: string };

/** The parts of a response that classification reads. */
export type ClassifiableResponse = Pick<HttpResponse, 'status' | 'headers'>;

/** Classifies a response by status, reading `retry-after` for 429 and 503. */
export function classifyResponse(res: ClassifiableResponse, nowMs: number = Date.now()): ResponseOutcome {
  const kind = statusClass(res.status);
  if (kind === 'ok') return { outcome: 'ok' };
  const reason = res.status >= 300 && res.status < 400 ? `redirect not followed (HTTP ${res.status})` : `HTTP ${res.status}`;
  if (kind === 'throttled' || kind === 'throttledIfRetryAfter') {
    const retryAfterMs = parseRetryAfterMs(res.headers['retry-after'], nowMs);
    // A throttle does not use up an attempt, so a 503 only counts as one when the server
    // told us how long to wait; otherwise an endless outage would retry forever.
    if (kind === 'throttled' || retryAfterMs !== null) return { outcome: 'throttled', retryAfterMs, reason };
    return { outcome: 'transient', reason };
  }
  return { outcome: kind, reason };
}

/** The error class that carries an outcome's decision, or null for `ok`. */
export function errorForOutcome(outcome: ResponseOutcome, status: number): RequestError | null {
  switch (outcome.outcome) {
    case 'ok':
      return null;
    case 'throttled':
      return new ThrottledError(outcome.reason, outcome.retryAfterMs, status);
    case 'transient':
      return new TransientError(outcome.reason, status);
    case 'permanent':
      return new PermanentError(outcome.reason, status);
  }
}

/** Throws ThrottledError, TransientError or PermanentError unless the response is ok. */
export function throwForOutcome(res: ClassifiableResponse, nowMs: number = Date.now()): void {
  const error = errorForOutcome(classifyResponse(res, nowMs), res.status);
  if (error !== null) throw error;
}
