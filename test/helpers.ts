import { join } from 'node:path';
import { type Engine, openEngine, silentLogger } from '@sluice/engine';
import { openStore, type Store } from '@sluice/store';
import { type OwnRedis, runCli } from '@sluice/testkit';
import { Redis } from 'ioredis';

/** An engine on a fresh SQLite file in `dir` and the given Redis prefix. */
export function testEngine(dir: string, redisUrl: string, prefix: string): Promise<Engine> {
  return openEngine({ dbPath: join(dir, 'sluice.db'), redisUrl, prefix, env: process.env, log: silentLogger });
}

/** Opens the ledger at `target` (a SQLite file or a postgres:// URL), reads it with `fn`, closes it. */
export async function readLedger<T>(target: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(target);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The colour crawl spec used across tests. */
export function colourSpec(mockUrl: string, count: number, extra: Record<string, unknown> = {}) {
  return {
    name: 'colours',
    keys: { range: { from: 0, to: count - 1, format: 'hex6' } },
    request: { url: `${mockUrl}/id?hex={key}` },
    limits: { concurrency: 50 },
    retry: { attempts: 5, baseDelayMs: 10, maxDelayMs: 100 },
    validate: { keyField: 'hex.clean' },
    ...extra,
  };
}

/** Global CLI flags pointing at a test's own database and Redis prefix. */
export function cliFlags(dir: string, redisUrl: string, prefix: string): string[] {
  return ['--db', join(dir, 'sluice.db'), '--redis', redisUrl, '--prefix', prefix];
}

/**
 * Loses every job: FLUSHALL on the test's own redis-server (never the shared one), then
 * `sluice resume colours`. `finishedBefore` is how many keys the ledger held before the flush:
 * resume reports at most the rest as missing. It may report none: the running worker itself
 * re-enqueues missing keys once it finds the queue empty, and can finish them all before
 * resume starts. The caller checks that every key ends up in the ledger exactly once.
 */
export async function flushAndResume(redis: OwnRedis, flags: readonly string[], total: number, finishedBefore: number): Promise<void> {
  const client = new Redis(redis.url);
  try {
    await client.flushall();
  } finally {
    client.disconnect();
  }
  const resumed = await runCli([...flags, 'resume', 'colours', '--json']);
  expect(resumed.code).toBe(0);
  const { name, missing } = JSON.parse(resumed.stdout) as { name: string; missing: number };
  expect(name).toBe('colours');
  expect(missing).toBeGreaterThanOrEqual(0);
  expect(missing).toBeLessThanOrEqual(total - finishedBefore);
}
