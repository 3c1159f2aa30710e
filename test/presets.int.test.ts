import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedSpec, createCrawl, type Engine, listFailed, openEngine, silentLogger, status, work } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { REPO_ROOT, toArray, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { downloadColours } from './examples/library';

/**
 * The shipped preset examples, run against the mock API: each example is loaded from
 * `examples/` and only pointed at the mock (plus small windows where the real ones are a
 * minute or a day long).
 */

const EXAMPLES = join(REPO_ROOT, 'examples');

type Json = Record<string, unknown>;

/** An example spec with `patch` merged over it one level deep (per top-level section). */
function example(file: string, patch: Json): Json {
  const raw = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Json;
  const out: Json = { ...raw };
  for (const [section, value] of Object.entries(patch)) {
    const base = raw[section];
    const mergeable = typeof value === 'object' && value !== null && !Array.isArray(value) && typeof base === 'object' && base !== null;
    out[section] = mergeable ? { ...(base as Json), ...(value as Json) } : value;
  }
  return out;
}

/** An engine whose environment holds the Alpha Vantage key the preset's template asks for. */
function avEngine(dir: string, redisUrl: string, prefix: string): Promise<Engine> {
  return openEngine({
    dbPath: join(dir, 'sluice.db'),
    redisUrl,
    prefix,
    env: { ...process.env, ALPHAVANTAGE_API_KEY: 'demo-key' },
    log: silentLogger,
  });
}

const resultKeys = async (engine: Engine, crawlId: number) =>
  (await toArray(engine.store.ledger.iterateResults(crawlId))).map((r) => r.key);

describe('alphavantage preset (examples/alphavantage-overview.json)', () => {
  test('throttle bodies pause the crawl; every symbol still succeeds and no attempt is used', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('av-throttle', ({ url, prefix }) =>
        withMockApi({ quota: { limit: 2, windowMs: 1_000, mode: 'body' } }, async (mock) => {
          const engine = await avEngine(dir, url, prefix);
          try {
            const spec = checkedSpec(
              example('alphavantage-overview.json', {
                request: { baseUrl: `${mock.url}/query` },
                limits: { perMinute: 0, perDay: 0 },
                responseRules: { throttleBodyPauseMs: 300 },
              }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, EXAMPLES);
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ total: 5, done: 5, failed: 0, complete: true });
            expect(mock.stats().throttled).toBeGreaterThan(0);
            const rows = await toArray(engine.store.ledger.iterateResults(crawl.row.id));
            expect(rows.map((r) => r.key)).toEqual(['IBM', 'AAPL', 'MSFT', 'GOOGL', 'AMZN']);
            expect(rows.every((r) => r.attempts === 1)).toBe(true);
            expect(rows.every((r) => (JSON.parse(r.body) as { Symbol: string }).Symbol === r.key)).toBe(true);
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });

  test('an invalid symbol fails at once as PermanentError with the Error Message reason', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('av-invalid', ({ url, prefix }) =>
        withMockApi({ invalidSymbols: ['GOOGL'] }, async (mock) => {
          const engine = await avEngine(dir, url, prefix);
          try {
            const spec = checkedSpec(
              example('alphavantage-overview.json', { request: { baseUrl: `${mock.url}/query` }, limits: { perMinute: 0, perDay: 0 } }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, EXAMPLES);
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ done: 4, failed: 1 });
            const { failures } = await listFailed(engine, crawl.row.id);
            expect(failures).toHaveLength(1);
            expect(failures[0]).toMatchObject({ key: 'GOOGL', errorClass: 'PermanentError', attempts: 1 });
            expect(failures[0]?.reason).toContain('Error Message');
            expect(failures[0]?.reason).not.toContain('demo-key');
            expect(mock.requestsForKey('GOOGL')).toBe(1);
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });

  test('the daily budget stops requests at perDay; the crawl waits with the rest pending', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('av-perday', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const engine = await avEngine(dir, url, prefix);
          const stop = new AbortController();
          try {
            // perMinute 5 as in the example; a day is too long to wait for, so only its cap is checked.
            const spec = checkedSpec(
              example('alphavantage-overview.json', { request: { baseUrl: `${mock.url}/query` }, limits: { perDay: 3 } }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, EXAMPLES);
            const running = work(engine, crawl.row.id, { signal: stop.signal, progressIntervalMs: 100 });
            await waitFor(async () => (await engine.store.ledger.progress(crawl.row.id)).done >= 3, {
              what: 'three results',
              timeoutMs: 20_000,
            });
            // Time for a fourth request to slip through if the budget leaked.
            await new Promise((r) => setTimeout(r, 2_000));
            expect(mock.stats().requests).toBe(3);
            expect(await engine.store.ledger.progress(crawl.row.id)).toEqual({ done: 3, failed: 0 });
            stop.abort();
            const summary = await running;
            expect(summary).toMatchObject({ done: 3, failed: 0, complete: false });
            const [s] = await status(engine, crawl.row.id);
            expect(s).toMatchObject({ total: 5, done: 3, failed: 0, pending: 2 });
            expect(mock.stats().requests).toBe(3);
          } finally {
            stop.abort();
            await engine.close();
          }
        }),
      ),
    );
  });

  test('a CSV universe (examples/av-universe.json) crawls the active stocks only', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('av-universe', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const engine = await avEngine(dir, url, prefix);
          try {
            const spec = checkedSpec(
              example('av-universe.json', { request: { baseUrl: `${mock.url}/query` }, limits: { perMinute: 0, perDay: 0 } }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, EXAMPLES);
            expect(crawl.row.total).toBe(5);
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ done: 5, failed: 0 });
            expect(await resultKeys(engine, crawl.row.id)).toEqual(['A', 'AA', 'AAPL', 'IBM', 'MSFT']);
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });
});

describe('colors preset (examples/colors-all.json)', () => {
  test('a malformed (black) answer is rejected by hex.clean and stored as a failure, not a result', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('colors-black', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          // The mock answers malformed hex with black, like the real API: script that answer.
          const black = await (await fetch(`${mock.url}/id?hex=nothex`)).text();
          expect(JSON.parse(black).hex.clean).toBe('000000');
          mock.setOptions({ outcomes: { '00FF00': [{ status: 200, body: black }] } });
          const engine = await openEngine({ dbPath: join(dir, 'sluice.db'), redisUrl: url, prefix, env: process.env, log: silentLogger });
          try {
            const spec = checkedSpec(
              example('colors-all.json', {
                keys: { list: ['FF0000', '00FF00', '0000FF', 'ABCDEF'] },
                request: { baseUrl: `${mock.url}/id` },
                limits: { perSecond: 0 },
              }),
              't',
            );
            expect(spec.validate.keyField).toBe('hex.clean');
            const { crawl } = await createCrawl(engine, spec, dir);
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ done: 3, failed: 1 });
            expect(await resultKeys(engine, crawl.row.id)).toEqual(['FF0000', '0000FF', 'ABCDEF']);
            const [failure] = (await listFailed(engine, crawl.row.id)).failures;
            expect(failure).toMatchObject({ key: '00FF00', errorClass: 'PermanentError' });
            expect(failure?.reason).toContain('hex.clean');
            expect(mock.requestsForKey('00FF00')).toBe(1);
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });

  test('without a key source the preset covers all 16,777,216 colours', () => {
    const spec = checkedSpec(example('colors-all.json', {}), 't');
    expect(spec.keys).toEqual({ range: { from: 0, to: 0xffffff, format: 'hex6' } });
    expect(spec.request.url).toBe('https://www.thecolorapi.com/id?hex={key}');
  });
});

describe('generic preset (examples/generic-json.json and the library example)', () => {
  test('requiredFields and keyField reject bodies that lack a field or are about another key', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('generic-rules', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const good = JSON.parse(await (await fetch(`${mock.url}/id?hex=00FFFF`)).text()) as Json;
          const { name: _dropped, ...noName } = good;
          mock.setOptions({
            outcomes: {
              // name.value missing.
              FFFF00: [{ status: 200, body: JSON.stringify(noName) }],
              // A body about 00FFFF when FF00FF was asked for.
              FF00FF: [{ status: 200, body: JSON.stringify(good) }],
            },
          });
          const engine = await openEngine({ dbPath: join(dir, 'sluice.db'), redisUrl: url, prefix, env: process.env, log: silentLogger });
          try {
            const spec = checkedSpec(
              example('generic-json.json', { request: { baseUrl: `${mock.url}/id` }, limits: { perSecond: 0 } }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, dir);
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ done: 4, failed: 2 });
            expect(await resultKeys(engine, crawl.row.id)).toEqual(['FF0000', '00FF00', '0000FF', '00FFFF']);
            const { failures } = await listFailed(engine, crawl.row.id);
            expect(failures.map((f) => [f.key, f.errorClass])).toEqual([
              ['FFFF00', 'PermanentError'],
              ['FF00FF', 'PermanentError'],
            ]);
            expect(failures[0]?.reason).toContain('name.value');
            expect(failures[1]?.reason).toContain('hex.clean');
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });

  test('a custom validator given through the library API fails the keys it rejects with PermanentError', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('generic-custom', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const dbPath = join(dir, 'library.db');
          const summary = await downloadColours({ dbPath, redisUrl: url, prefix, baseUrl: `${mock.url}/id` });
          expect(summary).toMatchObject({ total: 6, done: 3, failed: 3, complete: true, created: true });
          const engine = await openEngine({ dbPath, redisUrl: url, prefix, env: process.env, log: silentLogger });
          try {
            expect(await resultKeys(engine, summary.crawlId)).toEqual(['FF0000', 'FFFF00', 'FF00FF']);
            const { failures } = await listFailed(engine, summary.crawlId);
            expect(failures.map((f) => [f.key, f.errorClass, f.attempts])).toEqual([
              ['00FF00', 'PermanentError', 1],
              ['0000FF', 'PermanentError', 1],
              ['00FFFF', 'PermanentError', 1],
            ]);
            expect(failures[0]?.reason).toContain('has no red');
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });
});
