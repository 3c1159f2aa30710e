import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '@sluice/core';
import { checkedSpec, createCrawl, scopeOf } from '@sluice/engine';
import { type MockApi, withMockApi } from '@sluice/mock-api';
import { createRedis, openBatchQueue, ownerKey } from '@sluice/queue';
import { openStore } from '@sluice/store';
import { collect, runCli, spawnCli, toArray, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, testEngine } from './helpers';

const hex = (n: number) => n.toString(16).toUpperCase().padStart(6, '0');
const KEYS = 1_000;

/** One ledger's crawl: the same name (and so the same crawl id 1) in both ledgers, other keys and another API. */
function specFor(mock: MockApi, from: number) {
  return {
    name: 'colours',
    keys: { range: { from, to: from + KEYS - 1, format: 'hex6' } },
    request: { url: `${mock.url}/id?hex={key}` },
    limits: { concurrency: 20 },
    queue: { batchSize: 25 },
    retry: { attempts: 5, baseDelayMs: 10, maxDelayMs: 100 },
    validate: { keyField: 'hex.clean' },
  };
}

async function resultKeys(dbPath: string): Promise<{ crawlIds: number[]; ledgerId: string; keys: string[] }> {
  const store = await openStore(dbPath);
  try {
    const crawls = await store.crawls.list();
    const keys: string[] = [];
    for (const c of crawls) for (const r of await toArray(store.ledger.iterateResults(c.id))) keys.push(r.key);
    return { crawlIds: crawls.map((c) => c.id), ledgerId: store.ledgerId, keys };
  } finally {
    await store.close();
  }
}

describe('two ledgers on one Redis', () => {
  test('two crawls with id 1 under one prefix, run at once against different APIs, each finish exactly once with only their own keys', async () => {
    await withTempDir((dirA) =>
      withTempDir((dirB) =>
        withRedisPrefix('twoledgers', ({ url, prefix }) =>
          withMockApi({ recordArrivals: true, latencyMs: 2 }, (mockA) =>
            withMockApi({ recordArrivals: true, latencyMs: 2 }, async (mockB) => {
              const sides = [
                { dir: dirA, mock: mockA, from: 0 },
                { dir: dirB, mock: mockB, from: 0x100000 },
              ];
              const runs = sides.map((s) => {
                const specPath = join(s.dir, 'spec.json');
                writeFileSync(specPath, JSON.stringify(specFor(s.mock, s.from)));
                return collect(spawnCli([...cliFlags(s.dir, url, prefix), 'run', specPath, '--json', '--no-progress']));
              });
              const results = await Promise.all(runs);
              for (const r of results) expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.any(String) });

              const ledgers = await Promise.all(sides.map((s) => resultKeys(join(s.dir, 'sluice.db'))));
              expect(ledgers.map((l) => l.crawlIds)).toEqual([[1], [1]]);
              expect(ledgers[0]?.ledgerId).not.toBe(ledgers[1]?.ledgerId);
              sides.forEach((s, i) => {
                const own = Array.from({ length: KEYS }, (_, n) => hex(s.from + n));
                // Every key exactly once in its own ledger (the set is the key source, its size the row count).
                expect(ledgers[i]?.keys.length).toBe(KEYS);
                expect(new Set(ledgers[i]?.keys)).toEqual(new Set(own));
                // Each API saw only its own ledger's keys: no worker fetched the other's batches.
                const seen = new Set(s.mock.arrivalLog().map((a) => a.key));
                expect([...seen].filter((k) => !own.includes(k))).toEqual([]);
                expect(seen.size).toBe(KEYS);
              });
            }),
          ),
        ),
      ),
    );
  });

  test('a worker refuses a crawl namespace owned by another ledger and takes none of its jobs', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('foreignowner', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const engine = await testEngine(dir, url, prefix);
          const redis = createRedis(url, 'foreign-owner-probe');
          try {
            const { crawl } = await createCrawl(engine, checkedSpec(specFor(mock, 0), 't'), dir);
            const scope = scopeOf(engine, crawl);
            // Another ledger got there first: its owner record and one of its batches are in the namespace.
            const foreign = { ledgerId: 'ffffffffffffffff', crawlId: crawl.row.id, name: 'colours', createdAt: 1 };
            await redis.set(ownerKey(scope), JSON.stringify(foreign));
            const queue = openBatchQueue(redis, scope);
            try {
              await queue.addBatches([{ crawlId: crawl.row.id, batch: 0, items: [{ position: 0, key: hex(0) }] }]);
              const out = await runCli([...cliFlags(dir, url, prefix), 'work', 'colours']);
              expect(out.code).toBe(ExitCode.foreignState);
              const lines = out.stderr.trim().split('\n');
              expect(lines).toHaveLength(1);
              expect(lines[0]).toContain('belongs to crawl "colours" (id 1');
              expect(lines[0]).toContain('of ledger ffffffffffffffff');
              expect(await queue.liveCount()).toEqual({ waiting: 1, active: 0, delayed: 0 });
              expect(mock.stats().requests).toBe(0);
              expect(JSON.parse((await redis.get(ownerKey(scope))) ?? '{}')).toEqual(foreign);
            } finally {
              await queue.close();
            }
          } finally {
            redis.disconnect();
            await engine.close();
          }
        }),
      ),
    );
  });
});
