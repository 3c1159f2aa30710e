import type { CrawlScope } from '@sluice/queue';
import { limiterKeyBase } from '@sluice/queue';

/**
 * Keys of the shared limiter, inside the crawl's namespace `N` (see `../redisKeys.ts`), so
 * `crawlKeyPattern` matches them and a crawl's cleanup removes them:
 * - `N:sluice:limiter:perSecond` (…`perMinute`, `perHour`, `perDay`) one sorted-set log of
 *   request starts per window, scored by Redis time in ms
 * - `N:sluice:limiter:leases` one member per request in flight, scored by expiry
 * - `N:sluice:limiter:pause`  epoch ms until which the whole crawl is paused (and a pub/sub
 *   channel of the same name announcing each extension)
 * - `N:sluice:limiter:adaptive` the adaptive per-second rate (`perSecond: "auto"`): its
 *   controller's state and the answer counts it is judged by (one hash, see `adaptiveScript.ts`)
 * All carry the crawl's hash tag, so on a Redis Cluster they share one slot, which the
 * limiter's scripts need (every key a script touches is passed in KEYS).
 */

/** Names of the limiter's sliding windows. */
export type LimiterWindowName = 'perSecond' | 'perMinute' | 'perHour' | 'perDay';

/** The log of request starts inside one window. */
export function limiterWindowKey(scope: CrawlScope, window: LimiterWindowName): string {
  return `${limiterKeyBase(scope)}:${window}`;
}

/** The concurrency leases of a crawl (requests in flight, across all processes). */
export function limiterLeasesKey(scope: CrawlScope): string {
  return `${limiterKeyBase(scope)}:leases`;
}

/** The crawl-wide pause (set on 429 / Retry-After); also the channel its extensions are published on. */
export function limiterPauseKey(scope: CrawlScope): string {
  return `${limiterKeyBase(scope)}:pause`;
}

/** The adaptive rate's state and recent answer counts (`limits.perSecond: "auto"`). */
export function limiterAdaptiveKey(scope: CrawlScope): string {
  return `${limiterKeyBase(scope)}:adaptive`;
}

/*
 * Credential pools: each credential (named by its environment variable, never its value) has
 * windows, leases and a pause of its own under `…:sluice:limiter:credential:<NAME>:`, and the
 * crawl keeps one hash of the credentials it retired.
 */

function credentialKey(scope: CrawlScope, credential: string, name: string): string {
  return `${limiterKeyBase(scope)}:credential:${credential}:${name}`;
}

/** The log of one credential's request starts inside one window. */
export function credentialWindowKey(scope: CrawlScope, credential: string, window: LimiterWindowName): string {
  return credentialKey(scope, credential, window);
}

/** One credential's concurrency leases (its requests in flight, across all processes). */
export function credentialLeasesKey(scope: CrawlScope, credential: string): string {
  return credentialKey(scope, credential, 'leases');
}

/** One credential's pause (set on its throttle answers, and far ahead when it is retired). */
export function credentialPauseKey(scope: CrawlScope, credential: string): string {
  return credentialKey(scope, credential, 'pause');
}

/** Hash of the crawl's retired credentials: name → why (`invalid`), for every process and for status. */
export function credentialsRetiredKey(scope: CrawlScope): string {
  return `${limiterKeyBase(scope)}:credentials:retired`;
}
