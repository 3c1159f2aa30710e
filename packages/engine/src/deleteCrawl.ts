import { ConfigError, InfrastructureError, redactUrl } from '@sluice/core';
import { crawlKeyPattern, deleteCrawlKeys, listWorkers, pingRedis } from '@sluice/queue';
import type { Engine } from './engine';
import { loadCrawl } from './loadCrawl';
import { openRedis, scopeOf } from './redisScope';

export interface DeleteCrawlOptions {
  /**
   * Delete even while workers are online (their heartbeats are live), and with Redis
   * unreachable (then only the ledger rows go; the crawl's Redis keys stay). Default false.
   */
  force?: boolean;
}

export interface DeleteCrawlResult {
  id: number;
  name: string;
  /** Redis keys deleted (queue, lease, heartbeats, stats, limiter). */
  redisKeys: number;
  /** False when Redis did not answer (only with `force`): its keys of the crawl remain. */
  redis: boolean;
}

/**
 * Deletes a crawl: every Redis key of it, then its ledger rows (results, failures, cursor,
 * counters, request log), then its Redis keys once more, in case a process wrote one in between.
 * Keys go first so a failure part-way leaves the crawl in the ledger, to be deleted again.
 * Crawl ids are never reused (AUTOINCREMENT), so keys left behind with `force` can never be
 * taken for a later crawl's.
 * @throws ConfigError (exit 2) when workers are online and `force` is not set.
 * @throws InfrastructureError (exit 3) when Redis does not answer and `force` is not set.
 */
export async function deleteCrawl(engine: Engine, ref: string | number, options: DeleteCrawlOptions = {}): Promise<DeleteCrawlResult> {
  const crawl = await loadCrawl(engine.store, ref);
  const { row } = crawl;
  const scope = scopeOf(engine, crawl);
  const { redisUrl, log } = engine.config;
  if (!(await pingRedis(redisUrl, 1500))) {
    if (!options.force) {
      throw new InfrastructureError(
        `Redis at ${redactUrl(redisUrl)} does not answer, so live workers cannot be ruled out and the crawl's keys cannot be deleted; ` +
          'retry when it answers, or add --force to delete the ledger rows only',
      );
    }
    await engine.store.crawls.remove(row.id);
    log.warn(`Redis does not answer: crawl ${row.name}'s keys (${crawlKeyPattern(scope)}) stay in it`);
    return { id: row.id, name: row.name, redisKeys: 0, redis: false };
  }
  const redis = openRedis(engine, 'sluice-delete');
  try {
    const workers = await listWorkers(redis, scope);
    if (workers.length > 0 && !options.force) {
      const who = workers.map((w) => `${w.host}:${w.pid}`).join(', ');
      throw new ConfigError(
        `crawl ${row.name} has ${workers.length} worker(s) online (${who}); stop them first (Ctrl-C, or \`sluice pause ${row.name}\`), or add --force`,
      );
    }
    let redisKeys = await deleteCrawlKeys(redis, scope);
    await engine.store.crawls.remove(row.id);
    redisKeys += await deleteCrawlKeys(redis, scope);
    return { id: row.id, name: row.name, redisKeys, redis: true };
  } finally {
    redis.disconnect();
  }
}
