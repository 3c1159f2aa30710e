import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { Redis } from 'ioredis';
import { waitFor } from './waitFor';

/** The shared Redis that integration tests use unless they need their own. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A queue prefix no other test uses. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
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

/** Runs `fn` with a fresh prefix on the shared Redis; its keys are deleted afterwards. */
export async function withRedisPrefix<T>(name: string, fn: (ctx: { url: string; prefix: string }) => Promise<T>): Promise<T> {
  const prefix = uniquePrefix(name);
  try {
    return await fn({ url: TEST_REDIS_URL, prefix });
  } finally {
    await deletePrefix(TEST_REDIS_URL, prefix);
  }
}

/** A free TCP port on 127.0.0.1. */
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

/**
 * True when a Redis server answers on `port`: a PING over a raw socket (an ioredis probe leaves
 * a 2 s close timer behind). `-NOAUTH` counts: a server with a password is up too.
 */
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
    socket.on('close', () => resolve(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH')));
  });
}

/** A `redis-server` of a test's own, on a free port, with its data in `dir`. */
export interface OwnRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGKILL by pid (a crash); the data in `dir` stays. */
  kill(): Promise<void>;
  /** Starts it again on the same port and dir (AOF replays if on). */
  restart(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

export interface OwnRedisOptions {
  /** Append-only file on, so a restart keeps the data. Default false. */
  appendOnly?: boolean;
  /** `requirepass`; the URL then carries it. Default none. */
  password?: string;
}

export async function startRedisServer(dir: string, options: OwnRedisOptions = {}): Promise<OwnRedis> {
  const port = await freePort();
  const url = options.password ? `redis://:${options.password}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        options.appendOnly ? 'yes' : 'no',
        '--maxmemory-policy',
        'noeviction',
        ...(options.password ? ['--requirepass', options.password] : []),
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => answersPing(port), { timeoutMs: 10_000, what: `redis-server on port ${port}` });
  };
  const killNow = async (signal: NodeJS.Signals) => {
    const c = child as ChildProcess | null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  };
  await launch();
  return {
    url,
    port,
    get pid() {
      return (child as ChildProcess | null)?.pid ?? -1;
    },
    kill: () => killNow('SIGKILL'),
    restart: launch,
    stop: () => killNow('SIGTERM'),
  };
}

/**
 * Runs `fn` with a `redis-server` of the test's own, its data in `dir`, stopped by pid
 * afterwards. Set up as production should be: AOF on (so a restart keeps the data) unless
 * `appendOnly: false`.
 */
export async function withOwnRedis<T>(dir: string, fn: (redis: OwnRedis) => Promise<T>, options: OwnRedisOptions = {}): Promise<T> {
  const redis = await startRedisServer(dir, { appendOnly: true, ...options });
  try {
    return await fn(redis);
  } finally {
    await redis.stop();
  }
}
