import { poolCredentials } from '@sluice/core';
import type { AdaptiveReading } from '@sluice/limiter';
import type { Engine } from './engine';
import { type LoadedCrawl, loadCrawl, toLoadedCrawl } from './loadCrawl';
import { scopeOf } from './redisScope';
import {
  type BreakerState,
  breakerOf,
  errorsByClass,
  etaSeconds,
  type Health,
  healthOf,
  ledgerErrorOf,
  outageSinceOf,
  percentOf,
  ratePerSec,
  roundRate,
  throttledUntilOf,
} from './statusFigures';
import { type LabelledUsage, type RedisFigures, readRedisFigures, withStatusRedis } from './statusRedis';

/** A live worker of the crawl, from its heartbeat in Redis. */
export interface WorkerStatus {
  /** Random id of the worker session. */
  id: string;
  /** Host name of the machine it runs on. */
  host: string;
  pid: number;
  /** Requests in flight in that process. */
  inFlight: number;
  /** Keys that process finished (results and failures) since it started. */
  finished: number;
  /** When the worker session started (ISO 8601). */
  startedAt: string;
  /** Its last heartbeat (ISO 8601); a worker silent for 4 s disappears. */
  beatAt: string;
}

/** One of the crawl's last request errors (reason already redacted of secrets). */
export interface RecentErrorStatus {
  /** ISO 8601. */
  at: string;
  key: string;
  /** `TransientError`, `PermanentError`, `InvalidKeyError`, … */
  errorClass: string;
  reason: string;
}

/** One credential of the crawl's pool, named by its environment variable (never its value). */
export interface CredentialStatus {
  /** Its environment variable. */
  name: string;
  /** Its label (`credentials.labels`), which status, the dashboard and `/metrics` show instead of `name`; null when it has none. */
  label: string | null;
  /** `active`, `paused` (its own throttle pause, see `pausedUntil`) or `retired` (the API called it invalid or revoked). */
  state: 'active' | 'paused' | 'retired';
  /** Requests in each of its configured windows (`perSecond`, `perMinute`, `perHour`, `perDay`), all workers. */
  used: Record<string, number>;
  /** Requests left in each configured window. */
  remaining: Record<string, number>;
  /** Until when (ISO 8601) its throttle pause lasts, or null. */
  pausedUntil: string | null;
}

/**
 * The adaptive per-second rate of a crawl with `limits.perSecond: "auto"` (see
 * docs/rate-limits.md), shared by all its workers.
 */
export interface AdaptiveRateStatus {
  /** The per-second limit in force now, requests per second (one decimal). */
  ratePerSecond: number;
  /** `probe` (rising ×1.5 a second from the start) or `steady` (after a cut: back up to the limit found, then creeping past it). */
  phase: 'probe' | 'steady';
  /** The last cut (ISO 8601), or null before the first. */
  lastCutAt: string | null;
  /** Why it was cut: `throttle` (429, Retry-After, a rate-limit body) or `latency` (answers slowed down). */
  lastCutReason: 'throttle' | 'latency' | null;
  /** What the API served in the second before the last cut, requests per second: the limit found; null before the first cut. */
  limitFoundPerSecond: number | null;
  /** Cuts and increases since the crawl started. */
  cuts: number;
  increases: number;
}

/**
 * One crawl's status. Stable JSON shape of `sluice status --json` (one object per crawl), of the
 * dashboard's `/api/crawls` and of its live events. Fields read from Redis fall back to zero or
 * empty values when Redis does not answer; `health` then says `redis-unreachable`.
 */
