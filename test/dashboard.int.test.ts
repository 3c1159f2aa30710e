import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Dashboard, startDashboard } from '@sluice/dashboard';
import { type CrawlStatus, type Engine, status } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import { collect, runCli, spawnCli, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec, testEngine } from './helpers';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
interface Family {
  type: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL},?)*)\\})? (\\S+)$`);
const SUFFIXES: Record<string, string[]> = { counter: [''], gauge: [''], histogram: ['_bucket', '_sum', '_count'] };

/**
 * A strict parser of the Prometheus text format (0.0.4), for what /metrics emits: every sample
 * belongs to the family declared by the # TYPE line before it, names, labels (with escapes)
 * and values are well-formed, histogram buckets are cumulative and end with +Inf = _count.
 * Throws naming the offending line.
 */
function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: { name: string; family: Family } | null = null;
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  for (const [i, line] of text.split('\n').entries()) {
    const fail = (why: string) => new Error(`line ${i + 1} ${why}: ${line}`);
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      if (families.has(name)) throw fail('declares a family twice');
      current = { name, family: { type: kind, samples: [] } };
      families.set(name, current.family);
      continue;
    }
    if (line.startsWith('#')) throw fail('is an unknown comment');
    const m = SAMPLE.exec(line);
    if (!m) throw fail('is not a sample');
    const [, name, labelText = '', , , raw] = m as unknown as [string, string, string | undefined, string, string, string];
    if (!current || !(SUFFIXES[current.family.type] ?? ['']).some((suffix) => name === `${current?.name}${suffix}`)) {
      throw fail('does not belong to the family declared before it');
    }
    const labels: Record<string, string> = {};
    for (const l of labelText.matchAll(new RegExp(LABEL, 'g'))) {
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = raw === '+Inf' ? Number.POSITIVE_INFINITY : raw === '-Inf' ? Number.NEGATIVE_INFINITY : Number(raw);
    if (raw !== 'NaN' && Number.isNaN(value)) throw fail('has no numeric value');
    current.family.samples.push({ name, labels, value });
  }
  for (const [name, family] of families) {
    if (family.type !== 'histogram') continue;
    const bySeries = new Map<string, Sample[]>();
    for (const s of family.samples) {
      const { le: _le, ...rest } = s.labels;
      const key = JSON.stringify(rest);
      bySeries.set(key, [...(bySeries.get(key) ?? []), s]);
    }
    for (const [key, samples] of bySeries) {
      const buckets = samples.filter((s) => s.name === `${name}_bucket`);
      const count = samples.find((s) => s.name === `${name}_count`)?.value;
      if (buckets.some((b, j) => j > 0 && b.value < (buckets[j - 1] as Sample).value))
        throw new Error(`${name}${key}: buckets not cumulative`);
      if (buckets.at(-1)?.labels.le !== '+Inf' || buckets.at(-1)?.value !== count)
        throw new Error(`${name}${key}: +Inf bucket must equal _count`);
    }
  }
  return families;
}

async function scrape(base: string): Promise<Map<string, Family>> {
  const res = await fetch(`${base}metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return parsePrometheusText(await res.text());
}

/** The value of the sample `name` (default: the family name) with the given labels. */
function value(families: Map<string, Family>, family: string, labels: Record<string, string>, name = family): number {
  const sample = families.get(family)?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (sample === undefined) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return sample.value;
}

/** The fields of a status that do not move while a crawl is paused. */
const STEADY_FIELDS = [
  'id',
  'name',
  'state',
  'total',
  'done',
  'failed',
  'pending',
  'percent',
  'enqueuedThrough',
  'queue',
  'createdAt',
  'workersOnline',
  'errorsByClass',
  'lastProgressAt',
] as const satisfies readonly (keyof CrawlStatus)[];

function steady(s: CrawlStatus): Pick<CrawlStatus, (typeof STEADY_FIELDS)[number]> {
  return Object.fromEntries(STEADY_FIELDS.map((field) => [field, s[field]])) as Pick<CrawlStatus, (typeof STEADY_FIELDS)[number]>;
}

/** Reads the event stream until `count` status frames arrived. */
async function statusEvents(url: string, count: number): Promise<CrawlStatus[][]> {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const frames: CrawlStatus[][] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^event: status\ndata: (.*)$/m.exec(frame);
        if (data?.[1]) frames.push(JSON.parse(data[1]) as CrawlStatus[]);
        end = buffer.indexOf('\n\n');
      }
      if (frames.length >= count) break;
    }
  } finally {
    abort.abort();
  }
  return frames;
}

