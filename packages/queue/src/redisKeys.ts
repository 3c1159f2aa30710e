import type { CrawlScope } from './crawlScope';

/**
 * Every Redis key, queue name and channel Sluice uses is built here (and in
 * `packages/limiter/src/limiterKeys.ts`), from a crawl's scope, so they can be listed, scanned and cleaned
 * up in one place.
 *
 * Layout of one crawl, with `N` = its namespace `P:{<ledger id>.<crawl id>}` (prefix `P`,
 * default `sluice`; see `crawlScope.ts`):
 * - `N:crawl.<name>:*`         BullMQ's own keys for the crawl's batch queue (BullMQ prefix `N`,
 *                              queue name `crawl.<name>`)
 * - `N:sluice:owner`           who the namespace belongs to (ledger id, crawl id, name, created)
 * - `N:sluice:producer`        the producer lease (which process enqueues)
 * - `N:sluice:worker:<id>`     a worker's heartbeat (expires when it dies)
 * - `N:sluice:workers`         live worker ids, scored by heartbeat expiry (sorted set), so
 *                              listing workers needs no SCAN (a Cluster node-wide scan)
 * - `N:sluice:stats`           request counters and duration histogram (hash)
 * - `N:sluice:rate`            keys finished per 10-second bucket, last hour (hash)
 * - `N:sluice:errors`          the last 100 request errors, newest first (list)
 * - `N:sluice:limiter:*`       the shared limiter's windows, leases and pause (and the pause's
 *                              pub/sub channel, named like the key)
 * A queue name always starts with `crawl.`, so BullMQ's keys never meet the `sluice` segment.
 * The hash tag `{<ledger id>.<crawl id>}` puts all of one crawl's keys in one Redis Cluster
 * slot (BullMQ's too, since the tag is in BullMQ's prefix); different crawls spread over the
 * cluster. A prefix holding braces of its own (`{sluice}`, once advised for Cluster) still
 * works: Redis hashes the first tag, so that prefix's crawls then share one slot.
 */

/** Default key prefix. */
export const DEFAULT_PREFIX = 'sluice';

function ownKey(scope: CrawlScope, name: string): string {
  return `${scope.namespace}:sluice:${name}`;
}

/** BullMQ's `prefix` option for the crawl's queue: the crawl namespace (hash tag included). */
export function bullPrefix(scope: CrawlScope): string {
  return scope.namespace;
}

/** The record naming who owns the crawl's namespace. */
export function ownerKey(scope: CrawlScope): string {
  return ownKey(scope, 'owner');
}

/** The producer lease of a crawl. */
export function producerLeaseKey(scope: CrawlScope): string {
  return ownKey(scope, 'producer');
}

/** Job id of a batch: stable, so re-adding a batch still in Redis is a no-op. */
export function batchJobId(batch: number): string {
  return `b${batch}`;
}

/**
 * Pattern matching every key of a crawl (for SCAN-based inspection and cleanup). On a Redis
 * Cluster every match lives on the node that serves the crawl's slot.
 */
export function crawlKeyPattern(scope: CrawlScope): string {
  return `${scope.namespace}:*`;
}

/** A worker's heartbeat key. */
export function workerHeartbeatKey(scope: CrawlScope, workerId: string): string {
  return ownKey(scope, `worker:${workerId}`);
}

/** Live worker ids of a crawl, scored by the epoch ms their heartbeat expires. */
export function workerIndexKey(scope: CrawlScope): string {
  return ownKey(scope, 'workers');
}

/** Request counters and duration histogram of a crawl (all workers). */
export function statsKey(scope: CrawlScope): string {
  return ownKey(scope, 'stats');
}

/** Keys finished per 10-second bucket (field = bucket start in epoch seconds). */
export function rateKey(scope: CrawlScope): string {
  return ownKey(scope, 'rate');
}

/** The last request errors of a crawl, newest first. */
export function recentErrorsKey(scope: CrawlScope): string {
  return ownKey(scope, 'errors');
}

/** Start of the limiter's keys (see `limiterKeys.ts` in @sluice/limiter). */
export function limiterKeyBase(scope: CrawlScope): string {
  return ownKey(scope, 'limiter');
}
