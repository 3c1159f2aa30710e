import type { CrawlScope, RedisClient } from '@sluice/queue';
import type { AdaptiveObservation, AdaptivePhase, AdaptiveState, CutReason } from './aimd';
import { limiterAdaptiveKey } from './limiterKeys';

/**
 * Readings of the adaptive rate's hash (see `adaptiveScript.ts`): the report script's reply for
 * the workers, and a plain read for status and metrics.
 */

const num = (value: unknown): number => {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
};

const phaseOf = (value: unknown): AdaptivePhase => (value === 'steady' ? 'steady' : 'probe');
const reasonOf = (value: unknown): CutReason | null => (value === 'throttle' || value === 'latency' ? value : null);

/** The state's fields as the hash holds them, for the write script. */
export function stateFields(state: AdaptiveState): string[] {
  return [
    'rate',
    state.rate.toFixed(3),
    'phase',
    state.phase,
    'changedAt',
    state.changedAtMs.toFixed(3),
    'cutAt',
    state.cutAtMs.toFixed(3),
    'cutReason',
    state.cutReason ?? '',
    'cuts',
    String(state.cuts),
    'increases',
    String(state.increases),
    'bestAnswerMs',
    state.bestAnswerMs.toFixed(3),
    'servedAtCut',
    state.servedAtCut.toFixed(3),
  ];
}

/** The report script's reply: the state and what all workers observed. */
export function parseReportReply(raw: unknown): { state: AdaptiveState; observation: AdaptiveObservation; throttledPerSecond: number } {
  if (!Array.isArray(raw) || raw.length < 16) throw new Error(`adaptive rate: unexpected script reply ${JSON.stringify(raw)}`);
  const nowMs = num(raw[0]);
  return {
    state: {
      rate: num(raw[1]),
      phase: phaseOf(raw[2]),
      changedAtMs: num(raw[3]),
      cutAtMs: num(raw[4]),
      cutReason: reasonOf(raw[5]),
      cuts: num(raw[6]),
      increases: num(raw[7]),
      bestAnswerMs: num(raw[8]),
      version: num(raw[9]),
      servedAtCut: num(raw[10]),
    },
    observation: {
      nowMs,
      throttleStartMs: num(raw[11]),
      cleanPerSecond: num(raw[12]),
      answerMsSum: num(raw[13]),
      startsPerSecond: num(raw[15]),
    },
    throttledPerSecond: num(raw[14]),
  };
}

/** What status, the dashboard and `/metrics` show of a crawl's adaptive rate. */
export interface AdaptiveReading {
  /** The per-second limit in force, requests per second. */
  ratePerSecond: number;
  /** `probe` (rising fast from the start) or `steady` (after the first cut: creeping up, cut on throttles). */
  phase: AdaptivePhase;
  /** Last cut (epoch ms, Redis clock) and why; null before the first. */
  lastCutAtMs: number | null;
  lastCutReason: CutReason | null;
  /** What the API served in the second before the last cut (the limit found), requests per second; null before the first cut. */
  limitFoundPerSecond: number | null;
  cuts: number;
  increases: number;
}

/** The adaptive rate's state, or null when the hash does not exist (no `"auto"` crawl has run, or Redis lost it). */
export async function readAdaptiveRate(redis: RedisClient, scope: CrawlScope): Promise<AdaptiveReading | null> {
  const [rate, phase, cutAt, cutReason, cuts, increases, servedAtCut] = await redis.hmget(
    limiterAdaptiveKey(scope),
    'rate',
    'phase',
    'cutAt',
    'cutReason',
    'cuts',
    'increases',
    'servedAtCut',
  );
  if (rate === null || rate === undefined) return null;
  const cutAtMs = num(cutAt);
  return {
    ratePerSecond: Math.round(num(rate) * 10) / 10,
    phase: phaseOf(phase),
    lastCutAtMs: cutAtMs > 0 ? cutAtMs : null,
    lastCutReason: reasonOf(cutReason),
    limitFoundPerSecond: num(servedAtCut) > 0 ? Math.round(num(servedAtCut) * 10) / 10 : null,
    cuts: num(cuts),
    increases: num(increases),
  };
}
