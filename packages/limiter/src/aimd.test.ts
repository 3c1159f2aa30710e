import type { AdaptiveSettings } from '@sluice/core';
import {
  type AdaptiveObservation,
  type AdaptiveState,
  CUT_GRACE_MS,
  CUT_WINDOW_MS,
  cutRate,
  INTERVAL_MS,
  increasedRate,
  initialAdaptiveState,
  nextAdaptiveState,
  windowMax,
} from './aimd';

const SETTINGS: AdaptiveSettings = { startPerSecond: 5, floorPerSecond: 1, ceilingPerSecond: 1000, latencyFactor: 0 };
const T0 = 1_700_000_000_000;

function observe(partial: Partial<AdaptiveObservation>): AdaptiveObservation {
  return { nowMs: T0, throttleStartMs: 0, cleanPerSecond: 0, answerMsSum: 0, startsPerSecond: 0, ...partial };
}

function steadyAt(rate: number, changedAtMs = T0, cutAtMs = T0, servedAtCut = rate): AdaptiveState {
  return { ...initialAdaptiveState(SETTINGS, changedAtMs), rate, phase: 'steady', cutAtMs, cuts: 1, cutReason: 'throttle', servedAtCut };
}

describe('increasedRate', () => {
  test('grows by half in the probe phase, within the ceiling', () => {
    expect(increasedRate({ rate: 10, phase: 'probe', servedAtCut: 0 }, SETTINGS)).toBe(15);
    expect(increasedRate({ rate: 900, phase: 'probe', servedAtCut: 0 }, SETTINGS)).toBe(1000);
  });

  test('in the steady phase, halves the gap to the limit found (at least 1), then creeps past it by 1 % (at least 0.5)', () => {
    expect(increasedRate({ rate: 90, phase: 'steady', servedAtCut: 100 }, SETTINGS)).toBe(95);
    expect(increasedRate({ rate: 99.5, phase: 'steady', servedAtCut: 100 }, SETTINGS)).toBe(100.5);
    expect(increasedRate({ rate: 200, phase: 'steady', servedAtCut: 200 }, SETTINGS)).toBe(202);
    expect(increasedRate({ rate: 20, phase: 'steady', servedAtCut: 20 }, SETTINGS)).toBe(20.5);
  });
});

describe('cutRate', () => {
  test('drops to 95 % of what the API served, or of the rate when it served more', () => {
    expect(cutRate(120, 100, SETTINGS)).toBe(95);
    expect(cutRate(100, 150, SETTINGS)).toBe(95);
    expect(cutRate(100, 0, SETTINGS)).toBe(95);
  });

  test('never halves the rate or more at once, nor goes below the floor', () => {
    expect(cutRate(100, 10, SETTINGS)).toBe(50);
    expect(cutRate(1.5, 1, { ...SETTINGS, floorPerSecond: 1 })).toBe(1);
  });
});

