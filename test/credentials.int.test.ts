import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedSpec, createCrawl, type Engine, type Logger, openEngine, status, work } from '@sluice/engine';
import { credentialWindowKey } from '@sluice/limiter';
import { withMockApi } from '@sluice/mock-api';
import { crawlScope, openBatchQueue } from '@sluice/queue';
import { collect, REPO_ROOT, runCli, spawnCli, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { Redis } from 'ioredis';
import { cliFlags, colourSpec } from './helpers';

/** Three credentials with random values, as the environment would hold them. */
function poolEnv(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `${n.toLowerCase()}-${randomBytes(8).toString('hex')}`]));
}

const NAMES = ['KEY_1', 'KEY_2', 'KEY_3'] as const;

/** An engine whose environment holds the pool's values, with its log lines collected. */
function poolEngine(dir: string, redisUrl: string, prefix: string, env: Record<string, string>, lines: string[] = []): Promise<Engine> {
  const log: Logger = {
    info: (m) => lines.push(m),
    warn: (m) => lines.push(m),
    error: (m) => lines.push(m),
  };
  return openEngine({ dbPath: join(dir, 'sluice.db'), redisUrl, prefix, env: { ...process.env, ...env }, log });
}

/** The colour crawl with the key in `apikey`, one credential of the pool per request. */
function colourPoolSpec(mockUrl: string, count: number, extra: Record<string, unknown>) {
  return colourSpec(mockUrl, count, {
    request: { url: `${mockUrl}/id?hex={key}&apikey={credential}` },
    limits: { concurrency: 1 },
    ...extra,
  });
}

const symbols = (n: number) => Array.from({ length: n }, (_, i) => `S${i}`);

