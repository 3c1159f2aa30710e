import { InfrastructureError, redactUrl } from '@sluice/core';
import { Cluster, type ClusterNode, Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections. Long-lived clients (workers, producer) retry forever with a capped
 * backoff and keep commands queued while Redis is away, so a Redis restart pauses the crawl
 * instead of killing the process. `maxRetriesPerRequest: null` is what BullMQ requires.
 *
 * Where Redis is, as one string (`--redis`, `REDIS_URL`): one `redis://` / `rediss://` URL is
 * a single server (the default, `redis://127.0.0.1:6379`); a comma-separated list of URLs is a
 * Redis Cluster, given by any of its nodes (seeds; the client discovers the rest). A single
 * URL is a cluster seed when `cluster` is set (`--redis-cluster`, default off). Every key of a
 * crawl carries the crawl's hash tag, so a cluster serves each crawl from one slot.
 */

/** A single server or a cluster: every command Sluice sends works on both. */
export type RedisClient = Redis | Cluster;

/** How to reach Redis besides its URL(s). */
export interface RedisTargetOptions {
  /** Treat a single URL as a Redis Cluster seed. Default false (a list of URLs is always a cluster). */
  cluster?: boolean;
}

/** The URLs of a `--redis` value (one, or a comma-separated list). */
export function redisUrls(value: string): string[] {
  return value
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
}

/** True when `value` (with `options`) names a Redis Cluster. */
export function isClusterTarget(value: string, options: RedisTargetOptions = {}): boolean {
  return options.cluster === true || redisUrls(value).length > 1;
}

/** Host, port and credentials of one URL, for a cluster's node list and per-node options. */
function clusterNode(url: string): { node: ClusterNode; options: RedisOptions } {
  const u = new URL(url);
  const options: RedisOptions = {};
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') options.tls = {};
  return { node: { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379) }, options };
}

const retryStrategy = (times: number) => Math.min(100 * times, 2000);

export function createRedis(url: string, name = 'sluice', target: RedisTargetOptions = {}): RedisClient {
  if (!isClusterTarget(url, target)) {
    return new Redis(url, { connectionName: name, maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy });
  }
  const nodes = redisUrls(url).map(clusterNode);
  return new Cluster(
    nodes.map((n) => n.node),
    {
      redisOptions: { ...nodes[0]?.options, connectionName: name, maxRetriesPerRequest: null },
      clusterRetryStrategy: retryStrategy,
      enableReadyCheck: true,
      enableOfflineQueue: true,
    },
  );
}

async function pingOne(url: string, timeoutMs: number): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Checks that Redis answers, within `timeoutMs`. Used at start so a user sees one clear error
 * instead of a process that waits forever. For a cluster, one answering seed is enough: the
 * cluster client finds the other nodes through it.
 */
export async function pingRedis(url: string, timeoutMs = 2000): Promise<boolean> {
  for (const one of redisUrls(url)) {
    if (await pingOne(one, timeoutMs)) return true;
  }
  return false;
}

/** Throws an InfrastructureError naming the (redacted) URL when Redis does not answer. */
export async function assertRedis(url: string, timeoutMs = 2000): Promise<void> {
  if (!(await pingRedis(url, timeoutMs))) {
    throw new InfrastructureError(`Redis at ${redisUrls(url).map(redactUrl).join(',')} does not answer`);
  }
}

/**
 * Every key matching `pattern` (SCAN, never KEYS). On a cluster each master is scanned: a
 * plain SCAN would see one random node only.
 */
export async function scanKeys(redis: RedisClient, pattern: string, count = 1000): Promise<string[]> {
  const nodes: Redis[] = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
  }
  return keys;
}
