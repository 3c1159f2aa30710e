import type { Redis } from 'ioredis';
import { crawlKeyPattern } from './redisKeys';

/** Keys deleted per UNLINK: bounded, so one call never blocks Redis or builds a huge reply. */
const DELETE_BATCH = 500;

/**
 * Deletes every Redis key of a crawl (its BullMQ queue, producer lease, heartbeats, stats,
 * limiter windows and pause), found by SCAN over `crawlKeyPattern`, never KEYS. UNLINK frees
 * memory in the background, so a big queue does not stall other clients. Returns how many
 * keys were deleted.
 */
export async function deleteCrawlKeys(redis: Redis, prefix: string, crawlId: number): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', crawlKeyPattern(prefix, crawlId), 'COUNT', DELETE_BATCH);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
