import {
  buildUrl,
  type CrawlSpec,
  CredentialRejectedError,
  CredentialsExhaustedError,
  compileKeyFormat,
  credentialRejected,
  fullJitterBackoffMs,
  InvalidKeyError,
  type KeyFormatCheck,
  type KeyItem,
  type LedgerEntry,
  PermanentError,
  RequestError,
  redactReason,
  ThrottledError,
  TransientError,
  throttleCooldownMs,
  toError,
  type UrlTemplate,
  validateJsonBody,
} from '@sluice/core';
import { classifyResponse, errorForOutcome, type HttpClient, isAbortedByCaller } from '@sluice/http';
import type { Admitted, CrawlLimiter } from '@sluice/limiter';
import type { AttemptRecorder } from '@sluice/queue';
import type { CircuitBreaker } from './circuitBreaker';
import { CREDENTIAL_PROBE, headersWithCredential, maskSecretsInBody } from './credentialRequest';
import { KeyAbortedError } from './keyAborted';
import type { PauseGate } from './pauseGate';
import { sleep } from './sleep';

/** Everything one key's fetch needs; shared by all keys of a worker process. */
export interface KeyFetchContext {
  crawlId: number;
  spec: CrawlSpec;
  template: UrlTemplate;
  http: HttpClient;
  /** Admission, and the crawl-wide throttle pause every key waits out. */
  limiter: CrawlLimiter;
  /** The user's pause: no request starts while it is closed. */
  pause: PauseGate;
  /**
   * Closed while the ledger cannot be written: no request starts whose result could not be
   * stored (see LedgerGuard). Default: never closed.
   */
  ledgerHold?: PauseGate;
  /** Stops burning attempts during an outage. */
  breaker: CircuitBreaker;
  /** Request headers with `{env.*}` resolved (worker memory only); `{credential}` is filled per request. */
  headers: Record<string, string>;
  /** Whether a header value holds `{credential}`. */
  credentialHeaders: boolean;
  /** Pool credentials' values by name (worker memory only); empty without a pool. */
  credentialValues: ReadonlyMap<string, string>;
  /** Secret values to scrub from any stored or shown text. */
  secrets: readonly string[];
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  /**
   * Extra validation in code (library use): called with the parsed body of every 2xx answer
   * that passed the spec's rules; throw PermanentError (or TransientError) to reject it.
   */
  customValidate?: (body: unknown, key: string) => void;
  /** Running typical answer time of the API, in ms (see noteAnswerTime). */
  typicalAnswerMs?: number;
  /** Counts attempts, throttles and errors for status and metrics (shared through Redis). */
  recorder?: AttemptRecorder;
  /** The spec's `validate.keyFormat`, compiled on first use. */
  keyFormat?: KeyFormatCheck;
}

export { KeyAbortedError };

/**
 * Fetches one key to its final ledger entry: retries transient errors with full-jitter
 * backoff up to `retry.attempts`, waits out throttles without using an attempt (up to
 * `retry.maxThrottles` in a row), and fails permanent errors at once.
 * @throws KeyAbortedError when `ctx.signal` aborts.
 */
