import { PermanentError, ThrottledError, TransientError } from '@sluice/core';
import { classifyResponse, throwForOutcome } from './classify';

const NOW = 1_700_000_000_000;
const res = (status: number, headers: Record<string, string | string[] | undefined> = {}) => ({ status, headers });

describe('classifyResponse', () => {
  test.each([
    [200, 'ok'],
    [201, 'ok'],
    [204, 'ok'],
    [301, 'permanent'],
    [302, 'permanent'],
    [304, 'permanent'],
    [400, 'permanent'],
    [401, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
    [408, 'transient'],
    [410, 'permanent'],
    [425, 'transient'],
    [429, 'throttled'],
    [500, 'transient'],
    [501, 'transient'],
    [502, 'transient'],
    [503, 'transient'],
    [504, 'transient'],
    [599, 'transient'],
    [100, 'permanent'],
    [600, 'permanent'],
  ])('status %i without headers is %s', (status, outcome) => {
    expect(classifyResponse(res(status), NOW).outcome).toBe(outcome);
  });

  test('429 is throttled with the Retry-After wait, or null when absent', () => {
    expect(classifyResponse(res(429, { 'retry-after': '7' }), NOW)).toEqual({
      outcome: 'throttled',
      retryAfterMs: 7000,
      reason: 'HTTP 429',
    });
    expect(classifyResponse(res(429), NOW)).toMatchObject({ outcome: 'throttled', retryAfterMs: null });
  });

  test('503 is throttled only with a usable Retry-After', () => {
    expect(classifyResponse(res(503, { 'retry-after': '2' }), NOW)).toMatchObject({ outcome: 'throttled', retryAfterMs: 2000 });
    expect(classifyResponse(res(503, { 'retry-after': 'later' }), NOW).outcome).toBe('transient');
  });

  test('a 3xx says the redirect was not followed', () => {
    expect(classifyResponse(res(301, { location: 'https://elsewhere.example/?token=secret' }), NOW)).toEqual({
      outcome: 'permanent',
      reason: 'redirect not followed (HTTP 301)',
    });
  });
});

describe('throwForOutcome', () => {
  test('returns quietly for ok responses', () => {
    expect(() => throwForOutcome(res(200), NOW)).not.toThrow();
  });

  test('throws the class that carries the decision, with the status', () => {
    const throttled = catchError(() => throwForOutcome(res(429, { 'retry-after': '3' }), NOW));
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect(throttled).toMatchObject({ retryAfterMs: 3000, status: 429 });
    expect(catchError(() => throwForOutcome(res(502), NOW))).toBeInstanceOf(TransientError);
    expect(catchError(() => throwForOutcome(res(404), NOW))).toMatchObject({ name: 'PermanentError', status: 404 });
    expect(catchError(() => throwForOutcome(res(404), NOW))).toBeInstanceOf(PermanentError);
  });
});

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
