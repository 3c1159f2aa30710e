import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type CrawlScope, crawlScope } from '../crawlScope';
import type { SharedLimiter } from './sharedLimiter';

/**
 * Test helpers for the limiter's integration tests: a copy of the few `@sluice/testkit`
 * helpers they need, because `@sluice/queue` does not depend on the testkit and a package
 * never reaches into another's `src/`. Not exported from the package.
 */

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

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
export async function withRedisPrefix<T>(
  name: string,
  clients: number,
  fn: (ctx: { url: string; prefix: string; scope: CrawlScope; clients: Redis[] }) => Promise<T>,
): Promise<T> {
  const prefix = `t-${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const open = Array.from({ length: clients }, () => testClient(TEST_REDIS_URL));
  try {
    return await fn({ url: TEST_REDIS_URL, prefix, scope: testScope(prefix, 1 + randomBytes(2).readUInt16BE(0)), clients: open });
  } finally {
    for (const client of open) client.disconnect();
    await deletePrefix(TEST_REDIS_URL, prefix);
  }
}

/** Deletes every key under `prefix:` (SCAN, never KEYS). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Redis's clock, epoch ms with sub-millisecond part: the clock the limiter's scripts use. */
export async function redisNowMs(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Number(micros) / 1000;
}

/** Polls `condition` until truthy or the deadline passes. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: { timeoutMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}`);
    await new Promise((r) => setTimeout(r, 20));
  }
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
    const release = await limiter.acquire(signal);
    if (signal.aborted) break;
    granted++;
    options.onHold?.(1);
    const holdMs = options.holdMs?.() ?? 0;
    if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
    options.onHold?.(-1);
    release();
  }
  return granted;
}

/** A free TCP port on 127.0.0.1 (nothing listens on it afterwards). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when a Redis server answers PING on `port` (a raw socket: an ioredis probe leaves a 2 s close timer behind). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.setTimeout(1_000, () => socket.destroy());
    let reply = '';
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
  });
}

/** A `redis-server` of the test's own, killed and restarted at will; removed with its data afterwards. */
export async function withOwnRedis<T>(
  fn: (server: { url: string; kill(): Promise<void>; restart(): Promise<void> }) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-limiter-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(() => answersPing(port), { timeoutMs: 10_000, what: `redis-server on port ${port}` });
  };
  const kill = async () => {
    const c = child as ChildProcess | null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await launch();
  try {
    return await fn({ url, kill, restart: launch });
  } finally {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
