import { randomUUID } from 'node:crypto';
import type { RedisClient } from './connection';
import type { CrawlScope } from './crawlScope';
import { producerLeaseKey } from './redisKeys';

/**
 * At most one process enqueues a crawl at a time: the holder of this lease. Every `work`
 * process competes for it, so a crawl keeps being fed when its producer dies (the lease
 * expires after `ttlMs` and another process takes over from the cursor saved in SQLite).
 */
export interface ProducerLease {
  /** Takes or renews the lease; true while this process holds it. */
  tryHold(): Promise<boolean>;
  release(): Promise<void>;
}

const RENEW_IF_MINE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const RELEASE_IF_MINE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export function createProducerLease(redis: RedisClient, scope: CrawlScope, ttlMs = 10_000): ProducerLease {
  const key = producerLeaseKey(scope);
  const token = randomUUID();
  return {
    async tryHold() {
      const renewed = (await redis.eval(RENEW_IF_MINE, 1, key, token, String(ttlMs))) as number;
      if (renewed === 1) return true;
      return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async release() {
      await redis.eval(RELEASE_IF_MINE, 1, key, token);
    },
  };
}
