/**
 * Every Redis key and queue name Sluice uses is built here, so they can be listed, scanned
 * and cleaned up in one place.
 *
 * Layout under a prefix `P` (default `sluice`):
 * - `P:crawl-<id>:*`            BullMQ's own keys for the crawl's batch queue
 * - `P:crawl-<id>:sluice:producer` the producer lease (which process enqueues)
 * - `P:crawl-<id>:sluice:worker:<worker id>` a worker's heartbeat (expires when it dies)
 * - `P:crawl-<id>:sluice:stats`   request counters and duration histogram (hash)
 * - `P:crawl-<id>:sluice:rate`    keys finished per 10-second bucket, last hour (hash)
 * - `P:crawl-<id>:sluice:errors`  the last 100 request errors, newest first (list)
 * For Redis Cluster, give a prefix with a hash tag (`{sluice}`) so a queue's keys share a slot.
 */

/** Default key prefix. */
export const DEFAULT_PREFIX = 'sluice';

/** BullMQ queue name of a crawl's batch queue. */
export function queueName(crawlId: number): string {
  return `crawl-${crawlId}`;
}

/** The producer lease of a crawl. */
export function producerLeaseKey(prefix: string, crawlId: number): string {
  return `${prefix}:${queueName(crawlId)}:sluice:producer`;
}

/** Job id of a batch: stable, so re-adding a batch still in Redis is a no-op. */
export function batchJobId(batch: number): string {
  return `b${batch}`;
}

/** Pattern matching every key of a crawl (for SCAN-based inspection and cleanup). */
export function crawlKeyPattern(prefix: string, crawlId: number): string {
  return `${prefix}:${queueName(crawlId)}:*`;
}

/** A worker's heartbeat key. */
export function workerHeartbeatKey(prefix: string, crawlId: number, workerId: string): string {
  return `${prefix}:${queueName(crawlId)}:sluice:worker:${workerId}`;
}

/** Pattern matching every worker heartbeat of a crawl. */
export function workerHeartbeatPattern(prefix: string, crawlId: number): string {
  return `${prefix}:${queueName(crawlId)}:sluice:worker:*`;
}

/** Request counters and duration histogram of a crawl (all workers). */
export function statsKey(prefix: string, crawlId: number): string {
  return `${prefix}:${queueName(crawlId)}:sluice:stats`;
}

/** Keys finished per 10-second bucket (field = bucket start in epoch seconds). */
export function rateKey(prefix: string, crawlId: number): string {
  return `${prefix}:${queueName(crawlId)}:sluice:rate`;
}

/** The last request errors of a crawl, newest first. */
export function recentErrorsKey(prefix: string, crawlId: number): string {
  return `${prefix}:${queueName(crawlId)}:sluice:errors`;
}
