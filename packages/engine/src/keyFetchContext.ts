import { type CrawlSpec, compileKeyFormat, effectiveConcurrency, type KeyFormatCheck, type UrlTemplate } from '@sluice/core';
import type { HttpClient } from '@sluice/http';
import type { CrawlLimiter } from '@sluice/limiter';
import type { AttemptRecorder } from '@sluice/queue';
import { AnswerClock } from './answerClock';
import { CircuitBreaker } from './circuitBreaker';
import { CREDENTIAL_PLACEHOLDER } from './credentialRequest';
import type { LoadedCrawl } from './loadCrawl';
import { PauseGate } from './pauseGate';
import { assertSpecEnv, headerEnvNames, resolveHeaderEnv } from './specEnv';

/**
 * Everything one key's fetch needs; shared by all keys of a worker process. Built once by
 * buildKeyFetchContext and never changed afterwards: the state that moves (gates, breaker,
 * answer clock) lives in objects of its own.
 */
export interface KeyFetchContext {
  readonly crawlId: number;
  readonly spec: CrawlSpec;
  readonly template: UrlTemplate;
  /** The spec's `validate.keyFormat`, compiled. */
  readonly keyFormat: KeyFormatCheck;
  readonly http: HttpClient;
  /** Admission, and the crawl-wide throttle pause every key waits out. */
  readonly limiter: CrawlLimiter;
  /** The user's pause: no request starts while it is closed. */
  readonly pause: PauseGate;
  /**
   * Closed while the ledger cannot be written: no request starts whose result could not be
   * stored (see LedgerGuard).
   */
  readonly ledgerHold: PauseGate;
  /** Stops burning attempts during an outage. */
  readonly breaker: CircuitBreaker;
  /** The API's typical answer time, to tell answers that reached it late. */
  readonly answers: AnswerClock;
  /** Counts attempts, throttles and errors for status and metrics (shared through Redis). */
  readonly recorder: AttemptRecorder;
  /** Request headers with `{env.*}` resolved (worker memory only); `{credential}` is filled per request. */
  readonly headers: Readonly<Record<string, string>>;
  /** Whether a header value holds `{credential}`. */
  readonly credentialHeaders: boolean;
  /** Pool credentials' values by name (worker memory only); empty without a pool. */
  readonly credentialValues: ReadonlyMap<string, string>;
  /** Secret values to scrub from any stored or shown text. */
  readonly secrets: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly signal: AbortSignal;
  /**
   * Extra validation in code (library use): called with the parsed body of every 2xx answer
   * that passed the spec's rules; throw PermanentError (or TransientError) to reject it.
   */
  readonly customValidate?: (body: unknown, key: string) => void;
}

/** What buildKeyFetchContext takes besides the crawl. */
export interface KeyFetchDeps {
  http: HttpClient;
  limiter: CrawlLimiter;
  recorder: AttemptRecorder;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /** Closed while the ledger cannot be written (LedgerGuard's `hold`). Default: never closed. */
  ledgerHold?: PauseGate;
  /** See KeyFetchContext `customValidate`. Default none. */
  customValidate?: (body: unknown, key: string) => void;
}

/**
 * Resolves `{env.NAME}` in headers and collects every secret value the crawl uses, so any text
 * leaving the process can be scrubbed of them.
 * @throws ConfigError naming the environment variables that are missing.
 */
export function buildKeyFetchContext(crawl: LoadedCrawl, deps: KeyFetchDeps): KeyFetchContext {
  const { spec, template } = crawl;
  assertSpecEnv(spec, deps.env, template);
  const headerEnv = headerEnvNames(spec);
  const credentialEnv = spec.credentials?.env ?? [];
  const headers = Object.fromEntries(
    Object.entries(spec.request.headers).map(([name, value]) => [name, resolveHeaderEnv(value, deps.env)]),
  );
  const secrets = [...new Set([...template.envNames, ...headerEnv, ...credentialEnv])]
    .map((n) => deps.env[n] ?? '')
    .filter((v) => v.length > 0);
  const credentialValues = new Map(credentialEnv.map((n) => [n, deps.env[n] ?? '']));
  return {
    crawlId: crawl.row.id,
    spec,
    template,
    keyFormat: compileKeyFormat(spec.validate.keyFormat),
    http: deps.http,
    limiter: deps.limiter,
    pause: new PauseGate(),
    ledgerHold: deps.ledgerHold ?? new PauseGate(),
    breaker: new CircuitBreaker(spec.breaker),
    answers: new AnswerClock(),
    recorder: deps.recorder,
    headers,
    credentialHeaders: Object.values(headers).some((v) => v.includes(CREDENTIAL_PLACEHOLDER)),
    credentialValues,
    secrets,
    env: deps.env,
    signal: deps.signal,
    customValidate: deps.customValidate,
  };
}

/**
 * Batches a process works on at once: enough queued keys to keep every request slot busy.
 * A batch keeps its job until its last key is committed, so keys whose answer came but whose
 * commit waits still hold a place. A ledger that starts flushes some milliseconds apart
 * (PostgreSQL, `Store.flushIntervalMs`) keeps them waiting long enough to leave slots idle at
 * thousands of keys a second: twice the batches cover that (W1 on a PostgreSQL ledger, 3 → 6
 * batches: ~15 % more items/s, see docs/scaling.md).
 */
export function jobConcurrency(
  crawl: LoadedCrawl,
  concurrency: number = effectiveConcurrency(crawl.spec.limits),
  flushIntervalMs = 0,
): number {
  const busy = Math.ceil((2 * concurrency) / crawl.batchSize) + 1;
  return Math.max(2, flushIntervalMs > 0 ? 2 * busy : busy);
}