export interface CrawlStatus {
  id: number;
  name: string;
  /**
   * `done` when every key has a result or failure, `paused` (by `sluice pause`, the dashboard,
   * or any BullMQ tool pausing the queue), or `running` (pending keys).
   */
  state: 'done' | 'running' | 'paused';
  /** Keys in the key source. */
  total: number;
  /** Keys with a result. */
  done: number;
  /** Keys that ended without a result. */
  failed: number;
  /** Keys with neither yet. */
  pending: number;
  /** done / total × 100, rounded to one decimal (100 only when every key is done). */
  percent: number;
  /** Keys the producer has walked past (enqueued or skipped). */
  enqueuedThrough: number;
  /** Jobs (batches) in Redis, or null when Redis is unreachable. */
  queue: { waiting: number; active: number; delayed: number } | null;
  /** When the crawl was created (ISO 8601). */
  createdAt: string;
  /** Requests in flight now, summed over the live workers' heartbeats. */
  inFlight: number;
  /**
   * Until when (ISO 8601) a throttle signal (429, Retry-After, rate-limit body) holds requests
   * back, or null when nothing throttles the crawl. The latest pause any live worker reports.
   */
  throttledUntil: string | null;
  /** Keys finished per second (all workers) over the last complete minute / five minutes. */
  ratePerSec: { last1m: number; last5m: number };
  /**
   * Seconds until every pending key is finished at the 5-minute rate, never less than the
   * daily quota (`limits.perDay`) allows; 0 when nothing is pending, null when the rate is 0.
   */
  etaSeconds: number | null;
  /** Number of live workers (`workers.length`). */
  workersOnline: number;
  /** The live workers, from their heartbeats. */
  workers: WorkerStatus[];
  /** Circuit breaker over transient errors: the worst state any live worker reports. */
  breaker: BreakerState;
  /** Count per error class over the last (up to 100) request errors. */
  errorsByClass: Record<string, number>;
  /** The last 10 request errors, newest first. */
  recentErrors: RecentErrorStatus[];
  /** When a key of the crawl was last finished (ISO 8601), or null if none ever was. */
  lastProgressAt: string | null;
  /** The pool credentials' use, remaining budget and state; empty without a pool or while Redis is unreachable. */
  credentials: CredentialStatus[];
  /**
   * The adaptive per-second rate (`limits.perSecond: "auto"`); null without one, before any
   * worker started, or while Redis is unreachable.
   */
  adaptiveRate: AdaptiveRateStatus | null;
  /**
   * `ok` (progressing), `stalled` (keys pending and workers online, but no key finished for
   * 60 s), `idle` (done or paused), `no-worker` (keys pending and no worker online: start one
   * with `sluice work <crawl>`) or `redis-unreachable`.
   */
  health: Health;
  /**
   * The driver's message while a live worker cannot write the ledger (`database or disk is
   * full`, `attempt to write a readonly database`); that worker fetches nothing meanwhile.
   * Null when every ledger write succeeds.
   */
  ledgerError: string | null;
  /**
   * Since when (ISO 8601) a live worker finds the endpoint unreachable (its circuit opened and
   * has not closed since), or null. Requests wait meanwhile; no key fails for it.
   */
  outageSince: string | null;
}

const RECENT_ERRORS_SHOWN = 10;
const iso = (ms: number) => new Date(ms).toISOString();

