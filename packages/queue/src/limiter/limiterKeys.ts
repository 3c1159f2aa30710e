import { queueName } from '../redisKeys';

/**
 * Keys of the shared limiter, laid out like `../redisKeys.ts` so `crawlKeyPattern` matches
 * them and a crawl's cleanup removes them:
 * - `P:crawl-<id>:sluice:limiter:perSecond` (…`perMinute`, `perHour`, `perDay`) one sorted-set
 *   log of request starts per window, scored by Redis time in ms
 * - `P:crawl-<id>:sluice:limiter:leases` one member per request in flight, scored by expiry
 * - `P:crawl-<id>:sluice:limiter:pause`  epoch ms until which the whole crawl is paused (and a
 *   pub/sub channel of the same name announcing each extension)
 * All share the prefix, so a prefix with a hash tag (`{sluice}`) keeps them in one Cluster slot,
 * which the limiter's scripts need.
 */

/** Names of the limiter's sliding windows. */
export type LimiterWindowName = 'perSecond' | 'perMinute' | 'perHour' | 'perDay';

function limiterKey(prefix: string, crawlId: number, name: string): string {
  return `${prefix}:${queueName(crawlId)}:sluice:limiter:${name}`;
}

/** The log of request starts inside one window. */
export function limiterWindowKey(prefix: string, crawlId: number, window: LimiterWindowName): string {
  return limiterKey(prefix, crawlId, window);
}

/** The concurrency leases of a crawl (requests in flight, across all processes). */
export function limiterLeasesKey(prefix: string, crawlId: number): string {
  return limiterKey(prefix, crawlId, 'leases');
}

/** The crawl-wide pause (set on 429 / Retry-After); also the channel its extensions are published on. */
export function limiterPauseKey(prefix: string, crawlId: number): string {
  return limiterKey(prefix, crawlId, 'pause');
}

/*
 * Credential pools: each credential (named by its environment variable, never its value) has
 * windows, leases and a pause of its own under `…:sluice:limiter:credential:<NAME>:`, and the
 * crawl keeps one hash of the credentials it retired.
 */

function credentialKey(prefix: string, crawlId: number, credential: string, name: string): string {
  return limiterKey(prefix, crawlId, `credential:${credential}:${name}`);
}

/** The log of one credential's request starts inside one window. */
export function credentialWindowKey(prefix: string, crawlId: number, credential: string, window: LimiterWindowName): string {
  return credentialKey(prefix, crawlId, credential, window);
}

/** One credential's concurrency leases (its requests in flight, across all processes). */
export function credentialLeasesKey(prefix: string, crawlId: number, credential: string): string {
  return credentialKey(prefix, crawlId, credential, 'leases');
}

/** One credential's pause (set on its throttle answers, and far ahead when it is retired). */
export function credentialPauseKey(prefix: string, crawlId: number, credential: string): string {
  return credentialKey(prefix, crawlId, credential, 'pause');
}

/** Hash of the crawl's retired credentials: name → why (`invalid`), for every process and for status. */
export function credentialsRetiredKey(prefix: string, crawlId: number): string {
  return limiterKey(prefix, crawlId, 'credentials:retired');
}
