import type { WorkerInfo } from '@sluice/queue';
import { breakerOf, errorsByClass, etaSeconds, healthOf, ratePerSec, ratePoints, roundRate, throttledUntilOf } from './statusFigures';

const T = 1_700_000_000; // a bucket boundary (divisible by 10)
const at = (seconds: number) => (T + seconds) * 1000;

function worker(extra: Partial<WorkerInfo> & Record<string, unknown> = {}): WorkerInfo {
  return { id: 'w', host: 'h', pid: 1, startedAt: at(-600), finished: 0, inFlight: 0, beatAt: at(0), ...extra } as WorkerInfo;
}

describe('ratePerSec', () => {
  test('counts only complete buckets inside the window', () => {
    const rate: Array<[number, number]> = [
      [T - 600, 999], // outside the 1-minute window
      [T - 60, 60],
      [T - 10, 120],
      [T, 5000], // the bucket in progress
    ];
    expect(ratePerSec(rate, at(5), 60)).toBe(180 / 60);
  });

  test('a series younger than the window is divided by the time it covers, without its partial first bucket', () => {
    expect(
      ratePerSec(
        [
          [T - 30, 3],
          [T - 20, 100],
          [T - 10, 100],
          [T, 7],
        ],
        at(3),
        60,
      ),
    ).toBe(200 / 20);
    // Until a second bucket completes, the first one is all there is.
    expect(
      ratePerSec(
        [
          [T - 10, 40],
          [T, 7],
        ],
        at(3),
        60,
      ),
    ).toBe(4);
  });

  test('is 0 without a complete bucket and without data', () => {
    expect(ratePerSec([], at(0), 60)).toBe(0);
    expect(ratePerSec([[T, 50]], at(9), 60)).toBe(0);
  });

  test('idle buckets inside the window count as idle time', () => {
    expect(ratePerSec([[T - 300, 600]], at(1), 300)).toBe(2);
    expect(ratePerSec([[T - 300, 600]], at(1), 60)).toBe(0);
  });
});

describe('etaSeconds', () => {
  test('is pending / rate, 0 when nothing is pending, null at rate 0', () => {
    expect(etaSeconds(1000, 10)).toBe(100);
    expect(etaSeconds(0, 0)).toBe(0);
    expect(etaSeconds(5, 0)).toBeNull();
  });

  test('never promises more than the daily quota allows', () => {
    // 100 keys at 5 a minute would take 20 minutes, but 25 a day means at least 3 more days.
    expect(etaSeconds(100, 5 / 60, 25)).toBe(3 * 86_400);
    // Within one day's quota the rate decides.
    expect(etaSeconds(20, 5 / 60, 25)).toBe(240);
  });
});

describe('healthOf', () => {
  const base = {
    redisUp: true,
    pending: 10,
    paused: false,
    workers: [worker()],
    lastProgressAt: at(-5),
    throttledUntil: null,
    nowMs: at(0),
  };

  test('ok while keys are finishing', () => {
    expect(healthOf(base)).toBe('ok');
  });

  test('stalled when workers are online but nothing finished for 60 s', () => {
    expect(healthOf({ ...base, lastProgressAt: at(-61) })).toBe('stalled');
    expect(healthOf({ ...base, lastProgressAt: null })).toBe('stalled');
  });

  test('a worker that just joined gets 60 s before the crawl counts as stalled', () => {
    expect(healthOf({ ...base, lastProgressAt: at(-3600), workers: [worker({ startedAt: at(-10) })] })).toBe('ok');
  });

  test('waiting out a throttle signal is not a stall', () => {
    expect(healthOf({ ...base, lastProgressAt: at(-120), throttledUntil: at(30) })).toBe('ok');
  });

  test('idle when done or paused, no-worker when keys wait for nobody; redis-unreachable first', () => {
    expect(healthOf({ ...base, pending: 0 })).toBe('idle');
    expect(healthOf({ ...base, paused: true, lastProgressAt: at(-600) })).toBe('idle');
    expect(healthOf({ ...base, workers: [] })).toBe('no-worker');
    expect(healthOf({ ...base, workers: [], paused: true })).toBe('idle');
    expect(healthOf({ ...base, workers: [], pending: 0 })).toBe('idle');
    expect(healthOf({ ...base, redisUp: false })).toBe('redis-unreachable');
  });
});

describe('grouping and heartbeats', () => {
  test('errorsByClass counts per class, most frequent first', () => {
    const errors = ['TransientError', 'PermanentError', 'TransientError'].map((errorClass) => ({ errorClass }));
    expect(Object.entries(errorsByClass(errors))).toEqual([
      ['TransientError', 2],
      ['PermanentError', 1],
    ]);
  });

  test('breakerOf reports the worst worker state, closed by default', () => {
    expect(breakerOf([])).toBe('closed');
    expect(breakerOf([worker(), worker({ breaker: 'half-open' })])).toBe('half-open');
    expect(breakerOf([worker({ breaker: 'half-open' }), worker({ breaker: 'open' })])).toBe('open');
  });

  test('throttledUntilOf is the latest future pause, or null', () => {
    expect(throttledUntilOf([worker()], at(0))).toBeNull();
    expect(throttledUntilOf([worker({ throttledUntil: at(-1) })], at(0))).toBeNull();
    expect(throttledUntilOf([worker({ throttledUntil: at(5) }), worker({ throttledUntil: at(9) })], at(0))).toBe(at(9));
  });
});

describe('ratePoints', () => {
  test('fills idle buckets with 0 and leaves out the bucket in progress', () => {
    expect(
      ratePoints(
        [
          [T - 30, 100],
          [T - 10, 50],
          [T, 1],
        ],
        at(2),
      ),
    ).toEqual([
      [T - 30, 10],
      [T - 20, 0],
      [T - 10, 5],
    ]);
  });

  test('roundRate keeps slow rates visible', () => {
    expect(roundRate(25 / 86_400)).toBeGreaterThan(0);
    expect(roundRate(123.456789)).toBe(123.5);
    expect(roundRate(0)).toBe(0);
  });
});
