import { fullJitterBackoffMs, throttleCooldownMs } from './backoff';

const ALMOST_ONE = 1 - 2 ** -53;

/** Deterministic pseudo-random numbers in [0, 1), so the test is repeatable. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('fullJitterBackoffMs', () => {
  test('returns 0 when the random draw is 0, whatever the attempt', () => {
    for (const attempt of [1, 2, 5, 30]) expect(fullJitterBackoffMs(attempt, 200, 30_000, () => 0)).toBe(0);
  });

  test('stays just below base·2^(attempt−1) when the random draw is almost 1', () => {
    const delays = [1, 2, 3, 4, 5, 8].map((attempt) => fullJitterBackoffMs(attempt, 200, 30_000, () => ALMOST_ONE));
    expect(delays).toEqual([199, 399, 799, 1599, 3199, 25_599]);
  });

  test('never reaches the cap once base·2^(attempt−1) exceeds maxDelayMs', () => {
    for (const attempt of [9, 10, 50, 1000, 5000]) {
      expect(fullJitterBackoffMs(attempt, 200, 30_000, () => ALMOST_ONE)).toBe(29_999);
    }
  });

  test('scales the draw linearly inside the window', () => {
    expect(fullJitterBackoffMs(3, 100, 30_000, () => 0.5)).toBe(200);
    expect(fullJitterBackoffMs(1, 1000, 30_000, () => 0.25)).toBe(250);
  });

  test('returns whole milliseconds with 0 ≤ delay < min(max, base·2^(attempt−1)) for many draws', () => {
    const random = seededRandom(42);
    for (let attempt = 1; attempt <= 20; attempt++) {
      const ceiling = Math.min(30_000, 200 * 2 ** (attempt - 1));
      for (let i = 0; i < 200; i++) {
        const delay = fullJitterBackoffMs(attempt, 200, 30_000, random);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });

  test('treats attempt 0 and negative attempts like the first retry', () => {
    expect(fullJitterBackoffMs(0, 200, 30_000, () => ALMOST_ONE)).toBe(199);
    expect(fullJitterBackoffMs(-3, 200, 30_000, () => ALMOST_ONE)).toBe(199);
  });

  test('a zero cap or zero base means no wait, even after thousands of attempts', () => {
    expect(fullJitterBackoffMs(3, 200, 0, () => ALMOST_ONE)).toBe(0);
    expect(fullJitterBackoffMs(3, 0, 30_000, () => ALMOST_ONE)).toBe(0);
    expect(fullJitterBackoffMs(5000, 0, 30_000, () => ALMOST_ONE)).toBe(0);
  });

  test('uses Math.random when no random source is given', () => {
    const spy = jest.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      expect(fullJitterBackoffMs(2, 100, 30_000)).toBe(100);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('throttleCooldownMs', () => {
  test('doubles from 1 s with each throttle in a row, capped at 60 s', () => {
    expect([0, 1, 2, 3, 6, 7, 30].map(throttleCooldownMs)).toEqual([1_000, 1_000, 2_000, 4_000, 32_000, 60_000, 60_000]);
  });
});
