import {
  CredentialRejectedError,
  CredentialsExhaustedError,
  fullJitterBackoffMs,
  InvalidKeyError,
  type KeyItem,
  type LedgerEntry,
  PermanentError,
  redactReason,
  ThrottledError,
} from '@sluice/core';
import type { Admitted } from '@sluice/limiter';
import { CREDENTIAL_PROBE } from './credentialRequest';
import { type FailedAttempt, fetchAttempt } from './fetchAttempt';
import { KeyAbortedError } from './keyAborted';
import type { KeyFetchContext } from './keyFetchContext';
import { keepSlot, settleSlot } from './keySlot';
import { keyUrl } from './keyUrl';
import { attemptsUsedError, retryStep, throttledOutError } from './retrySteps';
import { sleep } from './sleep';

/**
 * Fetches one key to its final ledger entry: retries transient errors with full-jitter
 * backoff up to `retry.attempts`, waits out throttles without using an attempt (up to
 * `retry.maxThrottles` in a row), and fails permanent errors at once (see retryStep). Each
 * attempt is one fetchAttempt on a slot of the limiter.
 * @throws KeyAbortedError when `ctx.signal` aborts.
 */
export async function fetchKey(item: KeyItem, ctx: KeyFetchContext): Promise<LedgerEntry> {
  // No closures in here: they would be allocated for every key, used or not.
  const { spec, signal } = ctx;
  // Checked before any wait or request: a malformed key costs nothing.
  const malformed = ctx.keyFormat(item.key);
  if (malformed !== null) return invalidKey(ctx, item, new InvalidKeyError(malformed), 0);
  let attempts = 0;
  let throttles = 0;
  for (;;) {
    if (ctx.pause.paused) await ctx.pause.wait(signal);
    if (ctx.ledgerHold.paused) await ctx.ledgerHold.wait(signal);
    if (ctx.limiter.pausedUntil > Date.now()) await ctx.limiter.waitWhilePaused(signal);
    if (signal.aborted) throw new KeyAbortedError('shutting down');
    // A key that cannot make a safe URL fails before it takes any budget.
    const url = keyUrl(ctx, item.key, ctx.template.usesCredential ? CREDENTIAL_PROBE : undefined);
    if (url instanceof Error) return invalidKey(ctx, item, url, attempts);
    const probe = ctx.breaker.current === 'closed' ? false : await ctx.breaker.admit(signal);
    const waitStarted = performance.now();
    let slot: Admitted;
    try {
      slot = await ctx.limiter.acquire(signal);
    } catch (err) {
      // Every credential is retired: the key stays pending, the worker stops (see work).
      if (err instanceof CredentialsExhaustedError) throw new KeyAbortedError(err.message, { cause: err });
      throw err;
    }
    ctx.recorder.limiterWait(performance.now() - waitStarted);
    if (!keepSlot(ctx, slot)) continue;
    const outcome = await fetchAttempt(ctx, item.key, item.position, slot, url, attempts + 1);
    settleSlot(ctx, slot, outcome, throttles);
    if (outcome.kind === 'aborted') throw new KeyAbortedError('shutting down', { cause: outcome.cause });
    if (outcome.kind === 'unsent') return failure(ctx, item, outcome.error, null, attempts);
    if (outcome.kind === 'result') return answered(ctx, outcome, probe);
    const countsAgainstKey = recordFailure(ctx, item.key, outcome, probe);
    const { error, status } = outcome;
    switch (retryStep(error, attempts + 1, throttles, spec.retry, countsAgainstKey)) {
      case 'other-credential':
        continue;
      case 'throttle':
        // Waited out at the top of the loop, with every other key of the crawl.
        throttles++;
        continue;
      case 'outage':
        throttles = 0;
        continue;
      case 'backoff':
        attempts++;
        throttles = 0;
        await sleep(fullJitterBackoffMs(attempts, spec.retry.baseDelayMs, spec.retry.maxDelayMs), signal);
        continue;
      case 'throttled-out':
        return failure(ctx, item, throttledOutError(error, throttles + 1), status, attempts);
      case 'attempts-used':
        return failure(ctx, item, attemptsUsedError(error, attempts + 1, status), status, attempts + 1);
      case 'fail':
        return failure(ctx, item, error, status, attempts + 1);
    }
  }
}

/** Counts a valid answer for status; the API is up as far as the breaker is concerned. */
function answered(ctx: KeyFetchContext, entry: Extract<LedgerEntry, { kind: 'result' }>, probe: boolean): LedgerEntry {
  ctx.breaker.success(probe);
  ctx.recorder.attempt('ok', entry.record.durationMs);
  return entry;
}

/**
 * Counts a failed attempt for status and tells the circuit breaker how it went. Returns
 * whether a transient failure counts against the key: not while the circuit is open, when it
 * is the outage's.
 */
function recordFailure(ctx: KeyFetchContext, key: string, attempt: FailedAttempt, probe: boolean): boolean {
  const { error } = attempt;
  const tookMs = performance.now() - attempt.startedAt;
  if (error instanceof CredentialRejectedError || error instanceof ThrottledError) {
    // The API answered: as far as the breaker is concerned it is up.
    if (probe) ctx.breaker.success(true);
    if (error instanceof CredentialRejectedError)
      ctx.recorder.error({ at: Date.now(), key, errorClass: error.name, reason: error.message });
    else {
      ctx.recorder.attempt('throttled', tookMs);
      ctx.recorder.throttleEvent();
    }
    return true;
  }
  const reason = redactReason(error.message, ctx.secrets);
  ctx.recorder.error({ at: Date.now(), key, errorClass: error.name, reason });
  if (error instanceof PermanentError) {
    if (probe) ctx.breaker.success(true);
    ctx.recorder.attempt('permanent', tookMs);
    return true;
  }
  ctx.recorder.attempt('transient', tookMs);
  return ctx.breaker.failure(probe, reason);
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
  ctx.recorder.error({ at: Date.now(), key: item.key, errorClass: err.name, reason });
  return failure(ctx, item, err, null, attempts);
}
