import { type CrawlScope, claimCrawlNamespace, crawlScope, createRedis, type RedisClient } from '@sluice/queue';
import type { Engine } from './engine';
import type { LoadedCrawl } from './loadCrawl';

/**
 * The crawl's name in Redis: this engine's prefix, its ledger's id, the crawl's id and name.
 * Every Redis key, queue and channel the engine touches for the crawl comes from this value.
 */
export function scopeOf(engine: Engine, crawl: LoadedCrawl): CrawlScope {
  return crawlScope({ prefix: engine.config.prefix, ledgerId: engine.store.ledgerId, crawlId: crawl.row.id, name: crawl.row.name });
}

/** A long-lived Redis client (single server or cluster, as configured). The caller closes it. */
export function openRedis(engine: Engine, name: string): RedisClient {
  const redis = createRedis(engine.config.redisUrl, name, { cluster: engine.config.redisCluster ?? false });
  redis.on('error', () => {});
  return redis;
}

/**
 * Claims the crawl's Redis namespace before any of its keys is touched.
 * @throws ForeignCrawlStateError when another ledger or crawl owns it.
 */
export async function claimScope(redis: RedisClient, scope: CrawlScope, crawl: LoadedCrawl): Promise<void> {
  await claimCrawlNamespace(redis, scope, crawl.row.createdAt);
}

/**
 * A Redis client for the crawl with its namespace claimed, so no key of the crawl is touched
 * before the claim. The caller closes the client; a refused claim closes it here.
 * @throws ForeignCrawlStateError when another ledger or crawl owns the namespace.
 */
export async function openClaimedRedis(engine: Engine, crawl: LoadedCrawl, name: string): Promise<RedisClient> {
  const redis = openRedis(engine, name);
  try {
    await claimScope(redis, scopeOf(engine, crawl), crawl);
    return redis;
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}
