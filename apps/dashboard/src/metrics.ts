import type { CrawlMetrics, MetricsSnapshot } from '@sluice/engine';
import { Counter, Gauge, type Metric, Registry } from 'prom-client';

/**
 * `/metrics` in Prometheus text format from a dedicated prom-client Registry. Nothing is
 * counted in this process: each scrape reads one snapshot (SQLite counts, Redis counters that
 * every worker flushes) and the collectors copy it into the metrics. Redis-derived series are
 * left out while Redis does not answer (a missing series, not a false reset to 0).
 */
export interface MetricsEndpoint {
  readonly contentType: string;
  /** Reads a snapshot and renders every metric. Scrapes run one after another. */
  scrape(): Promise<string>;
}

type Values = Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>;

/**
 * A histogram whose bucket counts come from outside (the Redis duration buckets), which
 * prom-client's Histogram cannot take: it only observes single values.
 */
class PresetHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly values: () => Values,
  ) {}
  async get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values() };
  }
}

function durationValues(crawls: readonly CrawlMetrics[]): Values {
  const name = 'sluice_request_duration_seconds';
  return crawls.flatMap(({ name: crawl, stats }) => {
    if (stats === null) return [];
    return [
      ...stats.durationBuckets.map((b) => ({
        labels: { crawl, le: b.leMs === 'inf' ? '+Inf' : String(b.leMs / 1000) },
        value: b.count,
        metricName: `${name}_bucket`,
      })),
      { labels: { crawl }, value: stats.durationSumMs / 1000, metricName: `${name}_sum` },
      { labels: { crawl }, value: stats.durationCount, metricName: `${name}_count` },
    ];
  });
}

export function createMetricsEndpoint(read: () => Promise<MetricsSnapshot>): MetricsEndpoint {
  const registry = new Registry();
  let snap: MetricsSnapshot = { redisUp: false, crawls: [] };
  const registers = [registry];

  const perCrawl = (name: string, help: string, pick: (c: CrawlMetrics) => number | null | undefined, kind: 'gauge' | 'counter') => {
    const collect = function (this: Gauge | Counter) {
      this.reset();
      for (const c of snap.crawls) {
        const v = pick(c);
        if (v === null || v === undefined) continue;
        if (this instanceof Gauge) this.set({ crawl: c.name }, v);
        else this.inc({ crawl: c.name }, v);
      }
    };
    if (kind === 'gauge') new Gauge({ name, help, labelNames: ['crawl'], registers, collect });
    else new Counter({ name, help, labelNames: ['crawl'], registers, collect });
  };

  perCrawl('sluice_keys_done', 'Keys with a result in the ledger.', (c) => c.done, 'gauge');
  perCrawl('sluice_keys_failed', 'Keys that ended without a result.', (c) => c.failed, 'gauge');
  perCrawl('sluice_keys_total', 'Keys in the crawl.', (c) => c.total, 'gauge');
  perCrawl(
    'sluice_throttle_events_total',
    'Throttle signals (429, Retry-After, rate-limit bodies): each paused the crawl, its credential, or cut an adaptive rate.',
    (c) => c.stats?.throttleEvents,
    'counter',
  );
  perCrawl(
    'sluice_limiter_wait_seconds_total',
    'Time requests spent waiting for the rate limiter.',
    (c) => (c.stats ? c.stats.limiterWaitMs / 1000 : null),
    'counter',
  );
  perCrawl('sluice_workers_online', 'Workers with a live heartbeat.', (c) => c.workersOnline, 'gauge');
  perCrawl(
    'sluice_ledger_unwritable_workers',
    'Workers whose ledger writes fail (disk full, read-only) and that hold their requests meanwhile.',
    (c) => c.ledgerFailing,
    'gauge',
  );
  perCrawl(
    'sluice_endpoint_outage_workers',
    'Workers that find the endpoint unreachable (circuit open); their requests wait.',
    (c) => c.outageWorkers,
    'gauge',
  );

  new Counter({
    name: 'sluice_requests_total',
    help: 'HTTP attempts by outcome: ok, throttled, transient, permanent.',
    labelNames: ['crawl', 'outcome'],
    registers,
    collect() {
      this.reset();
      for (const c of snap.crawls) {
        for (const [outcome, n] of Object.entries(c.stats?.attempts ?? {})) this.inc({ crawl: c.name, outcome }, n);
      }
    },
  });
  new Gauge({
    name: 'sluice_queue_depth',
    help: 'Batches (jobs) in the crawl queue by state: waiting, active, delayed.',
    labelNames: ['crawl', 'state'],
    registers,
    collect() {
      this.reset();
      for (const c of snap.crawls) for (const [state, n] of Object.entries(c.queue ?? {})) this.set({ crawl: c.name, state }, n);
    },
  });
  // Per window of each pool credential: what it used and what it has left.
  for (const [name, help, figure] of [
    ['sluice_credential_requests', 'Requests in the current window of each pool credential (named by its environment variable).', 'used'],
    ['sluice_credential_remaining', 'Requests left in the current window of each pool credential.', 'remaining'],
  ] as const) {
    new Gauge({
      name,
      help,
      labelNames: ['crawl', 'credential', 'window'],
      registers,
      collect() {
        this.reset();
        for (const c of snap.crawls) {
          for (const u of c.credentials)
            for (const [window, n] of Object.entries(u[figure])) this.set({ crawl: c.name, credential: u.label ?? u.name, window }, n);
        }
      },
    });
  }
  new Gauge({
    name: 'sluice_credential_state',
    help: '1 for the state each pool credential is in: active, paused (its throttle pause) or retired (invalid or revoked).',
    labelNames: ['crawl', 'credential', 'state'],
    registers,
    collect() {
      this.reset();
      for (const c of snap.crawls) {
        for (const u of c.credentials) {
          const state = u.retired !== null ? 'retired' : u.pausedUntilMs !== null ? 'paused' : 'active';
          for (const s of ['active', 'paused', 'retired'])
            this.set({ crawl: c.name, credential: u.label ?? u.name, state: s }, s === state ? 1 : 0);
        }
      }
    },
  });
  perCrawl(
    'sluice_adaptive_rate_per_second',
    'The adaptive per-second limit in force (limits.perSecond "auto"), all workers.',
    (c) => c.adaptive?.ratePerSecond,
    'gauge',
  );
  perCrawl('sluice_adaptive_cuts_total', 'Cuts of the adaptive rate (throttle or latency signals).', (c) => c.adaptive?.cuts, 'counter');
  new Gauge({
    name: 'sluice_adaptive_phase',
    help: '1 for the phase the adaptive rate is in: probe (rising fast from the start) or steady (after the first cut).',
    labelNames: ['crawl', 'phase'],
    registers,
    collect() {
      this.reset();
      for (const c of snap.crawls) {
        const phase = c.adaptive?.phase;
        if (phase === undefined) continue;
        for (const p of ['probe', 'steady']) this.set({ crawl: c.name, phase: p }, p === phase ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'sluice_redis_up',
    help: '1 when Redis answered this scrape, else 0 (Redis-derived series are then absent).',
    registers,
    collect() {
      this.set(snap.redisUp ? 1 : 0);
    },
  });
  registry.registerMetric(
    new PresetHistogram('sluice_request_duration_seconds', 'HTTP attempt duration, body included.', () =>
      durationValues(snap.crawls),
    ) as unknown as Metric,
  );

  let last: Promise<unknown> = Promise.resolve();
  return {
    contentType: registry.contentType,
    scrape() {
      const run = last.then(async () => {
        snap = await read();
        return registry.metrics();
      });
      last = run.catch(() => {});
      return run;
    },
  };
}
