import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedSpec, createCrawl } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { type CrawlScope, crawlKeyPattern, crawlScope, createRedis, scanKeys, writeHeartbeat } from '@sluice/queue';
import { openStore } from '@sluice/store';
import { freePort, runCli, TEST_REDIS_URL, uniquePrefix, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { parse } from 'csv-parse/sync';
import { cliFlags, colourSpec, testEngine } from './helpers';

/** The Redis scope of crawl `crawlId` of the ledger in `dir` (the name plays no part in its keys). */
async function scopeIn(dir: string, prefix: string, crawlId: number): Promise<CrawlScope> {
  const store = await openStore(join(dir, 'sluice.db'));
  try {
    return crawlScope({ prefix, ledgerId: store.ledgerId, crawlId, name: 'colours' });
  } finally {
    await store.close();
  }
}

/** Keys of a crawl in Redis (SCAN over the crawl's pattern). */
async function crawlKeys(url: string, dir: string, prefix: string, crawlId: number): Promise<string[]> {
  const scope = await scopeIn(dir, prefix, crawlId);
  const redis = createRedis(url, 'test-housekeeping');
  try {
    return await scanKeys(redis, crawlKeyPattern(scope));
  } finally {
    redis.disconnect();
  }
}

/** Five of seven colours answer 404: 2 done, 5 failed (28.57 % done). */
const FAILING = ['000002', '000003', '000004', '000005', '000006'];

describe('crawl housekeeping', () => {
  test('a crawl with failures: the summary points at `sluice failed`, list and status say `done with N failed`, failed keys export as CSV and JSONL', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('hk-failed', ({ url, prefix }) =>
        withMockApi({ outcomes: Object.fromEntries(FAILING.map((k) => [k, [404]])) }, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, 7)));
          const flags = cliFlags(dir, url, prefix);
          const ran = await runCli([...flags, 'run', specPath, '--no-progress']);
          expect(ran.code).toBe(1);
          expect(ran.stdout).toContain('failed   5 (list them: sluice failed colours;');
          expect(ran.stdout).not.toContain('sluice export');

          const list = await runCli([...flags, 'crawl', 'list']);
          expect(list.code).toBe(0);
          expect(list.stdout).toMatch(/^NAME\s+ID\s+STATE\s+DONE\/TOTAL\s+CREATED\n/);
          expect(list.stdout).toMatch(/\ncolours\s+1\s+done with 5 failed\s+2\/7\s+\d{4}-\d\d-\d\dT/);
          const listJson = await runCli([...flags, 'crawl', 'list', '--json']);
          expect(JSON.parse(listJson.stdout)).toEqual([
            { id: 1, name: 'colours', state: 'done', total: 7, done: 2, failed: 5, createdAt: expect.any(String) },
          ]);

          const status = await runCli([...flags, 'status', 'colours']);
          expect(status.stdout).toContain('colours (id 1): done with 5 failed, 28.6%');
          expect(JSON.parse((await runCli([...flags, 'status', 'colours', '--json'])).stdout)).toMatchObject({ percent: 28.6 });

          const csvFile = join(dir, 'failed.csv');
          const csv = await runCli([...flags, 'failed', 'colours', '--format', 'csv', '--out', csvFile]);
          expect(csv.code).toBe(0);
          expect(csv.stderr).toContain(`wrote 5 failed keys to ${csvFile}`);
          const rows = parse(readFileSync(csvFile, 'utf8'), { columns: true }) as Record<string, string>[];
          expect(rows.map((r) => r.key)).toEqual(FAILING);
          expect(rows[0]).toMatchObject({ position: '2', errorClass: 'PermanentError', status: '404' });
          expect(existsSync(`${csvFile}.partial`)).toBe(false);

          const jsonl = await runCli([...flags, 'failed', 'colours', '--format', 'jsonl']);
          const lines = jsonl.stdout
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l));
          expect(lines.map((l) => l.key)).toEqual(FAILING);
          expect(lines[4]).toEqual({
            key: '000006',
            position: 6,
            errorClass: 'PermanentError',
            reason: expect.stringContaining('404'),
            status: 404,
            attempts: expect.any(Number),
            failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
          });
        }),
      ),
    );
  });

  test('crawl delete needs --yes, refuses while a worker is online unless --force, then removes ledger rows and every Redis key of that crawl only', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('hk-delete', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const flags = cliFlags(dir, url, prefix);
          for (const name of ['colours', 'keep']) {
            const specPath = join(dir, `${name}.json`);
            writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, 30, { name })));
            expect((await runCli([...flags, 'run', specPath, '--no-progress'])).code).toBe(0);
          }
          const doomed = await crawlKeys(url, dir, prefix, 1);
          const kept = await crawlKeys(url, dir, prefix, 2);
          expect(doomed.length).toBeGreaterThan(0);
          expect(kept.length).toBeGreaterThan(0);

          const unconfirmed = await runCli([...flags, 'crawl', 'delete', 'colours']);
          expect(unconfirmed.code).toBe(2);
          expect(unconfirmed.stderr).toContain('30 results, 0 failures');
          expect(unconfirmed.stderr).toContain('--yes');

          const redis = createRedis(url, 'test-heartbeat');
          try {
            const now = Date.now();
            await writeHeartbeat(
              redis,
              await scopeIn(dir, prefix, 1),
              {
                id: 'w1',
                host: 'hostA',
                pid: 4242,
                startedAt: now,
                finished: 0,
                inFlight: 0,
                beatAt: now,
                // A live worker renews its heartbeat every second; this one stands for it while
                // the CLI starts (seconds on a busy machine), so it must not expire meanwhile.
              },
              120_000,
            );
          } finally {
            redis.disconnect();
          }
          const busy = await runCli([...flags, 'crawl', 'delete', 'colours', '--yes']);
          expect(busy.code).toBe(2);
          expect(busy.stderr).toContain('1 worker(s) online (hostA:4242)');
          expect(busy.stderr).toContain('--force');

          const store = await openStore(join(dir, 'sluice.db'));
          try {
            expect(await store.ledger.recount(1)).toEqual({ done: 30, failed: 0 });
          } finally {
            await store.close();
          }

          const deleted = await runCli([...flags, 'crawl', 'delete', 'colours', '--yes', '--force', '--json']);
          expect(deleted.code).toBe(0);
          const result = JSON.parse(deleted.stdout);
          expect(result).toMatchObject({ id: 1, name: 'colours', redis: true });
          expect(result.redisKeys).toBeGreaterThan(1);
          expect(await crawlKeys(url, dir, prefix, 1)).toEqual([]);
          // The other crawl keeps its keys (bar BullMQ's stalled-check, which expires by itself).
          const lasting = kept.filter((k) => !k.endsWith(':stalled-check'));
          expect(lasting).toEqual(
            expect.arrayContaining([expect.stringMatching(/:crawl\.keep:meta$/), expect.stringMatching(/:sluice:stats$/)]),
          );
          expect(await crawlKeys(url, dir, prefix, 2)).toEqual(expect.arrayContaining(lasting));

          const after = await openStore(join(dir, 'sluice.db'));
          try {
            expect(await after.crawls.find(1)).toBeUndefined();
            expect(await after.ledger.recount(1)).toEqual({ done: 0, failed: 0 });
            expect(await after.ledger.recount(2)).toEqual({ done: 30, failed: 0 });
            expect(await after.crawls.getCursor(1)).toBe(0);
          } finally {
            await after.close();
          }
          const list = JSON.parse((await runCli([...flags, 'crawl', 'list', '--json'])).stdout) as { name: string }[];
          expect(list.map((c) => c.name)).toEqual(['keep']);
        }),
      ),
    );
  });

  test('crawl delete with Redis unreachable refuses (exit 3), and with --force deletes the ledger rows and says the keys stay', async () => {
    await withTempDir(async (dir) => {
      const flags = ['--db', join(dir, 'sluice.db'), '--redis', `redis://127.0.0.1:${await freePort()}`];
      const specPath = join(dir, 'spec.json');
      writeFileSync(specPath, JSON.stringify({ name: 'gone', keys: { list: ['a'] }, request: { url: 'http://127.0.0.1:9/{key}' } }));
      expect((await runCli([...flags, 'crawl', 'create', specPath])).code).toBe(0);
      const refused = await runCli([...flags, 'crawl', 'delete', 'gone', '--yes']);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain('does not answer');
      const forced = await runCli([...flags, 'crawl', 'delete', 'gone', '--yes', '--force']);
      expect(forced.code).toBe(0);
      expect(forced.stderr).toContain('keys (');
      expect(forced.stdout).toContain('no Redis keys (Redis did not answer)');
      const list = await runCli([...flags, 'crawl', 'list', '--json']);
      expect(JSON.parse(list.stdout)).toEqual([]);
    });
  });

  test('run with an unset {env.NAME} or an empty key file exits 2 and writes nothing: no ledger file, no crawl in an existing ledger', async () => {
    await withTempDir(async (dir) => {
      const prefix = uniquePrefix('hk-env');
      const flags = cliFlags(dir, TEST_REDIS_URL, prefix);
      const specPath = join(dir, 'spec.json');
      const unset = `SLUICE_TEST_UNSET_${process.pid}`;
      writeFileSync(
        specPath,
        JSON.stringify({ name: 'needs-key', keys: { list: ['a'] }, request: { url: `http://127.0.0.1:9/{key}?k={env.${unset}}` } }),
      );
      const fresh = await runCli([...flags, 'run', specPath]);
      expect(fresh.code).toBe(2);
      expect(fresh.stderr).toContain(unset);
      expect(existsSync(join(dir, 'sluice.db'))).toBe(false);

      writeFileSync(join(dir, 'empty.txt'), '# no keys here\n\n');
      const emptySpec = join(dir, 'empty.json');
      writeFileSync(
        emptySpec,
        JSON.stringify({ name: 'empty', keys: { file: 'empty.txt' }, request: { url: 'http://127.0.0.1:9/{key}' } }),
      );
      const empty = await runCli([...flags, 'run', emptySpec]);
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain('the key source has no keys');
      expect(existsSync(join(dir, 'sluice.db'))).toBe(false);

      const otherSpec = join(dir, 'other.json');
      writeFileSync(otherSpec, JSON.stringify({ name: 'other', keys: { list: ['a'] }, request: { url: 'http://127.0.0.1:9/{key}' } }));
      expect((await runCli([...flags, 'crawl', 'create', otherSpec])).code).toBe(0);
      expect((await runCli([...flags, 'run', specPath])).code).toBe(2);
      const store = await openStore(join(dir, 'sluice.db'));
      try {
        expect((await store.crawls.list()).map((c) => c.name)).toEqual(['other']);
      } finally {
        await store.close();
      }
    });
  });

  test('export warns about a --fields path no row has, and --csv-safe defuses formula-like cells', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('hk-export', async ({ url, prefix }) => {
        const engine = await testEngine(dir, url, prefix);
        try {
          const spec = checkedSpec(
            { name: 'cells', keys: { list: ['=cmd', 'plain'] }, request: { url: 'http://127.0.0.1:9/{key}' } },
            'cells',
          );
          const { crawl } = await createCrawl(engine, spec, dir);
          const bodies = [{ name: '=HYPERLINK("http://evil")', n: -3 }, { name: '@SUM(A1)' }];
          await engine.store.writeEntries(
            ['=cmd', 'plain'].map((key, position) => ({
              kind: 'result' as const,
              record: {
                crawlId: crawl.row.id,
                position,
                key,
                status: 200,
                body: JSON.stringify(bodies[position]),
                attempts: 1,
                fetchedAt: 0,
                durationMs: 1,
              },
            })),
          );
        } finally {
          await engine.close();
        }
        const flags = cliFlags(dir, url, prefix);
        const typo = await runCli([...flags, 'export', 'cells', '--format', 'csv', '--fields', 'name,nmae']);
        expect(typo.code).toBe(0);
        expect(typo.stderr).toContain('field nmae is in none of the 2 exported rows');
        expect(typo.stderr).not.toMatch(/field name\b/);
        expect(typo.stdout).toContain('"=HYPERLINK(""http://evil"")"');

        const safe = await runCli([...flags, 'export', 'cells', '--format', 'csv', '--fields', 'name,n', '--csv-safe']);
        expect(safe.code).toBe(0);
        expect(safe.stderr).toBe('');
        const rows = parse(safe.stdout, { columns: true }) as Record<string, string>[];
        expect(rows).toMatchObject([
          { key: "'=cmd", name: `'=HYPERLINK("http://evil")`, n: '-3' },
          { key: 'plain', name: "'@SUM(A1)", n: '' },
        ]);
        const jsonlSafe = await runCli([...flags, 'export', 'cells', '--csv-safe']);
        expect(jsonlSafe.code).toBe(2);
        expect(jsonlSafe.stderr).toContain('--csv-safe: only with --format csv');
      }),
    );
  });
});
