import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedSpec, createCrawl, scopeOf, work } from '@sluice/engine';
import { limiterWindowKey, maxInAnyWindow } from '@sluice/limiter';
import { withMockApi } from '@sluice/mock-api';
import { openBatchQueue } from '@sluice/queue';
import { collect, loopStallMeter, runCli, spawnCli, toArray, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { Redis } from 'ioredis';
import { cliFlags, colourSpec, testEngine } from './helpers';

const hex = (n: number) => n.toString(16).toUpperCase().padStart(6, '0');

describe('rate limits and throttling', () => {
  test('two worker processes together never exceed perSecond in any sliding second (measured at the API)', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('limits2p', ({ url, prefix }) =>
        withMockApi({ recordArrivals: true }, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(
            specPath,
            JSON.stringify(colourSpec(mock.url, 150, { limits: { concurrency: 20, perSecond: 25 }, queue: { batchSize: 10 } })),
          );
          const flags = cliFlags(dir, url, prefix);
          expect((await runCli([...flags, 'crawl', 'create', specPath])).code).toBe(0);
          // The mock records arrivals in this process, up to a stall of its event loop late.
          const stall = loopStallMeter();
          const results = await Promise.all([
            collect(spawnCli([...flags, 'work', 'colours', '--json'])),
            collect(spawnCli([...flags, 'work', 'colours', '--json'])),
          ]);
          const stallMs = stall.stop();
          for (const r of results) expect(r.code).toBe(0);
          const summaries = results.map((r) => JSON.parse(r.stdout));
          expect(summaries[0].finishedHere + summaries[1].finishedHere).toBe(150);
          const arrivals = mock.arrivals();
          expect(arrivals).toHaveLength(150);
          // Sends within one second are recorded within one second less the stall (see loopStallMeter).
          expect(maxInAnyWindow(arrivals, 1000 - stallMs)).toBeLessThanOrEqual(25);
          // Utilisation: 150 requests at 25/s need at least 5 windows; the limiter should not waste many.
          const spanMs = Math.max(...arrivals) - Math.min(...arrivals);
          expect(spanMs).toBeGreaterThanOrEqual(5_000);
        }),
      ),
    );
  });

  test('a daily budget Redis lost is rebuilt from the ledger before the next worker sends anything', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('perday-lost', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const engine = await testEngine(dir, url, prefix);
          const redis = new Redis(url);
          try {
            const spec = checkedSpec(colourSpec(mock.url, 10, { limits: { concurrency: 2, perDay: 3 }, queue: { batchSize: 5 } }), 't');
            const { crawl } = await createCrawl(engine, spec, dir);
            const dayKey = limiterWindowKey(scopeOf(engine, crawl), 'perDay');
            const first = new AbortController();
            const running = work(engine, crawl.row.id, { signal: first.signal, progressIntervalMs: 100 });
            await waitFor(async () => (await engine.store.ledger.progress(crawl.row.id)).done >= 3, {
              what: 'the day’s three results',
              timeoutMs: 20_000,
            });
            first.abort();
            expect(await running).toMatchObject({ done: 3, complete: false });
            expect(mock.stats().requests).toBe(3);

            // Redis loses the day's window (a flush, a new empty instance); the ledger still logs the three starts.
            expect(await redis.del(dayKey)).toBe(1);
            const second = new AbortController();
            const resumed = work(engine, crawl.row.id, { signal: second.signal, progressIntervalMs: 100 });
            // Rebuilt from the ledger's request log: the seeded members, not new starts.
            await waitFor(async () => (await redis.zrange(dayKey, 0, -1)).filter((m) => m.startsWith('seed:')).length === 3, {
              what: 'the rebuilt daily window',
            });
            // A batch is taken, so its keys are at the limiter: none may get through.
            const queue = openBatchQueue(redis, scopeOf(engine, crawl));
            try {
              await waitFor(async () => (await queue.liveCount()).active >= 1, { what: 'a batch in progress' });
            } finally {
              await queue.close();
            }
            second.abort();
            expect(await resumed).toMatchObject({ done: 3, complete: false });
            expect(mock.stats().requests).toBe(3);
            expect(await redis.zcard(dayKey)).toBe(3);
          } finally {
            redis.disconnect();
            await engine.close();
          }
        }),
      ),
    );
  });

  test.each([
    ['seconds', '2'],
    ['an HTTP date', 'DATE+4'],
  ])('a 429 with Retry-After as %s pauses every request of the crawl for that long, without using an attempt', async (_form, header) => {
    await withTempDir((dir) =>
      withRedisPrefix('retryafter', ({ url, prefix }) =>
        withMockApi({ recordArrivals: true }, async (mock) => {
          const until = header.startsWith('DATE+') ? new Date(Date.now() + Number(header.slice(5)) * 1000) : null;
          const retryAfter = until ? until.toUTCString() : header;
          mock.setOptions({ outcomes: { '000010': [{ status: 429, retryAfter }, 'ok'] } });
          const engine = await testEngine(dir, url, prefix);
          try {
            const spec = checkedSpec(
              colourSpec(mock.url, 40, {
                limits: { concurrency: 1, perSecond: 20 },
                retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
                queue: { batchSize: 40 },
              }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, dir);
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ done: 40, failed: 0 });
            const log = mock.arrivalLog();
            // The first request for 000010 got the 429; nothing may reach the API until Retry-After ends.
            const throttled = log.findIndex((a) => a.key === '000010');
            const throttledAt = log[throttled]?.at as number;
            const pausedUntil = until ? Math.floor(until.getTime() / 1000) * 1000 : throttledAt + 2_000;
            expect(log[throttled + 1]?.at as number).toBeGreaterThanOrEqual(pausedUntil - 5);
            const row = (await toArray(engine.store.ledger.iterateResults(crawl.row.id))).find((r) => r.key === '000010');
            // attempts: 1 allowed, yet the key succeeded after its 429: the throttle used no attempt.
            expect(row?.attempts).toBe(1);
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });

  test('throttles never use up attempts, and a cap on consecutive throttles fails the key with a clear reason', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('throttlecap', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          mock.setOptions({
            outcomes: {
              '000001': [{ status: 429, retryAfter: '0' }, { status: 429, retryAfter: '0' }, { status: 503, retryAfter: '0' }, 'ok'],
              '000002': [{ status: 429, retryAfter: '0' }],
            },
          });
          const engine = await testEngine(dir, url, prefix);
          try {
            const spec = checkedSpec(
              colourSpec(mock.url, 5, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxThrottles: 4 } }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, dir);
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ done: 4, failed: 1 });
            const [failure] = await engine.store.ledger.listFailures(crawl.row.id);
            expect(failure).toMatchObject({ key: '000002', errorClass: 'ThrottledError', attempts: 0 });
            expect(failure?.reason).toContain('throttled 5 times in a row');
            expect(mock.requestsForKey('000002')).toBe(5);
            expect(mock.requestsForKey('000001')).toBe(4);
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });

  test('response-body rules: an Alpha Vantage note pauses instead of failing, an Error Message fails at once', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('bodyrules', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          mock.setOptions({
            invalidSymbols: ['BADSYM'],
            outcomes: {
              IBM: [
                {
                  status: 200,
                  body: JSON.stringify({
                    Note: 'Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute.',
                  }),
                },
                'ok',
              ],
            },
          });
          const engine = await testEngine(dir, url, prefix);
          process.env.SLUICE_TEST_AV = 'k';
          try {
            const spec = checkedSpec(
              {
                name: 'av',
                keys: { list: ['IBM', 'MSFT', 'BADSYM'] },
                request: { url: `${mock.url}/query?function=OVERVIEW&symbol={key}&apikey={env.SLUICE_TEST_AV}` },
                retry: { attempts: 1 },
                validate: { requiredFields: ['Symbol'], keyField: 'Symbol' },
                responseRules: {
                  throttleWhenFields: ['Note', 'Information'],
                  throttleBodyPauseMs: 300,
                  permanentWhenFields: ['Error Message'],
                },
              },
              't',
            );
            const { crawl } = await createCrawl(engine, spec, dir);
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ done: 2, failed: 1 });
            expect(mock.requestsForKey('IBM')).toBe(2);
            const [failure] = await engine.store.ledger.listFailures(crawl.row.id);
            expect(failure).toMatchObject({ key: 'BADSYM', errorClass: 'PermanentError', attempts: 1 });
            expect(failure?.reason).toContain('Error Message');
          } finally {
            delete process.env.SLUICE_TEST_AV;
            await engine.close();
          }
        }),
      ),
    );
  });

  test('permanent errors end at once, transient ones are retried up to the attempt limit', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('permtrans', ({ url, prefix }) =>
        withMockApi(
          { outcomes: { '000001': [404], '000002': [500, 502, 'ok'], '000003': ['reset', 'reset', 'reset', 'reset'] } },
          async (mock) => {
            const engine = await testEngine(dir, url, prefix);
            try {
              const spec = checkedSpec(colourSpec(mock.url, 6, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } }), 't');
              const { crawl } = await createCrawl(engine, spec, dir);
              const summary = await work(engine, crawl.row.id);
              expect(summary).toMatchObject({ done: 4, failed: 2 });
              expect(mock.requestsForKey('000001')).toBe(1);
              expect(mock.requestsForKey('000002')).toBe(3);
              expect(mock.requestsForKey('000003')).toBe(3);
              const failures = await engine.store.ledger.listFailures(crawl.row.id);
              expect(failures.map((f) => [f.key, f.errorClass, f.attempts])).toEqual([
                ['000001', 'PermanentError', 1],
                ['000003', 'TransientError', 3],
              ]);
              const ok = (await toArray(engine.store.ledger.iterateResults(crawl.row.id))).find((r) => r.key === '000002');
              expect(ok?.attempts).toBe(3);
              expect(hex(2)).toBe('000002');
            } finally {
              await engine.close();
            }
          },
        ),
      ),
    );
  });
});