describe('sluice dashboard', () => {
  test('API, pause/resume, live events and /metrics during a real crawl', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('dashboard', ({ url, prefix }) =>
        withMockApi({ latencyMs: 20, outcomes: { '000003': [404] } }, async (mock) => {
          const total = 2_000;
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, total, { limits: { concurrency: 4 } })));
          const runner: ChildProcess = spawnCli([...cliFlags(dir, url, prefix), 'run', specPath, '--json', '--no-progress']);
          const finished = collect(runner);
          const engine: Engine = await testEngine(dir, url, prefix);
          let dashboard: Dashboard | null = null;
          try {
            dashboard = await startDashboard({ engine, port: 0 });
            const base = dashboard.url;
            expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
            const get = async (path: string) => {
              const res = await fetch(`${base}${path}`);
              const text = await res.text();
              expect(text).not.toContain('redis://');
              return { status: res.status, body: text.startsWith('<') ? text : JSON.parse(text) };
            };

            await waitFor(() => mock.stats().requests > 100, { what: 'the crawl to start' });
            const first = await scrape(base);
            const ok1 = value(first, 'sluice_requests_total', { crawl: 'colours', outcome: 'ok' });
            const done1 = value(first, 'sluice_keys_done', { crawl: 'colours' });
            expect(value(first, 'sluice_keys_total', { crawl: 'colours' })).toBe(total);
            expect(first.get('sluice_request_duration_seconds')?.type).toBe('histogram');
            expect(first.get('sluice_requests_total')?.type).toBe('counter');
            for (const name of [
              'sluice_keys_failed',
              'sluice_throttle_events_total',
              'sluice_limiter_wait_seconds_total',
              'sluice_queue_depth',
            ]) {
              expect(first.has(name)).toBe(true);
            }
            const second = await waitFor(
              async () => {
                const m = await scrape(base);
                return value(m, 'sluice_requests_total', { crawl: 'colours', outcome: 'ok' }) > ok1 + 50 ? m : null;
              },
              { what: 'request counters to increase' },
            );
            expect(value(second, 'sluice_keys_done', { crawl: 'colours' })).toBeGreaterThan(done1);
            expect(value(second, 'sluice_workers_online', { crawl: 'colours' })).toBe(1);
            const duration = (name: string, labels: Record<string, string> = {}) =>
              value(second, 'sluice_request_duration_seconds', { crawl: 'colours', ...labels }, `sluice_request_duration_seconds${name}`);
            expect(duration('_count')).toBeGreaterThan(ok1);
            // The mock waits 20 ms per request: nothing is faster than 10 ms, the sum is at least 20 ms each.
            expect(duration('_bucket', { le: '0.01' })).toBe(0);
            expect(duration('_sum')).toBeGreaterThanOrEqual(duration('_count') * 0.02);

            const frames = await statusEvents(`${base}api/events`, 2);
            expect(frames[1]?.[0]).toMatchObject({ name: 'colours', total, state: 'running' });

            // A GET never changes anything; state changes are POST only.
            expect((await get('api/crawls/colours/pause')).status).toBe(405);
            expect((await get('api/crawls/nope')).status).toBe(404);
            const paused = await fetch(`${base}api/crawls/colours/pause`, { method: 'POST' });
            expect(paused.status).toBe(200);
            expect((await engine.store.crawls.find('colours'))?.paused).toBe(true);
            let stable = -1;
            await waitFor(
              async () => {
                const before = mock.stats().requests;
                await new Promise((r) => setTimeout(r, 1000));
                stable = mock.stats().requests;
                return stable === before;
              },
              { timeoutMs: 20_000, what: 'fetching to stop after pause' },
            );

            // Paused, the figures hold still: the API must equal the status use-case exactly.
            const api = await get('api/crawls');
            expect(api.status).toBe(200);
            const [expected] = await status(engine);
            expect((api.body as CrawlStatus[]).map(steady)).toEqual([steady(expected as CrawlStatus)]);
            expect((api.body as CrawlStatus[])[0]).toMatchObject({ state: 'paused', health: 'idle' });
            const p = await engine.store.ledger.progress(expected?.id ?? 0);
            expect(expected).toMatchObject({ done: p.done, failed: p.failed, total, pending: total - p.done - p.failed });
            const one = await get('api/crawls/colours');
            expect(steady(one.body as CrawlStatus)).toEqual(steady(expected as CrawlStatus));
            const failed = await get('api/crawls/colours/failed');
            expect(failed.body).toMatchObject({
              name: 'colours',
              limit: 200,
              failures: [{ key: '000003', errorClass: 'PermanentError', status: 404 }],
            });
            const rate = await get('api/crawls/colours/rate');
            expect(rate.body).toMatchObject({ name: 'colours', bucketSeconds: 10, redisUp: true });
            expect(mock.stats().requests).toBe(stable);

            // A page elsewhere may not pause or resume the crawl through the user's browser.
            const crossSite = await fetch(`${base}api/crawls/colours/resume`, {
              method: 'POST',
              headers: { origin: 'https://evil.example' },
            });
            expect(crossSite.status).toBe(403);
            expect((await engine.store.crawls.find('colours'))?.paused).toBe(true);

            const resumed = await fetch(`${base}api/crawls/colours/resume`, { method: 'POST' });
            expect(resumed.status).toBe(200);
            expect((await engine.store.crawls.find('colours'))?.paused).toBe(false);
            const result = await finished;
            expect(result.code).toBe(1);
            expect(JSON.parse(result.stdout)).toMatchObject({ done: total - 1, failed: 1, complete: true });

            const last = await scrape(base);
            expect(value(last, 'sluice_keys_done', { crawl: 'colours' })).toBe(total - 1);
            expect(value(last, 'sluice_keys_failed', { crawl: 'colours' })).toBe(1);
            expect(value(last, 'sluice_requests_total', { crawl: 'colours', outcome: 'permanent' })).toBe(1);
            expect(value(last, 'sluice_queue_depth', { crawl: 'colours', state: 'waiting' })).toBe(0);
            const retried = await fetch(`${base}api/crawls/colours/retry-failed`, { method: 'POST' });
            expect(await retried.json()).toEqual({ name: 'colours', retried: 1 });
            expect((await engine.store.ledger.progress(expected?.id ?? 0)).failed).toBe(0);
          } finally {
            await dashboard?.close();
            await engine.close();
            if (runner.exitCode === null && runner.signalCode === null) runner.kill('SIGKILL');
            await finished;
          }
        }),
      ),
    );
  });

  test('with a token, every request without it gets 401', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('dashtoken', async ({ url, prefix }) => {
        const engine = await testEngine(dir, url, prefix);
        const token = 'test-token-0123456789abcdef';
        const dashboard = await startDashboard({ engine, port: 0, token });
        try {
          const base = dashboard.url;
          const bearer = { authorization: `Bearer ${token}` };
          for (const path of ['', 'api/crawls', 'api/events', 'metrics', 'api/crawls/x/failed', 'nope']) {
            expect([path, (await fetch(`${base}${path}`)).status]).toEqual([path, 401]);
          }
          expect((await fetch(`${base}api/crawls`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
          expect((await fetch(`${base}api/crawls/x/pause`, { method: 'POST' })).status).toBe(401);
          // The query token is for what a browser opens by itself: the page and the event stream.
          expect((await fetch(`${base}api/crawls?token=${token}`)).status).toBe(401);

          expect((await fetch(`${base}api/crawls`, { headers: bearer })).status).toBe(200);
          expect((await fetch(`${base}metrics`, { headers: bearer })).status).toBe(200);
          const page = await fetch(`${base}?token=${token}`);
          expect(page.status).toBe(200);
          expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
          expect(await page.text()).toContain('<title>Sluice dashboard</title>');
          const events = new AbortController();
          const stream = await fetch(`${base}api/events?token=${token}`, { signal: events.signal });
          expect(stream.status).toBe(200);
          // An open event stream never holds up close().
          const started = Date.now();
          await dashboard.close();
          expect(Date.now() - started).toBeLessThan(5_000);
          events.abort();
        } finally {
          await dashboard.close();
          await engine.close();
        }
      }),
    );
  });

  test('`sluice dashboard` serves until SIGINT and exits 0; off loopback without a token it refuses with exit 2', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('dashcli', async ({ url, prefix }) => {
        const flags = cliFlags(dir, url, prefix);
        // Only `run` and `crawl create` make a ledger; the dashboard serves an existing one.
        await (await openStore(join(dir, 'sluice.db'))).close();
        const refused = await runCli([...flags, 'dashboard', '--host', '0.0.0.0', '--port', '0'], { env: { SLUICE_DASHBOARD_TOKEN: '' } });
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain('SLUICE_DASHBOARD_TOKEN');

        const child = spawnCli([...flags, 'dashboard', '--port', '0']);
        const done = collect(child);
        let out = '';
        child.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
        });
        try {
          const base = await waitFor(() => /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1], { what: 'the dashboard URL' });
          const res = await fetch(`${base}api/crawls`);
          expect(res.status).toBe(200);
          expect(await res.json()).toEqual([]);
          child.kill('SIGINT');
          const result = await done;
          expect(result.code).toBe(0);
          await expect(fetch(`${base}api/crawls`)).rejects.toThrow();
        } finally {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await done;
        }
      }),
    );
  });

  test('a host name other than loopback is refused when bound to loopback (DNS rebinding)', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('dashhost', async ({ url, prefix }) => {
        const engine = await testEngine(dir, url, prefix);
        const dashboard = await startDashboard({ engine, port: 0 });
        try {
          const port = new URL(dashboard.url).port;
          const { request } = await import('node:http');
          const statusFor = (host: string) =>
            new Promise<number>((resolve, reject) => {
              const req = request({ host: '127.0.0.1', port, path: '/api/crawls', headers: { host } }, (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
              });
              req.on('error', reject);
              req.end();
            });
          expect(await statusFor(`rebind.example:${port}`)).toBe(403);
          expect(await statusFor(`localhost:${port}`)).toBe(200);
        } finally {
          await dashboard.close();
          await engine.close();
        }
      }),
    );
  });
});