describe('nextAdaptiveState', () => {
  test('raises a busy, clean rate once per interval, and not before', () => {
    const state = initialAdaptiveState(SETTINGS, T0);
    expect(nextAdaptiveState(state, observe({ nowMs: T0 + INTERVAL_MS - 1, startsPerSecond: 5 }), SETTINGS)).toBeNull();
    const next = nextAdaptiveState(state, observe({ nowMs: T0 + INTERVAL_MS, startsPerSecond: 5 }), SETTINGS);
    expect(next).toMatchObject({ rate: 7.5, phase: 'probe', changedAtMs: T0 + INTERVAL_MS, increases: 1 });
  });

  test('holds a rate the crawl does not use (something else holds it back)', () => {
    const state = steadyAt(100);
    expect(nextAdaptiveState(state, observe({ nowMs: T0 + 5_000, startsPerSecond: 79 }), SETTINGS)).toBeNull();
    expect(nextAdaptiveState(state, observe({ nowMs: T0 + 5_000, startsPerSecond: 80 }), SETTINGS)?.rate).toBe(101);
  });

  test('cuts, instead of raising, on a throttle answer to a request sent since the last change', () => {
    const state = steadyAt(100, T0, T0 - 5_000);
    const obs = observe({ nowMs: T0 + 500, throttleStartMs: T0 + 10, startsPerSecond: 100, cleanPerSecond: 98 });
    expect(nextAdaptiveState(state, obs, SETTINGS)).toMatchObject({
      rate: 93.1,
      servedAtCut: 98,
      cuts: 2,
      cutAtMs: T0 + 500,
      phase: 'steady',
    });
  });

  test('a throttle of a request admitted before the last cut (or reserved ahead under it) cuts nothing, and neither does one within the cut window', () => {
    const state = steadyAt(90, T0, T0);
    const before = observe({ nowMs: T0 + 2 * CUT_WINDOW_MS, throttleStartMs: T0 + CUT_GRACE_MS, startsPerSecond: 0 });
    expect(nextAdaptiveState(state, before, SETTINGS)).toBeNull();
    const tooSoon = observe({ nowMs: T0 + CUT_WINDOW_MS - 1, throttleStartMs: T0 + CUT_GRACE_MS + 5 });
    expect(nextAdaptiveState(state, tooSoon, SETTINGS)).toBeNull();
    const later = observe({ nowMs: T0 + CUT_WINDOW_MS, throttleStartMs: T0 + CUT_GRACE_MS + 5, cleanPerSecond: 80 });
    expect(nextAdaptiveState(state, later, SETTINGS)).toMatchObject({ rate: 76, servedAtCut: 80, cuts: 2 });
  });

  test('a steady rate well past the limit found without a throttle probes again (the limit rose)', () => {
    const state = steadyAt(59.5, T0, T0 - 10_000, 50);
    const next = nextAdaptiveState(state, observe({ nowMs: T0 + INTERVAL_MS, startsPerSecond: 59 }), SETTINGS);
    expect(next?.phase).toBe('probe');
    expect(next?.rate).toBeCloseTo(60.095);
  });

  test('the first cut ends the probe phase', () => {
    const state = { ...initialAdaptiveState(SETTINGS, T0), rate: 160 };
    const next = nextAdaptiveState(state, observe({ nowMs: T0 + 300, throttleStartMs: T0 + 100, cleanPerSecond: 100 }), SETTINGS);
    expect(next).toMatchObject({ rate: 95, phase: 'steady', cutReason: 'throttle', cuts: 1 });
  });

  test('with latencyFactor, a second of answers that slow cuts the rate, once the fastest second is known', () => {
    const settings = { ...SETTINGS, latencyFactor: 2 };
    const state = steadyAt(50, T0, T0 - 10_000);
    const fast = nextAdaptiveState(state, observe({ nowMs: T0 + 100, cleanPerSecond: 50, answerMsSum: 50 * 20 }), settings);
    expect(fast).toMatchObject({ bestAnswerMs: 20, rate: 50 });
    const slow = observe({ nowMs: T0 + 200, cleanPerSecond: 40, answerMsSum: 40 * 41 });
    expect(nextAdaptiveState(fast as AdaptiveState, slow, settings)).toMatchObject({ cutReason: 'latency', rate: 38 });
    expect(nextAdaptiveState(fast as AdaptiveState, slow, SETTINGS)).toBeNull();
  });

  test('too few answers say nothing about latency', () => {
    const settings = { ...SETTINGS, latencyFactor: 2 };
    const state = { ...steadyAt(50, T0, T0 - 10_000), bestAnswerMs: 20 };
    expect(nextAdaptiveState(state, observe({ nowMs: T0 + 100, cleanPerSecond: 9, answerMsSum: 9 * 500 }), settings)).toBeNull();
  });

  test('simulated against a sliding limit of 100/s from 5/s: converges above 85 and cuts rarely', () => {
    const limit = 100;
    let state = initialAdaptiveState(SETTINGS, T0);
    let throttleStartMs = 0;
    const rates: number[] = [];
    for (let t = 100; t <= 60_000; t += 100) {
      const nowMs = T0 + t;
      const sending = windowMax(state.rate);
      if (sending > limit) throttleStartMs = nowMs - 50;
      const obs = observe({ nowMs, throttleStartMs, cleanPerSecond: Math.min(sending, limit), startsPerSecond: sending });
      state = nextAdaptiveState(state, obs, SETTINGS) ?? state;
      if (t % 1_000 === 0) rates.push(state.rate);
    }
    const afterThirty = rates.slice(30);
    expect(Math.min(...afterThirty)).toBeGreaterThanOrEqual(85);
    expect(Math.max(...afterThirty)).toBeLessThan(limit + 5);
    expect(state.cuts).toBeLessThan(20);
  });
});
