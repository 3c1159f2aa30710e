/**
 * Admission, whole: every request of a crawl, in every process on every host, under this
 * process's concurrency, the crawl's windows, global concurrency cap and pause, and a credential
 * pool's keys each with windows of their own; re-seeded from the ledger's request log after a
 * Redis loss; with an adaptive per-second rate. The engine builds one `CrawlLimiter` per worker
 * (`crawlLimiter.ts`) and sees acquire/release/pause and nothing else; status reads the shared
 * state through the readers below.
 */
export { type AdaptiveReading, readAdaptiveRate } from './adaptiveState';
export type { Admitted, AnswerReport } from './admitted';
export { type CrawlLimiter, type CrawlLimiterOptions, createCrawlLimiter } from './crawlLimiter';
export type { CredentialControl } from './credentialControl';
export { type CredentialUsage, readCredentialUsage } from './credentialUsage';
export { credentialWindowKey, type LimiterWindowName, limiterWindowKey } from './limiterKeys';
export type { LimiterLog } from './limiterLog';
export type { RequestLogSink } from './requestBudgetLog';
export { countsFromEach, type LimiterLimits, maxInAnyWindow } from './windows';
