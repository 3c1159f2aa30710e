import type { RecentError, WorkerInfo } from '@sluice/queue';
import { RATE_BUCKET_SECONDS } from '@sluice/queue';

/**
 * Pure arithmetic behind `status`: rates from the 10 s rate series, the ETA, the health verdict,
 * error grouping. No I/O, so every rule is unit-tested with plain numbers.
 */

/** A crawl with keys pending and workers online but no finished key for this long is `stalled`. */
export const STALL_AFTER_MS = 60_000;
const DAY_SECONDS = 86_400;

/** `ok`: making progress; `stalled`: workers online, keys pending, no progress for 60 s;
 * `idle`: nothing expected to happen (done or paused); `no-worker`: keys pending, not paused,
 * and no worker online to fetch them; `outage`: a worker's endpoint is unreachable (circuit
 * open), requests wait; `ledger-unwritable`: a worker cannot write the ledger
 * (disk full, read-only) and holds its requests; `redis-unreachable`: Redis did not answer, so
 * the live figures are unknown. */
export type Health = 'ok' | 'stalled' | 'idle' | 'no-worker' | 'outage' | 'ledger-unwritable' | 'redis-unreachable';

/** `open` when any live worker's circuit is open, else `half-open` when any probes, else `closed`. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * `part` of `total` in percent, rounded to one decimal (2 of 7 is 28.6, not 28.5). Never 100
 * while anything is left (99.96 shows as 99.9), so 100 % always means all of it.
 */
export function percentOf(part: number, total: number): number {
  if (total <= 0) return 100;
  const rounded = Math.round((part * 1000) / total) / 10;
  return part < total ? Math.min(rounded, 99.9) : rounded;
}

/** Rounds to 4 significant digits: readable JSON, yet 25 keys a day (0.000289/s) stays non-zero. */
export function roundRate(perSec: number): number {
  return perSec > 0 ? Number(perSec.toPrecision(4)) : 0;
}

/**
 * Keys finished per second over the last `windowSeconds`, from complete buckets only (the
 * bucket in progress would drag the rate down). A series younger than the window is divided
 * by the time it covers, so a crawl that started 30 s ago is not reported at half its speed.
 * The series' first bucket is almost always partial (the crawl started somewhere inside it),
 * so it is left out as soon as a later bucket with data is complete.
 * @param rate `[bucket start epoch seconds, keys finished]`, oldest first.
 */
export function ratePerSec(
  rate: ReadonlyArray<readonly [number, number]>,
  nowMs: number,
  windowSeconds: number,
  bucketSeconds: number = RATE_BUCKET_SECONDS,
): number {
  const first = rate[0];
  if (first === undefined) return 0;
  const current = Math.floor(nowMs / 1000 / bucketSeconds) * bucketSeconds;
  const second = rate[1];
  const seriesStart = second !== undefined && second[0] < current ? first[0] + bucketSeconds : first[0];
  const from = Math.max(current - windowSeconds, seriesStart);
  const span = current - from;
  if (span <= 0) return 0;
  let sum = 0;
  for (const [start, count] of rate) if (start >= from && start < current) sum += count;
  return sum / span;
}

/**
 * Seconds until every pending key is finished: `pending / rate`, null when the rate is 0.
 * With a daily quota (`perDay > 0`) no 24 h window may hold more than `perDay` requests, and
 * every key needs at least one: `pending` keys need at least `ceil(pending / perDay) − 1` more
 * days whatever the recent rate says. The larger of the two wins.
 */
export function etaSeconds(pending: number, perSec: number, perDay = 0): number | null {
  if (pending <= 0) return 0;
  if (!(perSec > 0)) return null;
  const fromRate = Math.ceil(pending / perSec);
  const fromQuota = perDay > 0 ? (Math.ceil(pending / perDay) - 1) * DAY_SECONDS : 0;
  return Math.max(fromRate, fromQuota);
}

