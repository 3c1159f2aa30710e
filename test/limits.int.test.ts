import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedSpec, createCrawl, work } from '@sluice/engine';
import { collect, runCli, spawnCli, withMockApi, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec, testEngine } from './helpers';

/** The largest number of arrivals inside any window of `lengthMs` (window starts at an arrival). */
function maxInWindow(times: number[], lengthMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= lengthMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

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
          const results = await Promise.all([
            collect(spawnCli([...flags, 'work', 'colours', '--json'])),
            collect(spawnCli([...flags, 'work', 'colours', '--json'])),
          ]);
          for (const r of results) expect(r.code).toBe(0);
          const summaries = results.map((r) => JSON.parse(r.stdout));
          expect(summaries[0].finishedHere + summaries[1].finishedHere).toBe(150);
          const arrivals = mock.arrivals();
          expect(arrivals).toHaveLength(150);
          expect(maxInWindow(arrivals, 1000)).toBeLessThanOrEqual(25);
          // Utilisation: 150 requests at 25/s need at least 5 windows; the limiter should not waste many.
          const spanMs = Math.max(...arrivals) - Math.min(...arrivals);
          expect(spanMs).toBeGreaterThanOrEqual(5_000);
        }),
      ),
    );
  });

  test.each([
    ['seconds', '2', 2_000],
    ['an HTTP date', 'DATE+3', 2_000],
  ])(
    'a 429 with Retry-After as %s pauses every request of the crawl for that long, without using an attempt',
    async (_form, header, minGapMs) => {
      await withTempDir((dir) =>
        withRedisPrefix('retryafter', ({ url, prefix }) =>
          withMockApi({ recordArrivals: true }, async (mock) => {
            const retryAfter = header.startsWith('DATE+') ? new Date(Date.now() + Number(header.slice(5)) * 1000).toUTCString() : header;
            mock.setOptions({ outcomes: { '000010': [{ status: 429, retryAfter }, 'ok'] } });
            const engine = testEngine(dir, url, prefix);
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
              const arrivals = mock.arrivals();
              // Arrival 11 is the throttled request for key 000010; the next one must wait out Retry-After.
              const gaps = arrivals.slice(1).map((t, i) => t - (arrivals[i] as number));
              expect(Math.max(...gaps)).toBeGreaterThanOrEqual(minGapMs - 50);
              const row = [...engine.store.ledger.iterateResults(crawl.row.id)].find((r) => r.key === '000010');
              // attempts: 1 allowed, yet the key succeeded after its 429: the throttle used no attempt.
              expect(row?.attempts).toBe(1);
            } finally {
              engine.close();
            }
          }),
        ),
      );
    },
  );

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
          const engine = testEngine(dir, url, prefix);
          try {
            const spec = checkedSpec(
              colourSpec(mock.url, 5, { retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxThrottles: 4 } }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, dir);
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ done: 4, failed: 1 });
            const failure = engine.store.ledger.listFailures(crawl.row.id)[0];
            expect(failure).toMatchObject({ key: '000002', errorClass: 'ThrottledError', attempts: 0 });
            expect(failure?.reason).toContain('throttled 5 times in a row');
            expect(mock.requestsForKey('000002')).toBe(5);
            expect(mock.requestsForKey('000001')).toBe(4);
          } finally {
            engine.close();
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
          const engine = testEngine(dir, url, prefix);
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
            const failure = engine.store.ledger.listFailures(crawl.row.id)[0];
            expect(failure).toMatchObject({ key: 'BADSYM', errorClass: 'PermanentError', attempts: 1 });
            expect(failure?.reason).toContain('Error Message');
          } finally {
            delete process.env.SLUICE_TEST_AV;
            engine.close();
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
            const engine = testEngine(dir, url, prefix);
            try {
              const spec = checkedSpec(colourSpec(mock.url, 6, { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } }), 't');
              const { crawl } = await createCrawl(engine, spec, dir);
              const summary = await work(engine, crawl.row.id);
              expect(summary).toMatchObject({ done: 4, failed: 2 });
              expect(mock.requestsForKey('000001')).toBe(1);
              expect(mock.requestsForKey('000002')).toBe(3);
              expect(mock.requestsForKey('000003')).toBe(3);
              const failures = engine.store.ledger.listFailures(crawl.row.id);
              expect(failures.map((f) => [f.key, f.errorClass, f.attempts])).toEqual([
                ['000001', 'PermanentError', 1],
                ['000003', 'TransientError', 3],
              ]);
              const ok = [...engine.store.ledger.iterateResults(crawl.row.id)].find((r) => r.key === '000002');
              expect(ok?.attempts).toBe(3);
              expect(hex(2)).toBe('000002');
            } finally {
              engine.close();
            }
          },
        ),
      ),
    );
  });
});
