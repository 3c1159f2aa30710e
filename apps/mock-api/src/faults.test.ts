import { injectedErrorDraw, isInjectedError, planResponse } from './faults';
import { errorBodyFor, outcomeProblems, stepFor } from './outcomes';

describe('scripted outcomes', () => {
  it('plays step n for attempt n, then repeats the last step', () => {
    const script = [500, 500, 'ok'] as const;
    expect([0, 1, 2, 3, 10].map((n) => stepFor(script, n))).toEqual([500, 500, 'ok', 'ok', 'ok']);
    expect([0, 5].map((n) => stepFor([404], n))).toEqual([404, 404]);
  });

  it('wins over the error rate', () => {
    expect(planResponse('K', 0, ['ok'], 0, 1)).toEqual({ kind: 'ok' });
    expect(planResponse('K', 0, ['reset'], 0, 0)).toEqual({ kind: 'reset' });
    expect(planResponse('K', 0, [{ status: 429, retryAfter: '2' }], 0, 0)).toEqual({ kind: 'status', status: 429, retryAfter: '2' });
    expect(planResponse('K', 0, undefined, 0, 1)).toEqual({ kind: 'status', status: 500 });
  });

  it('reports every malformed step with its path', () => {
    expect(outcomeProblems({ A: [500, 'nope', { status: 99, extra: 1 }], B: [], C: 'ok' })).toEqual([
      'outcomes.A[1]: expected a status 200..599, "ok", "reset", a body fault (html200, truncated, empty, wrongSchema, wrongContentType, deepJson, hugeBody, gzipBomb, redirect) or {status, retryAfter?, body?}',
      'outcomes.A[2].status: expected an integer 200..599',
      'outcomes.A[2].extra: unknown field',
      'outcomes.B: expected a non-empty list of steps',
      'outcomes.C: expected a non-empty list of steps',
    ]);
    expect(outcomeProblems({ A: [500, 'ok', 'reset', { status: 503, retryAfter: '1', body: '{}' }] })).toEqual([]);
  });

  it('names failures by reason phrase', () => {
    expect(errorBodyFor(500)).toBe('{"error":"internal"}');
    expect(errorBodyFor(429)).toBe('{"error":"too many requests"}');
  });
});

describe('error rate', () => {
  it('is a pure function of key, attempt and seed', () => {
    expect(injectedErrorDraw('00FF00', 3, 42)).toBe(injectedErrorDraw('00FF00', 3, 42));
    expect(injectedErrorDraw('00FF00', 3, 42)).not.toBe(injectedErrorDraw('00FF00', 4, 42));
    expect(injectedErrorDraw('00FF00', 3, 42)).not.toBe(injectedErrorDraw('00FF00', 3, 43));
  });

  it('fails roughly the requested fraction, never at 0 and always at 1', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => i.toString(16).padStart(6, '0'));
    const failing = keys.filter((key) => isInjectedError(key, 0, 1, 0.2)).length;
    expect(failing / keys.length).toBeGreaterThan(0.18);
    expect(failing / keys.length).toBeLessThan(0.22);
    expect(keys.some((key) => isInjectedError(key, 0, 1, 0))).toBe(false);
    expect(keys.every((key) => isInjectedError(key, 0, 1, 1))).toBe(true);
  });
});
