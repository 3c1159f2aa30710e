import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import { collect, runCli, spawnCli, uniquePrefix, waitFor, withOwnRedis, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec, flushAndResume } from './helpers';

async function ledgerOf(dir: string, crawlId = 1) {
  const store = await openStore(join(dir, 'sluice.db'));
  try {
    const keys = new Set<string>();
    let bad = 0;
    for await (const row of store.ledger.iterateResults(crawlId)) {
      keys.add(row.key);
      if (JSON.parse(row.body).hex.clean !== row.key) bad++;
    }
    return {
      counts: await store.ledger.recount(crawlId),
      progress: await store.ledger.progress(crawlId),
      unique: keys.size,
      bad,
      integrity: await store.integrityCheck(),
    };
  } finally {
    await store.close();
  }
}

async function progressOf(dir: string, crawlId = 1): Promise<number> {
  const store = await openStore(join(dir, 'sluice.db'));
  try {
    const p = await store.ledger.progress(crawlId);
    return p.done + p.failed;
  } finally {
    await store.close();
  }
}

const TOTAL = 6_000;

function writeSpec(dir: string, mockUrl: string): string {
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(colourSpec(mockUrl, TOTAL, { limits: { concurrency: 20 }, queue: { batchSize: 50 } })));
  return specPath;
}

describe('crash safety (real processes, a redis-server of our own)', () => {
  test('a worker killed with SIGKILL mid-crawl loses nothing: another worker finishes with an exact ledger', async () => {
    await withTempDir((dir) =>
      withOwnRedis(dir, (redis) =>
        withMockApi({ latencyMs: 3 }, async (mock) => {
          const flags = cliFlags(dir, redis.url, uniquePrefix('kill'));
          const specPath = writeSpec(dir, mock.url);
          expect((await runCli([...flags, 'crawl', 'create', specPath])).code).toBe(0);
          const victim = spawnCli([...flags, 'work', 'colours', '--json']);
          const victimDone = collect(victim);
          await waitFor(async () => (await progressOf(dir)) > 1_000, { what: 'the first worker to make progress' });
          victim.kill('SIGKILL');
          expect((await victimDone).code).toBeNull();
          const survivor = await runCli([...flags, 'work', 'colours', '--json']);
          expect(survivor.code).toBe(0);
          const ledger = await ledgerOf(dir);
          expect(ledger.counts).toEqual({ done: TOTAL, failed: 0 });
          expect(ledger.progress).toEqual({ done: TOTAL, failed: 0 });
          expect(ledger.unique).toBe(TOTAL);
          expect(ledger.bad).toBe(0);
          expect(ledger.integrity).toBe('ok');
          // Only keys that were in flight when the worker died can have been fetched twice.
          expect(mock.duplicateKeys()).toBeLessThanOrEqual(20 * 3);
        }),
      ),
    );
  });

  test('workers keep their process through a Redis restart and continue by themselves', async () => {
    await withTempDir((dir) =>
      withOwnRedis(dir, (redis) =>
        withMockApi({ latencyMs: 3 }, async (mock) => {
          const flags = cliFlags(dir, redis.url, uniquePrefix('restart'));
          const specPath = writeSpec(dir, mock.url);
          const worker = spawnCli([...flags, 'run', specPath, '--json']);
          const done = collect(worker);
          await waitFor(async () => (await progressOf(dir)) > 1_000, { what: 'progress before the restart' });
          await redis.kill();
          const atOutage = await progressOf(dir);
          await redis.restart();
          await waitFor(async () => (await progressOf(dir)) > atOutage + 500, { timeoutMs: 60_000, what: 'progress after the restart' });
          const result = await done;
          expect(result.code).toBe(0);
          expect(worker.exitCode).toBe(0);
          // Said as it happened, once each way.
          expect(result.stderr.match(/Redis unreachable/g)).toHaveLength(1);
          expect(result.stderr).toContain('Redis reachable again');
          const ledger = await ledgerOf(dir);
          expect(ledger.counts).toEqual({ done: TOTAL, failed: 0 });
          expect(ledger.unique).toBe(TOTAL);
        }),
      ),
    );
  });

  test('after FLUSHALL, resume re-enqueues exactly the keys missing from the ledger', async () => {
    await withTempDir((dir) =>
      withOwnRedis(dir, (redis) =>
        withMockApi({ latencyMs: 3 }, async (mock) => {
          const flags = cliFlags(dir, redis.url, uniquePrefix('flush'));
          const specPath = writeSpec(dir, mock.url);
          const worker = spawnCli([...flags, 'run', specPath, '--json']);
          const done = collect(worker);
          await waitFor(async () => (await progressOf(dir)) > 1_500, { what: 'progress before FLUSHALL' });
          await flushAndResume(redis, flags, TOTAL, await progressOf(dir));
          const result = await done;
          expect(result.code).toBe(0);
          const ledger = await ledgerOf(dir);
          expect(ledger.counts).toEqual({ done: TOTAL, failed: 0 });
          expect(ledger.unique).toBe(TOTAL);
          expect(ledger.integrity).toBe('ok');
          expect(mock.duplicateKeys()).toBeLessThanOrEqual(20 * 3);
        }),
      ),
    );
  });

  test('SIGTERM shuts a worker down gracefully (exit 6: interrupted, quickly) and nothing is lost', async () => {
    await withTempDir((dir) =>
      withOwnRedis(dir, (redis) =>
        withMockApi({ latencyMs: 20 }, async (mock) => {
          const flags = cliFlags(dir, redis.url, uniquePrefix('sigterm'));
          const specPath = writeSpec(dir, mock.url);
          const worker = spawnCli([...flags, 'run', specPath, '--json']);
          const done = collect(worker);
          await waitFor(async () => (await progressOf(dir)) > 500, { what: 'progress before SIGTERM' });
          const signalledAt = Date.now();
          worker.kill('SIGTERM');
          const stopped = await done;
          const tookMs = Date.now() - signalledAt;
          // Stopped before the end is not success: a script must be able to tell.
          expect(stopped.code).toBe(6);
          expect(tookMs).toBeLessThan(10_000);
          expect(JSON.parse(stopped.stdout)).toMatchObject({ complete: false });
          const again = await runCli([...flags, 'run', specPath, '--json']);
          expect(again.code).toBe(0);
          const ledger = await ledgerOf(dir);
          expect(ledger.counts).toEqual({ done: TOTAL, failed: 0 });
          expect(ledger.unique).toBe(TOTAL);
          expect(mock.stats().requests).toBeLessThanOrEqual(TOTAL + 20);
        }),
      ),
    );
  });
});
