import type { Redis } from 'ioredis';
import { workerHeartbeatKey, workerHeartbeatPattern } from './redisKeys';

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
}

/**
 * Life of a heartbeat in Redis. Workers renew theirs every second, so a killed worker leaves
 * status at most this long after its last beat; a live one survives three missed renewals (an
 * event loop blocked for a few seconds) before it is shown as gone.
 */
export const HEARTBEAT_TTL_MS = 4_000;

/** Writes a heartbeat that expires after `ttlMs` unless renewed (a dead worker disappears). Default TTL {@link HEARTBEAT_TTL_MS}. */
export async function writeHeartbeat(
  redis: Redis,
  prefix: string,
  crawlId: number,
  info: WorkerInfo,
  ttlMs = HEARTBEAT_TTL_MS,
): Promise<void> {
  await redis.set(workerHeartbeatKey(prefix, crawlId, info.id), JSON.stringify(info), 'PX', ttlMs);
}

export async function removeHeartbeat(redis: Redis, prefix: string, crawlId: number, workerId: string): Promise<void> {
  await redis.del(workerHeartbeatKey(prefix, crawlId, workerId));
}

/** Workers whose heartbeat is alive (SCAN, never KEYS). */
export async function listWorkers(redis: Redis, prefix: string, crawlId: number): Promise<WorkerInfo[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', workerHeartbeatPattern(prefix, crawlId), 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  return values.flatMap((v) => (v ? [JSON.parse(v) as WorkerInfo] : []));
}

/** Redis's eviction policy, or null when CONFIG is not allowed (managed Redis). */
export async function evictionPolicy(redis: Redis): Promise<string | null> {
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    return reply[1] ?? null;
  } catch {
    return null;
  }
}