export interface HealthInput {
  /** False when Redis did not answer. */
  redisUp: boolean;
  pending: number;
  paused: boolean;
  workers: ReadonlyArray<Pick<WorkerInfo, 'startedAt'>>;
  /** Epoch ms of the last commit that finished a key, or null. */
  lastProgressAt: number | null;
  /** Epoch ms until which a throttle signal holds the crawl back, or null. */
  throttledUntil: number | null;
  /** A live worker's failing ledger write, or null. Default null. */
  ledgerError?: string | null;
  /** Epoch ms since which a live worker's endpoint is unreachable, or null. Default null. */
  outageSince?: number | null;
  nowMs: number;
}

/**
 * Health proves progress, not just a PING. A crawl waiting out a throttle signal is not stalled;
 * neither is one whose oldest live worker joined less than 60 s ago (a worker attaching to an
 * old crawl must get the chance to finish a key first).
 */
export function healthOf(input: HealthInput): Health {
  if (!input.redisUp) return 'redis-unreachable';
  if (input.ledgerError) return 'ledger-unwritable';
  if (input.pending === 0 || input.paused) return 'idle';
  if (input.workers.length === 0) return 'no-worker';
  if (input.outageSince) return 'outage';
  if (input.throttledUntil !== null && input.throttledUntil > input.nowMs) return 'ok';
  const online = Math.min(...input.workers.map((w) => w.startedAt));
  const since = Math.max(input.lastProgressAt ?? 0, online);
  return input.nowMs - since >= STALL_AFTER_MS ? 'stalled' : 'ok';
}

/** Counts errors per class, most frequent first (ties by name). */
export function errorsByClass(errors: ReadonlyArray<Pick<RecentError, 'errorClass'>>): Record<string, number> {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(e.errorClass, (counts.get(e.errorClass) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return Object.fromEntries(sorted);
}

/** Optional heartbeat fields written by workers that have a breaker and a throttle pause. */
type HeartbeatExtras = { breaker?: string; throttledUntil?: number; ledgerError?: string | null; outageSince?: number };

/** When the oldest ongoing outage any live worker reports began (epoch ms), or null. */
export function outageSinceOf(workers: ReadonlyArray<WorkerInfo>): number | null {
  const since = workers.map((w) => (w as WorkerInfo & HeartbeatExtras).outageSince ?? 0).filter((s) => s > 0);
  return since.length > 0 ? Math.min(...since) : null;
}

/** The first failing ledger write any live worker reports, or null. */
export function ledgerErrorOf(workers: ReadonlyArray<WorkerInfo>): string | null {
  for (const w of workers) {
    const e = (w as WorkerInfo & HeartbeatExtras).ledgerError;
    if (e) return e;
  }
  return null;
}

/** The crawl's breaker: the worst state any live worker reports (`closed` when none says). */
export function breakerOf(workers: ReadonlyArray<WorkerInfo>): BreakerState {
  const states = workers.map((w) => (w as WorkerInfo & HeartbeatExtras).breaker);
  if (states.includes('open')) return 'open';
  if (states.includes('half-open')) return 'half-open';
  return 'closed';
}

/** The latest throttle pause any live worker reports, if still in the future; else null. */
export function throttledUntilOf(workers: ReadonlyArray<WorkerInfo>, nowMs: number): number | null {
  let until = 0;
  for (const w of workers) until = Math.max(until, (w as WorkerInfo & HeartbeatExtras).throttledUntil ?? 0);
  return until > nowMs ? until : null;
}

/**
 * The rate series as keys/s per complete bucket over the last `windowSeconds`, with empty
 * buckets filled in as 0 (a chart must show idle time as idle). Starts at the series' first
 * bucket when that is younger than the window.
 */
export function ratePoints(
  rate: ReadonlyArray<readonly [number, number]>,
  nowMs: number,
  windowSeconds = 3600,
  bucketSeconds: number = RATE_BUCKET_SECONDS,
): Array<[number, number]> {
  const first = rate[0];
  if (first === undefined) return [];
  const current = Math.floor(nowMs / 1000 / bucketSeconds) * bucketSeconds;
  const counts = new Map(rate.map(([start, count]) => [start, count]));
  const points: Array<[number, number]> = [];
  for (let t = Math.max(current - windowSeconds, first[0]); t < current; t += bucketSeconds) {
    points.push([t, roundRate((counts.get(t) ?? 0) / bucketSeconds)]);
  }
  return points;
}