export async function fetchKey(item: KeyItem, ctx: KeyFetchContext): Promise<LedgerEntry> {
  // No closures in here: they would be allocated for every key, used or not.
  const { spec, signal } = ctx;
  let attempts = 0;
  let throttles = 0;

  // Checked before any wait or request: a malformed key costs nothing.
  ctx.keyFormat ??= compileKeyFormat(spec.validate.keyFormat);
  const malformed = ctx.keyFormat(item.key);
  if (malformed !== null) return invalidKey(ctx, item, new InvalidKeyError(malformed), attempts);

  for (;;) {
    if (ctx.pause.paused) await ctx.pause.wait(signal);
    if (ctx.ledgerHold?.paused) await ctx.ledgerHold.wait(signal);
    if (ctx.limiter.pausedUntil > Date.now()) await ctx.limiter.waitWhilePaused(signal);
    if (signal.aborted) throw new KeyAbortedError('shutting down');
    let url: URL;
    // A key that cannot make a safe URL fails before it takes any budget.
    const usesCredential = ctx.template.usesCredential;
    try {
      url = buildUrl(ctx.template, item.key, ctx.env, usesCredential ? CREDENTIAL_PROBE : undefined);
    } catch (err) {
      return invalidKey(ctx, item, toError(err), attempts);
    }
    const probe = ctx.breaker.current === 'closed' ? false : await ctx.breaker.admit(signal);
    const waitStarted = performance.now();
    let admitted: Admitted;
    try {
      admitted = await ctx.limiter.acquire(signal);
    } catch (err) {
      // Every credential is retired: the key stays pending, the worker stops (see work).
      if (err instanceof CredentialsExhaustedError) throw new KeyAbortedError(err.message, { cause: err });
      throw err;
    }
    ctx.recorder?.limiterWait(performance.now() - waitStarted);
    if (signal.aborted) {
      admitted.release();
      throw new KeyAbortedError('shutting down');
    }
    // A throttle, a pause or a failed ledger write may have come while this key waited for its slot.
    if (ctx.limiter.pausedUntil > Date.now() || ctx.pause.paused || ctx.ledgerHold?.paused) {
      admitted.release();
      continue;
    }
    const credentialValue = admitted.credential === undefined ? undefined : ctx.credentialValues.get(admitted.credential);
    if (usesCredential) {
      try {
        url = buildUrl(ctx.template, item.key, ctx.env, credentialValue);
      } catch (err) {
        admitted.release();
        return failure(ctx, item, toError(err), null, attempts);
      }
    }
    attempts++;
    let error: Error;
    let status: number | null = null;
    const attemptStarted = performance.now();
    // Only a limited crawl re-dates late starts (see SendWatch).
    const sending = admitted.redates ? new SendWatch(admitted, attemptStarted) : null;
    try {
      const res = await ctx.http.fetch(url, {
        headers: headersWithCredential(ctx.headers, ctx.credentialHeaders, credentialValue),
        timeoutMs: spec.request.timeoutMs,
        maxBodyBytes: spec.request.maxBodyBytes,
        maxJsonDepth: spec.validate.maxDepth,
        signal,
        onSent: sending?.onSent,
      });
      if (sending) noteAnswerTime(ctx, admitted, performance.now() - (sending.sentAt ?? attemptStarted));
      status = res.status;
      const retireWhen = ctx.spec.credentials?.retireWhen;
      if (admitted.credential !== undefined && retireWhen && credentialRejected(retireWhen, res.status, res.body)) {
        throw new CredentialRejectedError(admitted.credential, res.status);
      }
      const outcome = classifyResponse(res);
      if (outcome.outcome === 'ok') {
        const parsed = validateJsonBody(res.body, item.key, spec.validate, spec.responseRules);
        ctx.customValidate?.(parsed, item.key);
        admitted.adaptive?.clean(res.durationMs);
        ctx.breaker.success(probe);
        ctx.recorder?.attempt('ok', res.durationMs);
        return {
          kind: 'result',
          record: {
            crawlId: ctx.crawlId,
            position: item.position,
            key: item.key,
            status: res.status,
            body: maskSecretsInBody(res.body, ctx.secrets),
            attempts,
            fetchedAt: Date.now(),
            durationMs: Math.round(res.durationMs),
          },
        };
      }
      throw errorForOutcome(outcome, res.status) as RequestError;
    } catch (err) {
      if (isAbortedByCaller(err) || signal.aborted) throw new KeyAbortedError('shutting down', { cause: err });
      error = toError(err);
      if (err instanceof RequestError && err.status !== null) status = err.status;
      // Pause before this request's slot goes to the next key, so none slips through. With a
      // pool, only the credential that was told to slow down pauses.
      // With an adaptive rate, a throttle without Retry-After cuts the shared rate instead
      // (a pause per overshoot would cost a second each time), until the rate is at its floor.
      const rateCut = error instanceof ThrottledError && admitted.adaptive?.throttled() === 'slowing' && error.retryAfterMs === null;
      if (error instanceof ThrottledError && !rateCut) {
        const pauseMs = error.retryAfterMs ?? throttleCooldownMs(throttles + 1);
        if (admitted.credential !== undefined && ctx.limiter.credentials)
          ctx.limiter.credentials.pause(admitted.credential, Date.now() + pauseMs);
        else ctx.limiter.pause(Date.now() + pauseMs);
      }
      if (error instanceof CredentialRejectedError) ctx.limiter.credentials?.retire(error.credential, error.status ?? 0);
    } finally {
      admitted.release();
    }

    if (error instanceof CredentialRejectedError) {
      // The key was never judged: it goes on with another credential, using no attempt.
      if (probe) ctx.breaker.success(true);
      ctx.recorder?.error({ at: Date.now(), key: item.key, errorClass: error.name, reason: error.message });
      attempts--;
      continue;
    }

    const reason = redactReason(error.message, ctx.secrets);
    if (!(error instanceof ThrottledError)) ctx.recorder?.error({ at: Date.now(), key: item.key, errorClass: error.name, reason });
    if (error instanceof ThrottledError) {
      // The API answered: as far as the breaker is concerned it is up.
      if (probe) ctx.breaker.success(true);
      ctx.recorder?.attempt('throttled', performance.now() - attemptStarted);
      ctx.recorder?.throttleEvent();
      attempts--;
      throttles++;
      if (throttles > spec.retry.maxThrottles) {
        return failure(
          ctx,
          item,
          new ThrottledError(`throttled ${throttles} times in a row (last: ${error.message})`, null),
          status,
          attempts,
        );
      }
      continue;
    }
    throttles = 0;
    if (error instanceof PermanentError) {
      if (probe) ctx.breaker.success(true);
      ctx.recorder?.attempt('permanent', performance.now() - attemptStarted);
      return failure(ctx, item, error, status, attempts);
    }
    ctx.recorder?.attempt('transient', performance.now() - attemptStarted);
    if (!ctx.breaker.failure(probe, reason)) {
      // The circuit is open: this failure is the outage's, not the key's.
      attempts--;
      continue;
    }
    if (attempts >= spec.retry.attempts) {
      const last = error instanceof TransientError ? error : new TransientError(error.message, status, { cause: error });
      return failure(ctx, item, new TransientError(`gave up after ${attempts} attempts: ${last.message}`, status), status, attempts);
    }
    await sleep(fullJitterBackoffMs(attempts, spec.retry.baseDelayMs, spec.retry.maxDelayMs), signal);
  }
}

