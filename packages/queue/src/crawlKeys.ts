import { type RedisClient, scanKeys } from './connection';
import type { CrawlScope } from './crawlScope';
import { crawlKeyPattern } from './redisKeys';

/** Keys deleted per UNLINK: bounded, so one call never blocks Redis or builds a huge reply. */
const DELETE_BATCH = 500;

/**
 * Deletes every Redis key of a crawl (its BullMQ queue, owner record, producer lease,
 * heartbeats, stats, limiter windows and pause), found by SCAN over `crawlKeyPattern`, never
 * KEYS (on a cluster each master is scanned). All of them carry the crawl's hash tag, so one
 * UNLINK may name many of them, also on a cluster. UNLINK frees memory in the background, so a
 * big queue does not stall other clients. Returns how many keys were deleted.
 */
export async function deleteCrawlKeys(redis: RedisClient, scope: CrawlScope): Promise<number> {
  const keys = await scanKeys(redis, crawlKeyPattern(scope));
  let deleted = 0;
  for (let i = 0; i < keys.length; i += DELETE_BATCH) deleted += await redis.unlink(...keys.slice(i, i + DELETE_BATCH));
  return deleted;
}
