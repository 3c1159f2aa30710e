import type { AdaptiveSettings } from '@sluice/core';

/**
 * The adaptive per-second rate (`limits.perSecond: "auto"`) as pure functions: additive
 * increase, multiplicative decrease (AIMD), the congestion control TCP uses, applied to an
 * API's unpublished request limit. Every worker process computes the same next state from the
 * state and the observations all of them share in Redis (`adaptiveRate.ts`); a version check
 * makes only one of them write it, so concurrent workers never cut twice for one overshoot.
 *
 * - **probe** (the start): while answers are clean and the rate is what holds the crawl back,
 *   the rate grows by PROBE_FACTOR every INTERVAL_MS, so even a start 40 times too low finds
 *   the limit within about ten seconds.
 * - **cut** (a throttle answer to a request that started more than CUT_GRACE_MS after the last
 *   change, or slow answers with `latencyFactor`): the controller remembers what the API served
 *   in the last complete second as the limit it found (`servedAtCut`), and the rate drops to
 *   BETA × the lower of that and itself, never by more than half at once and at most once per
 *   CUT_WINDOW_MS, the time a cut needs to show its effect in a sliding second.
 * - **steady** (after a cut): each clean interval halves the gap to `servedAtCut` (at least 1
 *   a second), so the rate is back near the limit within a few seconds; past it, it creeps up
 *   by STEP_SHARE (at least MIN_STEP) an interval until the next throttle, and far past it
 *   (REPROBE_SHARE: the API's limit has risen) it probes again.
 */

/** Interval between two increases, ms: a rate must have run for a whole sliding second to be judged clean. */
export const INTERVAL_MS = 1_000;
/** Growth per clean interval in the probe phase (×1.5: from 5/s to 200/s in ten intervals). */
export const PROBE_FACTOR = 1.5;
/** Growth per clean interval in the steady phase once past `servedAtCut`, as a share of the rate (at least MIN_STEP). */
export const STEP_SHARE = 0.01;
/** The least growth per clean interval past `servedAtCut`, requests per second: a slow creep keeps small limits' overshoots small. */
export const MIN_STEP = 0.5;
/** In the steady phase, a rate this far past `servedAtCut` without a throttle probes again (the limit has risen). */
export const REPROBE_SHARE = 1.2;
/**
 * A throttle answer to a request that started within this many ms after the last change says
 * nothing about the new rate: such a start was admitted ahead (the limiter reserves up to
 * 150 ms ahead) under the old one.
 */
export const CUT_GRACE_MS = 250;
/** Multiplicative decrease: the rate after a cut, as a share of the rate the API served. */
export const BETA = 0.95;
/** A cut never takes the rate below this share of what it was (an API that counts refused calls too serves ~0 while overloaded). */
export const MAX_CUT_SHARE = 0.5;
/** At most one cut per this many ms. */
export const CUT_WINDOW_MS = 1_000;
/** The rate only grows while the last second's starts reached this share of it: otherwise something else (concurrency, a slow API) holds the crawl back. */
export const BUSY_SHARE = 0.8;
/** A second's mean answer time counts (latency signal, fastest second) only with at least this many answers. */
export const MIN_LATENCY_SAMPLES = 10;

export type AdaptivePhase = 'probe' | 'steady';
export type CutReason = 'throttle' | 'latency';

/** The controller's state, one hash in Redis shared by every worker of the crawl. Times are Redis epoch ms. */
export interface AdaptiveState {
  /** The per-second limit the shared limiter enforces now, requests per second (fractional; the windows use its floor). */
  rate: number;
  phase: AdaptivePhase;
  /** Last increase or cut. */
  changedAtMs: number;
  /** Last cut; 0 before the first. */
  cutAtMs: number;
  /** Why the last cut happened; null before the first. */
  cutReason: CutReason | null;
  /** What the API served in the second before the last cut, requests per second: the limit found; 0 before the first cut. */
  servedAtCut: number;
  /** Cuts and increases so far. */
  cuts: number;
  increases: number;
  /** Fastest mean answer time of a second seen so far, ms; 0 until one is measured. */
  bestAnswerMs: number;
  /** Bumped by every write; a write based on an older version is refused. */
  version: number;
}

/** What every worker reported, read from Redis together with the state. */
export interface AdaptiveObservation {
  nowMs: number;
  /** Latest start (Redis ms) of any request answered with a throttle signal; 0 if none. */
  throttleStartMs: number;
  /** Clean answers in the last complete second, all workers. */
  cleanPerSecond: number;
  /** Sum of those answers' times, ms. */
  answerMsSum: number;
  /** Request starts in the last second (the per-second window), all workers. */
  startsPerSecond: number;
}