/** The failure entry of a key that ended without a result after `attempts` attempts. */
function failure(ctx: KeyFetchContext, item: KeyItem, err: Error, status: number | null, attempts: number): LedgerEntry {
  return {
    kind: 'failure',
    record: {
      crawlId: ctx.crawlId,
      position: item.position,
      key: item.key,
      errorClass: err.name,
      reason: redactReason(err.message, ctx.secrets),
      status,
      attempts,
      failedAt: Date.now(),
    },
  };
}

/** A key failed without a request; shown in status with the request errors. */
function invalidKey(ctx: KeyFetchContext, item: KeyItem, err: Error, attempts: number): LedgerEntry {
  const reason = redactReason(err.message, ctx.secrets);
  ctx.recorder?.error({ at: Date.now(), key: item.key, errorClass: err.name, reason });
  return failure(ctx, item, err, null, attempts);
}

/**
 * When a request of a limited crawl was written to its socket: one that left late has its
 * start re-dated in the shared limiter at once (see SENT_LATE_MS).
 */
class SendWatch {
  sentAt: number | null = null;

  constructor(
    private readonly admitted: Admitted,
    private readonly attemptStarted: number,
  ) {}

  readonly onSent = (): void => {
    this.sentAt = performance.now();
    if (this.sentAt - this.attemptStarted > SENT_LATE_MS) this.admitted.redate(0);
  };
}

/**
 * A request written to its socket this long after its admission (a new connection, a busy
 * pool, a stalled event loop) has its start re-dated in the shared limiter at that moment, to
 * when it really left: its admission record would otherwise be earlier than its arrival by
 * more than the others', which the windows' 25 ms margin may not cover. Re-dated within
 * milliseconds, long before any other admission relies on that start leaving a window.
 */
const SENT_LATE_MS = 5;

/** Answers this much slower than usual, counted from the send, mean the request reached the API late. */
const LATE_BY_MS = 15;

/**
 * Keeps a running typical answer time and, for an answer much slower than it, re-dates the
 * request's start in the shared limiter to when the API most likely saw it (answer time minus
 * the typical time), so windows measured at the API stay within their limits.
 */
function noteAnswerTime(ctx: KeyFetchContext, admitted: Admitted, durationMs: number): void {
  // Starts at 0: the first answers are the ones most likely to be late.
  const typical = ctx.typicalAnswerMs ?? 0;
  if (durationMs - typical > LATE_BY_MS) admitted.redate(typical);
  ctx.typicalAnswerMs = typical + (durationMs - typical) * 0.1;
}
