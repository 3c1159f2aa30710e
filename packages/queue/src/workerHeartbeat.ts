import type { RedisClient } from './connection';
import type { CrawlScope } from './crawlScope';
import { workerHeartbeatKey, workerIndexKey } from './redisKeys';

/** What a worker says about itself, refreshed every few seconds while it lives. */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  /** Keys this worker finished so far. */
  finished: number;
  /** Requests in flight right now. */
  inFlight: number;
  beatAt: number;
  /** This worker's circuit breaker: `closed`, `open` or `half-open`. */
  breaker?: string;
  /** Epoch ms until which this worker holds requests back after a throttle signal (0 if not). */
  throttledUntil?: number;
  /** The driver's message while this worker's ledger writes fail (`database or disk is full`); absent or null otherwise. */
  ledgerError?: string | null;
  /** Epoch ms since which this worker's endpoint is unreachable (circuit open), or 0. */
  outageSince?: number;
}

/**
 * Life of a heartbeat in Redis. Workers renew theirs every second, so a killed worker leaves
 * status at most this long after its last beat; a live one survives three missed renewals (an
 * event loop blocked for a few seconds) before it is shown as gone.
 */
export const HEARTBEAT_TTL_MS = 4_000;

/**
 * Writes a heartbeat that expires after `ttlMs` (default {@link HEARTBEAT_TTL_MS}) unless
 * renewed (a dead worker disappears), and lists the worker in the crawl's worker index (a
 * sorted set scored by expiry). The index replaces a SCAN over heartbeat keys, which on a Redis
 * Cluster would have to visit every node; expired entries are pruned by each write.
 */
export async function writeHeartbeat(redis: RedisClient, scope: CrawlScope, info: WorkerInfo, ttlMs = HEARTBEAT_TTL_MS): Promise<void> {
  const now = Date.now();
  await redis
    .multi()
    .set(workerHeartbeatKey(scope, info.id), JSON.stringify(info), 'PX', ttlMs)
    .zadd(workerIndexKey(scope), now + ttlMs, info.id)
    .zremrangebyscore(workerIndexKey(scope), '-inf', now)
    .exec();
}

export async function removeHeartbeat(redis: RedisClient, scope: CrawlScope, workerId: string): Promise<void> {
  await redis.multi().del(workerHeartbeatKey(scope, workerId)).zrem(workerIndexKey(scope), workerId).exec();
}

/** Workers whose heartbeat is alive. */
export async function listWorkers(redis: RedisClient, scope: CrawlScope): Promise<WorkerInfo[]> {
  const ids = await redis.zrangebyscore(workerIndexKey(scope), Date.now(), '+inf');
  if (ids.length === 0) return [];
  const values = await redis.mget(...ids.map((id) => workerHeartbeatKey(scope, id)));
  return values.flatMap((v) => (v ? [JSON.parse(v) as WorkerInfo] : []));
}

/** Redis's eviction policy, or null when CONFIG is not allowed (managed Redis). */
export async function evictionPolicy(redis: RedisClient): Promise<string | null> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return reply[1] ?? null;
  } catch {
    return null;
  }
}
