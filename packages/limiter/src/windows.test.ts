import { ConfigError } from '@sluice/core';
import {
  assertLimits,
  budgetSleepMs,
  concurrencyPollMs,
  configuredWindows,
  countsFromEach,
  errorBackoffMs,
  isUnlimited,
  JITTER_MS,
  MAX_SLEEP_MS,
  maxInAnyWindow,
} from './windows';

const NONE = { perSecond: 0, perMinute: 0, perHour: 0, perDay: 0, concurrency: 0 };

describe('maxInAnyWindow', () => {
  test('counts a half-open span: a start exactly one length later is in the next window', () => {
    expect(maxInAnyWindow([0, 1000], 1000)).toBe(1);
    expect(maxInAnyWindow([0, 999.999], 1000)).toBe(2);
  });

  test('finds the densest span wherever it starts, in unsorted input', () => {
    expect(maxInAnyWindow([5000, 10, 1500, 900, 1000, 1899, 20], 1000)).toBe(4);
    expect(maxInAnyWindow([], 1000)).toBe(0);
    expect(maxInAnyWindow([3, 3, 3], 1)).toBe(3);
  });

  test('agrees with a brute-force count over every span start', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const times = Array.from({ length: 300 }, () => Math.floor(random() * 10_000));
    const brute = Math.max(...times.map((s) => times.filter((t) => t >= s && t < s + 700).length));
    expect(maxInAnyWindow(times, 700)).toBe(brute);
  });
});

describe('countsFromEach', () => {
  test('counts, for each sorted entry, the entries in the span that starts at it', () => {
    expect(countsFromEach([0, 10, 10, 999, 1000, 2500], 1000)).toEqual([4, 4, 3, 2, 1, 1]);
    expect(countsFromEach([], 1000)).toEqual([]);
  });
});

describe('waits', () => {
  test('a budget sleep is never shorter than the wait, adds at most the jitter, and is capped', () => {
    expect(budgetSleepMs(12.2, () => 0)).toBe(13);
    expect(budgetSleepMs(12.2, () => 0.999)).toBeLessThanOrEqual(13 + JITTER_MS);
    expect(budgetSleepMs(0.001, () => 0)).toBe(1);
    expect(budgetSleepMs(86_400_000, () => 0.5)).toBe(MAX_SLEEP_MS);
  });

  test('concurrency polls every 2–10 ms and Redis errors back off from 50 ms to 1 s', () => {
    expect(concurrencyPollMs(() => 0)).toBe(2);
    expect(concurrencyPollMs(() => 0.999)).toBeLessThan(10);
    expect([1, 2, 3, 5, 10].map(errorBackoffMs)).toEqual([50, 100, 200, 800, 1000]);
  });
});

describe('limits', () => {
  test('configures only non-zero windows, shortest first', () => {
    expect(configuredWindows({ ...NONE, perDay: 25, perSecond: 5 })).toEqual([
      { name: 'perSecond', lengthMs: 1000, max: 5 },
      { name: 'perDay', lengthMs: 86_400_000, max: 25 },
    ]);
  });

  test('is unlimited only without windows and without a global cap', () => {
    expect(isUnlimited(NONE)).toBe(true);
    expect(isUnlimited({ ...NONE, concurrency: 1 })).toBe(false);
    expect(isUnlimited({ ...NONE, perHour: 1 })).toBe(false);
  });

  test('rejects negative or fractional limits, naming each field', () => {
    expect(() => assertLimits({ ...NONE, perSecond: -1, perDay: 1.5 })).toThrow(ConfigError);
    expect(() => assertLimits({ ...NONE, perSecond: -1, perDay: 1.5 })).toThrow(/limits\.perSecond.*limits\.perDay/);
    expect(() => assertLimits(NONE)).not.toThrow();
  });
});
