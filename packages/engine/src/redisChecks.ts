import { evictionPolicy, type RedisClient } from '@sluice/queue';
import type { Logger } from './engine';

/**
 * Warns loudly when Redis may evict keys: an evicted job is a silently dropped batch until the
 * next reconcile, and an evicted lease or limiter window breaks its guarantee.
 */
export async function warnIfEvicting(redis: RedisClient, log: Logger): Promise<void> {
  const policy = await evictionPolicy(redis);
  if (policy !== null && policy !== 'noeviction') {
    log.warn(
      `Redis maxmemory-policy is "${policy}": Redis may evict queued work. Set it to noeviction ` +
        '(redis-cli CONFIG SET maxmemory-policy noeviction, and maxmemory-policy noeviction in redis.conf).',
    );
  }
}
