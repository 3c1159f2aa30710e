/**
 * Every Redis key and queue name Sluice uses is built here, so they can be listed, scanned
 * and cleaned up in one place.
 *
 * Layout under a prefix `P` (default `sluice`):
 * - `P:crawl-<id>:*`            BullMQ's own keys for the crawl's batch queue
 * - `P:crawl-<id>:sluice:producer` the producer lease (which process enqueues)
 * - `P:crawl-<id>:sluice:worker:<worker id>` a worker's heartbeat (expires when it dies)
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
