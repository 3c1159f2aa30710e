import type { CrawlMetrics, MetricsSnapshot } from '@sluice/engine';

type CrawlStats = NonNullable<CrawlMetrics['stats']>;

import { createMetricsEndpoint } from './metrics';

function stats(): CrawlStats {
  return {
    attempts: { ok: 90, throttled: 3, transient: 6, permanent: 1 },
    durationBuckets: [
      { leMs: 10, count: 10 },
      { leMs: 25, count: 60 },
      { leMs: 'inf', count: 100 },
    ],
    durationSumMs: 4500,
    durationCount: 100,
    throttleEvents: 3,
    limiterWaitMs: 2500,
    rate: [],
    recentErrors: [],
  };
}

const snapshot = (redisUp: boolean): MetricsSnapshot => ({
  redisUp,
  crawls: [
    {
      id: 1,
      name: 'say "hi"',
      total: 200,
      done: 95,
      failed: 1,
      queue: redisUp ? { waiting: 4, active: 2, delayed: 0 } : null,
      workersOnline: redisUp ? 2 : null,
      ledgerFailing: redisUp ? 1 : null,
      outageWorkers: redisUp ? 2 : null,
      stats: redisUp ? stats() : null,
      credentials: redisUp
        ? [
            {
              name: 'AV_KEY_1',
              label: null,
              used: { perDay: 20 },
              remaining: { perDay: 5 },
              inFlight: null,
              pausedUntilMs: null,
              retired: null,
            },
            {
              name: 'AV_KEY_2',
              label: 'paid key',
              used: { perDay: 3 },
              remaining: { perDay: 22 },
              inFlight: null,
              pausedUntilMs: null,
              retired: 'invalid',
            },
          ]
        : [],
      adaptive: redisUp
        ? {
            ratePerSecond: 47.5,
            phase: 'steady',
            lastCutAtMs: 1_700_000_000_000,
            lastCutReason: 'throttle',
            limitFoundPerSecond: 49.2,
            cuts: 3,
            increases: 41,
          }
        : null,
    },
  ],
});

describe('/metrics rendering', () => {
  test('every metric is rendered from the snapshot, label values escaped', async () => {
    const text = await createMetricsEndpoint(async () => snapshot(true)).scrape();
    const crawl = 'crawl="say \\"hi\\""';
    for (const line of [
      `sluice_keys_done{${crawl}} 95`,
      `sluice_keys_failed{${crawl}} 1`,
      `sluice_keys_total{${crawl}} 200`,
      `sluice_requests_total{${crawl},outcome="throttled"} 3`,
      `sluice_throttle_events_total{${crawl}} 3`,
      `sluice_limiter_wait_seconds_total{${crawl}} 2.5`,
      `sluice_queue_depth{${crawl},state="active"} 2`,
      `sluice_workers_online{${crawl}} 2`,
      `sluice_ledger_unwritable_workers{${crawl}} 1`,
      `sluice_endpoint_outage_workers{${crawl}} 2`,
      `sluice_request_duration_seconds_bucket{${crawl},le="0.025"} 60`,
      `sluice_request_duration_seconds_bucket{${crawl},le="+Inf"} 100`,
      `sluice_request_duration_seconds_sum{${crawl}} 4.5`,
      `sluice_request_duration_seconds_count{${crawl}} 100`,
      '# TYPE sluice_request_duration_seconds histogram',
      '# TYPE sluice_requests_total counter',
      'sluice_redis_up 1',
      `sluice_credential_requests{${crawl},credential="AV_KEY_1",window="perDay"} 20`,
      `sluice_credential_remaining{${crawl},credential="AV_KEY_1",window="perDay"} 5`,
      `sluice_credential_state{${crawl},credential="AV_KEY_1",state="active"} 1`,
      `sluice_credential_state{${crawl},credential="paid key",state="retired"} 1`,
      `sluice_credential_state{${crawl},credential="paid key",state="active"} 0`,
      `sluice_adaptive_rate_per_second{${crawl}} 47.5`,
      `sluice_adaptive_cuts_total{${crawl}} 3`,
      `sluice_adaptive_phase{${crawl},phase="steady"} 1`,
      `sluice_adaptive_phase{${crawl},phase="probe"} 0`,
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    // A labelled credential is shown by its label only.
    expect(text).not.toContain('AV_KEY_2');
  });

  test('without Redis the Redis-derived series are absent, not zero', async () => {
    const text = await createMetricsEndpoint(async () => snapshot(false)).scrape();
    expect(text).toContain('sluice_keys_done{crawl="say \\"hi\\""} 95');
    expect(text).toContain('sluice_redis_up 0');
    expect(text).not.toMatch(/^sluice_requests_total\{/m);
    expect(text).not.toMatch(/^sluice_request_duration_seconds_bucket\{/m);
  });

  test('each scrape reads a fresh snapshot', async () => {
    let done = 0;
    const endpoint = createMetricsEndpoint(async () => ({ ...snapshot(false), crawls: [{ ...snapshot(false).crawls[0]!, done: ++done }] }));
    await endpoint.scrape();
    expect(await endpoint.scrape()).toContain('sluice_keys_done{crawl="say \\"hi\\""} 2');
  });
});
