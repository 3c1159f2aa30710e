import { ForeignCrawlStateError } from '@sluice/core';
import type { RedisClient } from './connection';
import { type CrawlScope, describeScope } from './crawlScope';
import { ownerKey } from './redisKeys';

/**
 * The ownership record of a crawl's Redis namespace. The ledger id in the namespace keeps
 * ledgers apart; the record catches what the id alone cannot: a ledger file copied (same id)
 * whose copies then create different crawls under the same crawl id, or state left by
 * something else under the same name. Written once, by the first process of the crawl, and
 * checked by every worker, producer and control command before it touches the crawl's keys.
 */
export interface CrawlOwner {
  ledgerId: string;
  crawlId: number;
  name: string;
  /** Epoch ms the crawl was created in its ledger. */
  createdAt: number;
}

function sameOwner(a: CrawlOwner, b: CrawlOwner): boolean {
  return a.ledgerId === b.ledgerId && a.crawlId === b.crawlId && a.name === b.name && a.createdAt === b.createdAt;
}

function parseOwner(raw: string): CrawlOwner | null {
  try {
    const v = JSON.parse(raw) as Partial<CrawlOwner>;
    if (typeof v.ledgerId === 'string' && typeof v.crawlId === 'number' && typeof v.name === 'string' && typeof v.createdAt === 'number') {
      return { ledgerId: v.ledgerId, crawlId: v.crawlId, name: v.name, createdAt: v.createdAt };
    }
  } catch {
    // Not JSON: reported below as foreign state.
  }
  return null;
}

/**
 * Claims the crawl's namespace for `owner`, or confirms it already holds it. Redis lost
 * everything (FLUSHALL, a restart without persistence): the record is simply written again.
 * @throws ForeignCrawlStateError (one line) when the record names another ledger or crawl.
 */
export async function claimCrawlNamespace(redis: RedisClient, scope: CrawlScope, createdAt: number): Promise<void> {
  const mine: CrawlOwner = { ledgerId: scope.ledgerId, crawlId: scope.crawlId, name: scope.name, createdAt };
  const key = ownerKey(scope);
  if ((await redis.set(key, JSON.stringify(mine), 'NX')) === 'OK') return;
  const raw = await redis.get(key);
  if (raw === null) {
    // Deleted between the two calls (a cleanup): claim again.
    await redis.set(key, JSON.stringify(mine), 'NX');
    return;
  }
  const found = parseOwner(raw);
  if (found && sameOwner(found, mine)) return;
  const who = found
    ? `crawl "${found.name}" (id ${found.crawlId}, created ${new Date(found.createdAt).toISOString()}) of ledger ${found.ledgerId}`
    : 'an unreadable owner record';
  throw new ForeignCrawlStateError(
    `Redis namespace ${describeScope(scope)} belongs to ${who}, not to this ledger's crawl; refusing to touch its jobs (use another --prefix, or delete that namespace's keys if it is stale)`,
  );
}
