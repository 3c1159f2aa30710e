import type { AdaptiveReading } from '@sluice/limiter';
import { type CrawlStats, RATE_BUCKET_SECONDS, readCrawlStats } from '@sluice/queue';
import type { Engine } from './engine';
import { loadCrawl } from './loadCrawl';
import { scopeOf } from './redisScope';
import { crawlsFor, redisFiguresFor } from './status';
import { ratePoints } from './statusFigures';
import { type LabelledUsage, withStatusRedis } from './statusRedis';

/** Raw monitoring figures of one crawl, for exporters such as the dashboard's `/metrics`. */
export interface CrawlMetrics {
  id: number;
  name: string;
  /** Ledger counts (SQLite): always known. */
  total: number;
  done: number;
  failed: number;
  /** Batches in the queue, or null when Redis is unreachable. */
  queue: { waiting: number; active: number; delayed: number } | null;
  /** Live workers, or null when Redis is unreachable. */
  workersOnline: number | null;
  /** Live workers whose ledger writes fail right now, or null when Redis is unreachable. */
  ledgerFailing: number | null;
  /** Live workers that find the endpoint unreachable (circuit open) right now, or null when Redis is unreachable. */
  outageWorkers: number | null;
  /** Request counters, duration histogram, throttle events and limiter wait (all workers), or null. */
  stats: CrawlStats | null;
  /** Pool credentials' use, pause and retirement (named, or labelled, never valued); empty without a pool or Redis. */
  credentials: LabelledUsage[];
  /** The adaptive per-second rate's state (`perSecond: "auto"`), or null without one or without Redis. */
  adaptive: AdaptiveReading | null;
}

export interface MetricsSnapshot {
  /** False when Redis did not answer: every Redis-derived figure is null then. */
  redisUp: boolean;
  crawls: CrawlMetrics[];
}

/** Reads every crawl's figures once: one SQLite look per crawl and one Redis round per crawl. */
export async function metricsSnapshot(engine: Engine): Promise<MetricsSnapshot> {
  const crawls = await crawlsFor(engine);
  const figures = await redisFiguresFor(engine, crawls);
  return {
    redisUp: figures !== null,
    crawls: await Promise.all(
      crawls.map(async (c, i) => {
        const p = await engine.store.ledger.progress(c.row.id);
        const f = figures?.[i];
        return {
          id: c.row.id,
          name: c.row.name,
          total: c.row.total,
          done: p.done,
          failed: p.failed,
          queue: f?.queue ?? null,
          workersOnline: f ? f.workers.length : null,
          ledgerFailing: f ? f.workers.filter((w) => w.ledgerError).length : null,
          outageWorkers: f ? f.workers.filter((w) => (w.outageSince ?? 0) > 0).length : null,
          stats: f?.stats ?? null,
          credentials: f?.credentials ?? [],
          adaptive: f?.adaptive ?? null,
        };
      }),
    ),
  };
}

/** A crawl's throughput over time, for charts. */
export interface CrawlRate {
  name: string;
  /** Width of one point in seconds. */
  bucketSeconds: number;
  /** `[bucket start epoch seconds, keys finished per second]` per complete bucket of the last hour, oldest first. */
  points: Array<[number, number]>;
  /** False when Redis did not answer (then `points` is empty). */
  redisUp: boolean;
}

/**
 * Keys finished per second over the last hour (the rate series workers keep in Redis).
 * @throws ConfigError when `ref` names no crawl.
 */
export async function crawlRate(engine: Engine, ref: string | number): Promise<CrawlRate> {
  const crawl = await loadCrawl(engine.store, ref);
  const stats = await withStatusRedis(engine, (redis) => readCrawlStats(redis, scopeOf(engine, crawl)));
  return {
    name: crawl.row.name,
    bucketSeconds: RATE_BUCKET_SECONDS,
    points: stats ? ratePoints(stats.rate, Date.now()) : [],
    redisUp: stats !== null,
  };
}
