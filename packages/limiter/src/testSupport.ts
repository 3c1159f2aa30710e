import { randomBytes } from 'node:crypto';
import { type CrawlScope, crawlScope } from '@sluice/queue';
import { deletePrefix, TEST_REDIS_URL, uniquePrefix } from '@sluice/testkit';
import { Redis } from 'ioredis';
import type { SharedLimiter } from './sharedLimiter';

/**
 * Helpers for the limiter's tests that only the limiter needs; the general ones (own
 * redis-server, waitFor, free ports) come from `@sluice/testkit`. Not exported from the package.
 */

/** A long-lived client like `createRedis`: commands wait out a reconnect. */
export function testClient(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(50 * times, 500) });
  redis.on('error', () => {});
  return redis;
}

/** A crawl scope under `prefix` for a limiter test (a fixed test ledger id). */
export function testScope(prefix: string, crawlId: number): CrawlScope {
  return crawlScope({ prefix, ledgerId: 'test', crawlId, name: 'limiter-test' });
}

/** Runs `fn` with a fresh prefix, a crawl scope under it and `clients` clients; deletes the prefix's keys and closes the clients afterwards. */
export async function withLimiterClients<T>(
  name: string,
  clients: number,
  fn: (ctx: { url: string; prefix: string; scope: CrawlScope; clients: Redis[] }) => Promise<T>,
): Promise<T> {
  const prefix = uniquePrefix(name);
  const open = Array.from({ length: clients }, () => testClient(TEST_REDIS_URL));
  try {
    return await fn({ url: TEST_REDIS_URL, prefix, scope: testScope(prefix, 1 + randomBytes(2).readUInt16BE(0)), clients: open });
  } finally {
    for (const client of open) client.disconnect();
    await deletePrefix(TEST_REDIS_URL, prefix);
  }
}

/** Redis's clock, epoch ms with sub-millisecond part: the clock the limiter's scripts use. */
export async function redisNowMs(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Number(micros) / 1000;
}

/**
 * Acquires in a loop until `signal` aborts, holding each start for `holdMs()` (a simulated
 * request); `onHold` sees +1 when a start is granted and -1 just before its release.
 */
export async function hammer(
  limiter: SharedLimiter,
  signal: AbortSignal,
  options: { holdMs?: () => number; onHold?: (delta: 1 | -1) => void } = {},
): Promise<number> {
  let granted = 0;
  while (!signal.aborted) {
    const start = await limiter.acquire(signal);
    if (signal.aborted) break;
    granted++;
    options.onHold?.(1);
    const holdMs = options.holdMs?.() ?? 0;
    if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
    options.onHold?.(-1);
    start.release();
  }
  return granted;
}