describe('outages and free-tier quotas', () => {
  test('during a storm of 100% 503 no key is moved to failed; the breaker opens, then the crawl recovers', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('storm', ({ url, prefix }) =>
        withMockApi({ latencyMs: 2 }, async (mock) => {
          const engine = await testEngine(dir, url, prefix);
          try {
            const spec = checkedSpec(
              colourSpec(mock.url, 2_000, { limits: { concurrency: 20 }, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 } }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, dir);
            const running = work(engine, crawl.row.id);
            await waitFor(async () => (await engine.store.ledger.progress(crawl.row.id)).done > 300, { what: 'progress before the storm' });
            mock.startStorm({ status: 503, durationMs: 4_000 });
            await waitFor(() => mock.stats().stormed > 100, { what: 'the storm to bite' });
            const summary = await running;
            expect(summary).toMatchObject({ done: 2_000, failed: 0, complete: true });
            // The breaker kept keys from hammering the API: far fewer failed requests than keys × attempts.
            expect(mock.stats().stormed).toBeLessThan(2_000);
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });

  test('an Alpha Vantage-like free tier (quota with Note bodies) is crawled to the end without failures', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('avquota', ({ url, prefix }) =>
        withMockApi({ quota: { limit: 5, windowMs: 1_000, mode: 'body' } }, async (mock) => {
          const engine = await testEngine(dir, url, prefix);
          process.env.SLUICE_TEST_AV = 'k';
          try {
            const spec = checkedSpec(
              {
                name: 'av',
                keys: { list: ['IBM', 'MSFT', 'AAPL', 'GOOGL', 'AMZN', 'TSLA', 'NVDA', 'META'] },
                request: { url: `${mock.url}/query?function=OVERVIEW&symbol={key}&apikey={env.SLUICE_TEST_AV}` },
                limits: { concurrency: 4 },
                retry: { attempts: 1 },
                validate: { requiredFields: ['Symbol'], keyField: 'Symbol' },
                responseRules: { throttleWhenFields: ['Note', 'Information'], throttleBodyPauseMs: 400 },
              },
              't',
            );
            const { crawl } = await createCrawl(engine, spec, dir);
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ done: 8, failed: 0 });
            expect(mock.stats().throttled).toBeGreaterThan(0);
            const attempts = (await toArray(engine.store.ledger.iterateResults(crawl.row.id))).map((r) => r.attempts);
            expect(attempts.every((a) => a === 1)).toBe(true);
          } finally {
            delete process.env.SLUICE_TEST_AV;
            await engine.close();
          }
        }),
      ),
    );
  });
});
