/**
 * The adaptive-rate check of `pnpm bench:limits` (`--only adaptive`): a crawl with
 * `limits.perSecond: "auto"` (start 5/s) against the mock API's unannounced limit of L served
 * calls in any sliding second, which drops to L/2 part-way (a server under load). The mock's
 * own counts of served (200) and refused (429) answers are sampled every 100 ms; the figures
 * are computed from those samples.
 */
import type { MockApi } from '@sluice/mock-api';
import { clockMs, runScenario } from './scenario';

/** Served and refused answers counted by the mock up to `atMs` (the mock's clock). */
export interface AnswerSample {
  atMs: number;
  served: number;
  refused: number;
}

export interface AdaptiveFigures {
  /** Ms from the first sample until the first second served ≥ 85 % of L; null if never. */
  to85Ms: number | null;
  /** From that moment to the drop: the share of answers refused, and served per second / L. */
  refusedShareAfter: number | null;
  utilisationAfter: number | null;
  /**
   * Ms from the drop until the end of the first second (wholly after it) with < 2 % refused
   * answers, and until the end of the first such second that also served ≥ 85 % of the new limit.
   */
  followMs: number | null;
  to85AfterDropMs: number | null;
  /** From the first clean second after the drop to the end: refused share and served / new limit. */
  refusedShareAfterDrop: number | null;
  utilisationAfterDrop: number | null;
}

const SAMPLE_EVERY_MS = 100;
const SECOND = 1_000;

/** The index of the sample one second (or `spanMs`) before sample `i`, or -1. */
function back(samples: readonly AnswerSample[], i: number, spanMs = SECOND): number {
  const at = (samples[i] as AnswerSample).atMs - spanMs;
  for (let j = i; j >= 0; j--) if ((samples[j] as AnswerSample).atMs <= at) return j;
  return -1;
}

function span(samples: readonly AnswerSample[], from: number, to: number) {
  const a = samples[from] as AnswerSample;
  const b = samples[to] as AnswerSample;
  const served = b.served - a.served;
  const refused = b.refused - a.refused;
  return { served, refused, seconds: (b.atMs - a.atMs) / 1000, refusedShare: served + refused > 0 ? refused / (served + refused) : 0 };
}

/** The first sample index ≥ `from` whose trailing second passes `ok`, or -1. */
function firstSecond(samples: readonly AnswerSample[], from: number, ok: (s: ReturnType<typeof span>) => boolean): number {
  for (let i = from; i < samples.length; i++) {
    const j = back(samples, i);
    if (j >= 0 && ok(span(samples, j, i))) return i;
  }
  return -1;
}

/** Figures of one run: limit `limit` until `dropAtMs`, `dropped` after it. */
export function adaptiveFigures(samples: readonly AnswerSample[], limit: number, dropped: number, dropAtMs: number): AdaptiveFigures {
  const first = samples[0];
  const none: AdaptiveFigures = {
    to85Ms: null,
    refusedShareAfter: null,
    utilisationAfter: null,
    followMs: null,
    to85AfterDropMs: null,
    refusedShareAfterDrop: null,
    utilisationAfterDrop: null,
  };
  if (first === undefined) return none;
  const drop = samples.findIndex((s) => s.atMs >= dropAtMs);
  const beforeDrop = drop < 0 ? samples.length - 1 : drop;
  const converged = firstSecond(samples, 0, (s) => s.served >= 0.85 * limit);
  const figures = { ...none };
  if (converged >= 0 && converged < beforeDrop) {
    figures.to85Ms = (samples[converged] as AnswerSample).atMs - first.atMs;
    const after = span(samples, converged, beforeDrop);
    figures.refusedShareAfter = after.refusedShare;
    figures.utilisationAfter = after.served / after.seconds / limit;
  }
  if (drop < 0) return figures;
  const dropAt = (samples[drop] as AnswerSample).atMs;
  // A second counts only when it lies wholly after the drop.
  const cleanAfterDrop = firstSecond(samples, nextSecond(samples, drop), (s) => s.refusedShare < 0.02);
  if (cleanAfterDrop >= 0) {
    figures.followMs = (samples[cleanAfterDrop] as AnswerSample).atMs - dropAt;
    const rest = span(samples, cleanAfterDrop, samples.length - 1);
    figures.refusedShareAfterDrop = rest.refusedShare;
    figures.utilisationAfterDrop = rest.seconds > 0 ? rest.served / rest.seconds / dropped : null;
  }
  const back85 = firstSecond(samples, nextSecond(samples, drop), (s) => s.served >= 0.85 * dropped && s.refusedShare < 0.02);
  if (back85 >= 0) figures.to85AfterDropMs = (samples[back85] as AnswerSample).atMs - dropAt;
  return figures;
}

/** The first sample index a whole second after sample `i` (so its trailing second lies after `i`). */
function nextSecond(samples: readonly AnswerSample[], i: number): number {
  const at = (samples[i] as AnswerSample).atMs + SECOND;
  const j = samples.findIndex((s) => s.atMs >= at);
  return j < 0 ? samples.length : j;
}

export interface AdaptiveRun {
  limit: number;
  dropped: number;
  figures: AdaptiveFigures;
  /** The mock's answers by status over the whole run. */
  served: number;
  refused: number;
  failed: number;
  problems: string[];
  mockLoopDelayMaxMs: number;
}

/** One run: converge on `limit` from 5/s, drop the limit to half after `dropAfterMs`, stop `runMs` after the start. */
export async function runAdaptive(limit: number, dropAfterMs: number, runMs: number): Promise<AdaptiveRun> {
  const dropped = Math.max(1, Math.round(limit / 2));
  const samples: AnswerSample[] = [];
  let dropAtMs = Number.POSITIVE_INFINITY;
  const sample = (mock: MockApi) => {
    const byStatus = mock.stats().responsesByStatus;
    samples.push({ atMs: clockMs(), served: byStatus[200] ?? 0, refused: byStatus[429] ?? 0 });
  };
  const r = await runScenario({
    name: `adaptive-${limit}`,
    limits: { perSecond: 'auto', adaptive: { startPerSecond: 5 } },
    keys: 100_000,
    runMs,
    unannouncedPerSecond: limit,
    during: (mock) => {
      sample(mock);
      const sampler = setInterval(() => sample(mock), SAMPLE_EVERY_MS);
      const drop = setTimeout(() => {
        mock.setOptions({ unannouncedPerSecond: dropped });
        dropAtMs = clockMs();
      }, dropAfterMs);
      return () => {
        clearInterval(sampler);
        clearTimeout(drop);
      };
    },
  });
  const last = samples[samples.length - 1];
  return {
    limit,
    dropped,
    figures: adaptiveFigures(samples, limit, dropped, dropAtMs),
    served: last?.served ?? 0,
    refused: last?.refused ?? 0,
    failed: r.failed,
    problems: r.problems,
    mockLoopDelayMaxMs: r.mockLoopDelayMaxMs,
  };
}