/** The state a crawl starts with. */
export function initialAdaptiveState(settings: AdaptiveSettings, nowMs: number): AdaptiveState {
  return {
    rate: settings.startPerSecond,
    phase: 'probe',
    changedAtMs: nowMs,
    cutAtMs: 0,
    cutReason: null,
    servedAtCut: 0,
    cuts: 0,
    increases: 0,
    bestAnswerMs: 0,
    version: 0,
  };
}

const clamp = (rate: number, settings: AdaptiveSettings) => Math.min(settings.ceilingPerSecond, Math.max(settings.floorPerSecond, rate));

/** The rate after one clean interval. */
export function increasedRate(state: Pick<AdaptiveState, 'rate' | 'phase' | 'servedAtCut'>, settings: AdaptiveSettings): number {
  const { rate, servedAtCut } = state;
  if (state.phase === 'probe') return clamp(rate * PROBE_FACTOR, settings);
  const gap = servedAtCut - rate;
  const grown = gap > 0 ? rate + Math.max(1, gap / 2) : rate + Math.max(MIN_STEP, rate * STEP_SHARE);
  return clamp(grown, settings);
}

/** What the API served before a cut: the clean answers of the last complete second, or the rate when none were counted. */
export function servedBeforeCut(rate: number, cleanPerSecond: number): number {
  return cleanPerSecond > 0 ? Math.min(rate, cleanPerSecond) : rate;
}

/** The rate after a cut, given the clean answers of the last complete second (0 if unknown). */
export function cutRate(rate: number, cleanPerSecond: number, settings: AdaptiveSettings): number {
  return clamp(Math.max(rate * MAX_CUT_SHARE, servedBeforeCut(rate, cleanPerSecond) * BETA), settings);
}

/** The mean answer time of the last complete second, or null with too few answers to judge. */
export function meanAnswerMs(observation: AdaptiveObservation): number | null {
  if (observation.cleanPerSecond < MIN_LATENCY_SAMPLES) return null;
  return observation.answerMsSum / observation.cleanPerSecond;
}

/** Why the controller cuts now, or null. */
export function cutSignal(state: AdaptiveState, observation: AdaptiveObservation, settings: AdaptiveSettings): CutReason | null {
  const sinceCut = observation.nowMs - state.cutAtMs;
  if (sinceCut < CUT_WINDOW_MS) return null;
  // Only a request admitted after the last cut tells anything about the rate since then.
  if (observation.throttleStartMs > state.cutAtMs + CUT_GRACE_MS) return 'throttle';
  const mean = meanAnswerMs(observation);
  // The second measured must lie wholly after the last cut.
  if (settings.latencyFactor > 0 && mean !== null && state.bestAnswerMs > 0 && sinceCut >= CUT_WINDOW_MS + 1_000) {
    if (mean > settings.latencyFactor * state.bestAnswerMs) return 'latency';
  }
  return null;
}

/**
 * The next state, or null when nothing changes. A cut wins over an increase; an increase needs
 * a full interval since the last change with no throttle answer to a request started in it,
 * and a busy rate (see BUSY_SHARE).
 */
export function nextAdaptiveState(
  state: AdaptiveState,
  observation: AdaptiveObservation,
  settings: AdaptiveSettings,
): AdaptiveState | null {
  const { nowMs } = observation;
  const mean = meanAnswerMs(observation);
  const bestAnswerMs = mean !== null && (state.bestAnswerMs === 0 || mean < state.bestAnswerMs) ? mean : state.bestAnswerMs;
  const reason = cutSignal(state, observation, settings);
  if (reason !== null) {
    return {
      ...state,
      rate: cutRate(state.rate, observation.cleanPerSecond, settings),
      servedAtCut: servedBeforeCut(state.rate, observation.cleanPerSecond),
      phase: 'steady',
      changedAtMs: nowMs,
      cutAtMs: nowMs,
      cutReason: reason,
      cuts: state.cuts + 1,
      bestAnswerMs,
    };
  }
  const clean = observation.throttleStartMs <= state.changedAtMs + CUT_GRACE_MS;
  const busy = observation.startsPerSecond >= BUSY_SHARE * Math.floor(state.rate);
  if (nowMs - state.changedAtMs >= INTERVAL_MS && clean && busy && state.rate < settings.ceilingPerSecond) {
    const rate = increasedRate(state, settings);
    const phase = state.phase === 'steady' && rate > state.servedAtCut * REPROBE_SHARE ? 'probe' : state.phase;
    return { ...state, rate, phase, changedAtMs: nowMs, increases: state.increases + 1, bestAnswerMs };
  }
  return bestAnswerMs !== state.bestAnswerMs ? { ...state, bestAnswerMs } : null;
}

/** The whole-number limit the windows enforce for a rate. */
export function windowMax(rate: number): number {
  return Math.max(1, Math.floor(rate));
}