async function statusOf(crawl: LoadedCrawl, engine: Engine, redis: RedisFigures | null, nowMs: number): Promise<CrawlStatus> {
  const { row } = crawl;
  const p = await engine.store.ledger.progress(row.id);
  const lastProgressAt = await engine.store.ledger.lastProgressAt(row.id);
  const cursor = await engine.store.crawls.getCursor(row.id);
  const pending = Math.max(0, row.total - p.done - p.failed);
  const workers = redis?.workers ?? [];
  const rate = redis?.stats.rate ?? [];
  const last5m = ratePerSec(rate, nowMs, 300);
  const throttledUntil = throttledUntilOf(workers, nowMs);
  const errors = redis?.stats.recentErrors ?? [];
  const paused = row.paused || (redis?.queuePaused ?? false);
  const ledgerError = ledgerErrorOf(workers);
  const outageSince = outageSinceOf(workers);
  return {
    id: row.id,
    name: row.name,
    state: pending === 0 ? 'done' : paused ? 'paused' : 'running',
    total: row.total,
    done: p.done,
    failed: p.failed,
    pending,
    percent: percentOf(p.done, row.total),
    enqueuedThrough: Math.min(cursor * crawl.batchSize, row.total),
    queue: redis?.queue ?? null,
    createdAt: iso(row.createdAt),
    inFlight: workers.reduce((sum, w) => sum + w.inFlight, 0),
    throttledUntil: throttledUntil === null ? null : iso(throttledUntil),
    ratePerSec: { last1m: roundRate(ratePerSec(rate, nowMs, 60)), last5m: roundRate(last5m) },
    etaSeconds: etaSeconds(pending, last5m, crawl.spec.limits.perDay),
    workersOnline: workers.length,
    workers: workers.map((w) => ({
      id: w.id,
      host: w.host,
      pid: w.pid,
      inFlight: w.inFlight,
      finished: w.finished,
      startedAt: iso(w.startedAt),
      beatAt: iso(w.beatAt),
    })),
    breaker: breakerOf(workers),
    errorsByClass: errorsByClass(errors),
    recentErrors: errors
      .slice(0, RECENT_ERRORS_SHOWN)
      .map((e) => ({ at: iso(e.at), key: e.key, errorClass: e.errorClass, reason: e.reason })),
    lastProgressAt: lastProgressAt === null ? null : iso(lastProgressAt),
    health: healthOf({
      redisUp: redis !== null,
      pending,
      paused,
      workers,
      lastProgressAt,
      throttledUntil,
      ledgerError,
      outageSince,
      nowMs,
    }),
    ledgerError,
    outageSince: outageSince === null ? null : iso(outageSince),
    credentials: (redis?.credentials ?? []).map(credentialStatusOf),
    adaptiveRate: adaptiveStatusOf(redis?.adaptive ?? null),
  };
}

function adaptiveStatusOf(reading: AdaptiveReading | null): AdaptiveRateStatus | null {
  if (reading === null) return null;
  return {
    ratePerSecond: reading.ratePerSecond,
    phase: reading.phase,
    lastCutAt: reading.lastCutAtMs === null ? null : iso(reading.lastCutAtMs),
    lastCutReason: reading.lastCutReason,
    limitFoundPerSecond: reading.limitFoundPerSecond,
    cuts: reading.cuts,
    increases: reading.increases,
  };
}

function credentialStatusOf(usage: LabelledUsage): CredentialStatus {
  const state = usage.retired !== null ? 'retired' : usage.pausedUntilMs !== null ? 'paused' : 'active';
  return {
    name: usage.name,
    label: usage.label,
    state,
    used: { ...usage.used },
    remaining: { ...usage.remaining },
    pausedUntil: usage.pausedUntilMs === null ? null : iso(usage.pausedUntilMs),
  };
}

/** The crawls a status call covers: one (by id or name) or all. */
export async function crawlsFor(engine: Engine, ref?: string | number): Promise<LoadedCrawl[]> {
  return ref === undefined ? (await engine.store.crawls.list()).map(toLoadedCrawl) : [await loadCrawl(engine.store, ref)];
}

/** Redis figures of each crawl, in order, or null when Redis does not answer in time. */
export async function redisFiguresFor(engine: Engine, crawls: readonly LoadedCrawl[]): Promise<RedisFigures[] | null> {
  if (crawls.length === 0) return [];
  return withStatusRedis(engine, (redis) =>
    Promise.all(
      crawls.map((c) =>
        readRedisFigures(
          redis,
          scopeOf(engine, c),
          c.spec.credentials ? poolCredentials(c.spec.credentials) : [],
          c.spec.limits.perSecond === 'auto',
        ),
      ),
    ),
  );
}

/**
 * Status of one crawl (by id or name) or of all crawls: ledger counts from SQLite; queue
 * counts, workers, rates and recent errors from Redis when it answers.
 * @throws ConfigError when `ref` names no crawl.
 */
export async function status(engine: Engine, ref?: string | number): Promise<CrawlStatus[]> {
  const crawls = await crawlsFor(engine, ref);
  const figures = await redisFiguresFor(engine, crawls);
  // Read after Redis, so the ledger is at least as new as the rates beside it.
  const now = Date.now();
  return Promise.all(crawls.map((c, i) => statusOf(c, engine, figures?.[i] ?? null, now)));
}
