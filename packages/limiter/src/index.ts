/**
 * The shared limiter: admission of every request of a crawl, in every process on every host,
 * under the crawl's windows, global concurrency cap and pause, and a credential pool's keys
 * each with windows of their own (see `sharedLimiter.ts` and `credentialPool.ts`).
 */
export { type AdaptiveRate, REPORT_EVERY_MS } from './adaptiveRate';
export { type AdaptiveReading, readAdaptiveRate } from './adaptiveState';
export {
  type AdaptivePhase,
  type AdaptiveState,
  BETA,
  BUSY_SHARE,
  CUT_WINDOW_MS,
  type CutReason,
  INTERVAL_MS,
  PROBE_FACTOR,
  STEP_SHARE,
} from './aimd';
export { type CredentialPool, type CredentialPoolOptions, createCredentialPool, type PoolAdmission } from './credentialPool';
export { type CredentialUsage, readCredentialUsage } from './credentialUsage';
export {
  credentialLeasesKey,
  credentialPauseKey,
  credentialsRetiredKey,
  credentialWindowKey,
  type LimiterWindowName,
  limiterAdaptiveKey,
  limiterLeasesKey,
  limiterPauseKey,
  limiterWindowKey,
} from './limiterKeys';
export { PAUSE_POLL_MS, type PauseWatch, type PauseWatchOptions, watchPauses } from './pauseWatch';
export { createSharedLimiter, type SharedLimiter, type SharedLimiterOptions } from './sharedLimiter';
export { countsFromEach, type LimiterLimits, maxInAnyWindow } from './windows';
