/**
 * The one value that names a crawl in Redis. Every key, queue, lease, heartbeat, statistic,
 * limiter window and pub/sub channel of a crawl is derived from it (see `redisKeys.ts`), so
 * two ledgers that share one Redis, each with a crawl 1, never meet: the namespace holds the
 * ledger's random id beside the crawl id.
 */
export interface CrawlScope {
  /** The user's key prefix (`--prefix`, default `sluice`). */
  readonly prefix: string;
  /** The ledger's random id (16 hex digits). */
  readonly ledgerId: string;
  /** The crawl's id inside its ledger. */
  readonly crawlId: number;
  /** The crawl's name, as stored in the ledger. */
  readonly name: string;
  /**
   * `<prefix>:{<ledgerId>.<crawlId>}`: the start of every key of the crawl. The braces are a
   * Redis Cluster hash tag: every key of the crawl hashes to one slot, which multi-key
   * commands, MULTI and the limiter's scripts need.
   */
  readonly namespace: string;
  /**
   * BullMQ queue name: `crawl.<name>`, so bull-board and other BullMQ tools show a name a
   * person recognises. BullMQ builds its keys as `<prefix>:<queue name>:…` and refuses `:` in
   * queue names; the crawl namespace is BullMQ's prefix, so BullMQ's keys carry the same hash
   * tag and land in the crawl's slot.
   */
  readonly queueName: string;
}

export interface CrawlScopeInput {
  prefix: string;
  ledgerId: string;
  crawlId: number;
  name: string;
}

/** Longest part of the crawl name kept in the queue name. */
const MAX_QUEUE_NAME_CHARS = 100;

/**
 * The crawl's name as a BullMQ queue name: only `A-Z a-z 0-9 . _ -` are kept (others become
 * `_`), which excludes BullMQ's separator `:` and the braces of a hash tag. Crawl names are
 * validated to that set already; this keeps the queue name safe whatever the ledger holds.
 */
export function sanitizeQueueName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, MAX_QUEUE_NAME_CHARS);
  return `crawl.${safe.length > 0 ? safe : '_'}`;
}

/**
 * Builds a crawl's scope.
 * @throws RangeError when the ledger id or crawl id could break the hash tag or the key layout.
 */
export function crawlScope(input: CrawlScopeInput): CrawlScope {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(input.ledgerId)) throw new RangeError(`crawl scope: bad ledger id "${input.ledgerId}"`);
  if (!Number.isSafeInteger(input.crawlId) || input.crawlId < 0) throw new RangeError(`crawl scope: bad crawl id ${input.crawlId}`);
  if (input.prefix.length === 0 || /[:*?[\]\s]/.test(input.prefix)) throw new RangeError(`crawl scope: bad prefix "${input.prefix}"`);
  return {
    prefix: input.prefix,
    ledgerId: input.ledgerId,
    crawlId: input.crawlId,
    name: input.name,
    namespace: `${input.prefix}:{${input.ledgerId}.${input.crawlId}}`,
    queueName: sanitizeQueueName(input.name),
  };
}

/** What a log line or error says about a scope: `sluice:{<ledger id>.<crawl id>}` (crawl "<name>"). */
export function describeScope(scope: CrawlScope): string {
  return `${scope.namespace} (crawl "${scope.name}")`;
}