describe('credential pools', () => {
  test('three Alpha Vantage keys in two worker processes: each key stays within its own windows at the API', async () => {
    const env = poolEnv(['AV_KEY_1', 'AV_KEY_2', 'AV_KEY_3']);
    await withTempDir((dir) =>
      withRedisPrefix('pool-av', ({ url, prefix }) =>
        withMockApi(
          {
            recordArrivals: true,
            keyQuotas: [
              { limit: 5, windowMs: 60_000, mode: 'body' },
              { limit: 25, windowMs: 86_400_000, mode: 'body' },
            ],
          },
          async (mock) => {
            const specPath = join(dir, 'av.json');
            writeFileSync(
              specPath,
              // The README's recipe, pointed at the mock with fifteen symbols.
              JSON.stringify({
                ...JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'alphavantage-pool.json'), 'utf8')),
                keys: { list: symbols(15) },
                request: { baseUrl: `${mock.url}/query`, params: { function: 'OVERVIEW' } },
                queue: { batchSize: 5 },
              }),
            );
            const flags = cliFlags(dir, url, prefix);
            expect((await runCli([...flags, 'crawl', 'create', specPath], { env })).code).toBe(0);
            const results = await Promise.all([
              collect(spawnCli([...flags, 'work', 'av-pool', '--json'], { env })),
              collect(spawnCli([...flags, 'work', 'av-pool', '--json'], { env })),
            ]);
            for (const r of results) expect(r.code).toBe(0);
            const summaries = results.map((r) => JSON.parse(r.stdout));
            expect(summaries[0].finishedHere + summaries[1].finishedHere).toBe(15);

            // Five a minute each, and the pool's fifteen used up exactly, none refused by the API.
            const perKey = mock.apiKeyStats();
            expect(Object.keys(perKey).sort()).toEqual(Object.values(env).sort());
            for (const stats of Object.values(perKey)) expect(stats).toMatchObject({ requests: 5, throttled: 0, rejected: 0 });

            const st = await runCli([...flags, 'status', 'av-pool', '--json'], { env });
            const report = JSON.parse(st.stdout);
            expect(report).toMatchObject({ done: 15, failed: 0 });
            expect(report.credentials).toEqual(
              ['AV_KEY_1', 'AV_KEY_2', 'AV_KEY_3'].map((name) => ({
                name,
                label: null,
                state: 'active',
                used: { perMinute: 5, perDay: 5 },
                remaining: { perMinute: 0, perDay: 20 },
                pausedUntil: null,
              })),
            );
            for (const value of Object.values(env)) {
              for (const r of [...results, st]) expect(`${r.stdout}${r.stderr}`).not.toContain(value);
            }
          },
        ),
      ),
    );
  });

  test('a throttle answer pauses only the credential that got it; the others keep going', async () => {
    const env = poolEnv(NAMES);
    await withTempDir((dir) =>
      withRedisPrefix('pool-throttle', ({ url, prefix }) =>
        // The API's window is a little shorter than the spec's second, so arrival jitter on a
        // shared, busy test machine cannot make the keys that keep to their limit look over it.
        withMockApi(
          { recordArrivals: true, keyQuotas: [{ limit: 2, windowMs: 900, mode: '429', retryAfter: 'seconds' }] },
          async (mock) => {
            const engine = await poolEngine(dir, url, prefix, env);
            try {
              // KEY_1 believes it may send 10 a second; the API allows every key about 2.
              const spec = checkedSpec(
                colourPoolSpec(mock.url, 40, {
                  credentials: { env: [...NAMES], limits: { perSecond: 2 }, overrides: { KEY_1: { limits: { perSecond: 10 } } } },
                }),
                't',
              );
              const { crawl } = await createCrawl(engine, spec, dir);
              expect(await work(engine, crawl.row.id)).toMatchObject({ done: 40, failed: 0, complete: true });

              const perKey = mock.apiKeyStats();
              const k1 = perKey[env.KEY_1 as string];
              expect(k1?.throttled).toBeGreaterThanOrEqual(1);
              for (const name of ['KEY_2', 'KEY_3']) expect(perKey[env[name] as string]?.throttled).toBe(0);
              // The API asked for a second (Retry-After: 1): KEY_1 waits it out while the others go on.
              const throttledAt = k1?.throttledAt[0] as number;
              const k1After = [...(k1?.served ?? []), ...(k1?.throttledAt ?? [])].filter((t) => t > throttledAt);
              expect(Math.min(...k1After)).toBeGreaterThanOrEqual(throttledAt + 900);
              const othersDuringPause = ['KEY_2', 'KEY_3'].flatMap((n) =>
                (perKey[env[n] as string]?.served ?? []).filter((t) => t > throttledAt && t < throttledAt + 900),
              );
              expect(othersDuringPause.length).toBeGreaterThanOrEqual(1);
            } finally {
              await engine.close();
            }
          },
        ),
      ),
    );
  });

  test('an invalid key is retired with one log line and a status entry; its keys go on with the others', async () => {
    const env = poolEnv(NAMES);
    await withTempDir((dir) =>
      withRedisPrefix('pool-retire', ({ url, prefix }) =>
        withMockApi({ invalidApiKeys: [env.KEY_2 as string] }, async (mock) => {
          const lines: string[] = [];
          const engine = await poolEngine(dir, url, prefix, env, lines);
          try {
            const spec = checkedSpec(
              colourPoolSpec(mock.url, 30, { credentials: { env: [...NAMES], labels: { KEY_2: 'second key' } } }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, dir);
            expect(await work(engine, crawl.row.id)).toMatchObject({ done: 30, failed: 0, complete: true });
            // One request at a time: KEY_2's first answer retires it, and it is never sent again.
            expect(mock.apiKeyStats()[env.KEY_2 as string]).toMatchObject({ requests: 1, rejected: 1 });
            const retiredLines = lines.filter((l) => l.includes('credential KEY_2 retired'));
            expect(retiredLines).toHaveLength(1);
            expect(retiredLines[0]).toContain('HTTP 401');
            const [st] = await status(engine, crawl.row.id);
            expect(st?.credentials.map((c) => [c.name, c.label, c.state])).toEqual([
              ['KEY_1', null, 'active'],
              ['KEY_2', 'second key', 'retired'],
              ['KEY_3', null, 'active'],
            ]);
            expect(st?.recentErrors.some((e) => e.errorClass === 'CredentialRejectedError')).toBe(true);
            for (const value of Object.values(env)) expect(`${lines.join('\n')}${JSON.stringify(st)}`).not.toContain(value);
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });

  test('when every key is invalid the crawl stops with a clear error and nothing counted as failed', async () => {
    const env = poolEnv(NAMES);
    await withTempDir((dir) =>
      withRedisPrefix('pool-none-left', ({ url, prefix }) =>
        withMockApi({ invalidApiKeys: Object.values(env) }, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourPoolSpec(mock.url, 20, { credentials: { env: [...NAMES] } })));
          const flags = cliFlags(dir, url, prefix);
          const run = await runCli([...flags, 'run', specPath, '--no-progress'], { env });
          expect(run.code).toBe(2);
          expect(run.stderr).toContain('every credential of the pool was retired');
          expect(run.stderr).not.toContain('\n    at ');
          for (const value of Object.values(env)) expect(`${run.stdout}${run.stderr}`).not.toContain(value);
          for (const stats of Object.values(mock.apiKeyStats())) expect(stats).toMatchObject({ requests: 1, rejected: 1 });
          const st = JSON.parse((await runCli([...flags, 'status', 'colours', '--json'], { env })).stdout);
          expect(st).toMatchObject({ done: 0, failed: 0, pending: 20 });
          expect(st.credentials.map((c: { state: string }) => c.state)).toEqual(['retired', 'retired', 'retired']);
        }),
      ),
    );
  });

  test('a credential’s daily budget Redis lost is rebuilt from the request log before anything more is sent', async () => {
    const env = poolEnv(['KEY_1', 'KEY_2']);
    await withTempDir((dir) =>
      withRedisPrefix('pool-perday-lost', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const engine = await poolEngine(dir, url, prefix, env);
          const redis = new Redis(url);
          try {
            const spec = checkedSpec(
              colourPoolSpec(mock.url, 10, {
                limits: { concurrency: 2 },
                credentials: { env: ['KEY_1', 'KEY_2'], limits: { perDay: 2 } },
                queue: { batchSize: 5 },
              }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, dir);
            const first = new AbortController();
            const running = work(engine, crawl.row.id, { signal: first.signal, progressIntervalMs: 100 });
            await waitFor(async () => (await engine.store.ledger.progress(crawl.row.id)).done >= 4, {
              what: 'both keys’ daily budgets spent',
              timeoutMs: 20_000,
            });
            first.abort();
            expect(await running).toMatchObject({ done: 4, complete: false });
            expect(mock.stats().requests).toBe(4);

            // Redis loses both credentials' daily windows; the ledger still logs each start with its credential.
            const scope = crawlScope({ prefix, ledgerId: engine.store.ledgerId, crawlId: crawl.row.id, name: crawl.row.name });
            const dayKeys = ['KEY_1', 'KEY_2'].map((n) => credentialWindowKey(scope, n, 'perDay'));
            expect(await redis.del(...dayKeys)).toBe(2);
            const second = new AbortController();
            const resumed = work(engine, crawl.row.id, { signal: second.signal, progressIntervalMs: 100 });
            for (const key of dayKeys) {
              await waitFor(async () => (await redis.zrange(key, 0, -1)).filter((m) => m.startsWith('seed:')).length === 2, {
                what: 'a rebuilt credential window',
              });
            }
            const queue = openBatchQueue(redis, scope);
            try {
              await waitFor(async () => (await queue.liveCount()).active >= 1, { what: 'a batch in progress' });
            } finally {
              await queue.close();
            }
            second.abort();
            expect(await resumed).toMatchObject({ done: 4, complete: false });
            expect(mock.stats().requests).toBe(4);
            for (const key of dayKeys) expect(await redis.zcard(key)).toBe(2);
          } finally {
            redis.disconnect();
            await engine.close();
          }
        }),
      ),
    );
  });
});
