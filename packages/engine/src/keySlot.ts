import { CredentialRejectedError, ThrottledError, throttleCooldownMs } from '@sluice/core';
import type { Admitted } from '@sluice/limiter';
import type { AttemptOutcome } from './fetchAttempt';
import { KeyAbortedError } from './keyAborted';
import type { KeyFetchContext } from './keyFetchContext';

/**
 * Whether a key may use the slot it was admitted to; frees the slot when not. A throttle, a
 * pause or a failed ledger write may have come while the key waited for it.
 * @throws KeyAbortedError (the slot freed) when the session is stopping.
 */
export function keepSlot(ctx: KeyFetchContext, slot: Admitted): boolean {
  if (ctx.signal.aborted) {
    slot.release();
    throw new KeyAbortedError('shutting down');
  }
  if (ctx.limiter.pausedUntil > Date.now() || ctx.pause.paused || ctx.ledgerHold.paused) {
    slot.release();
    return false;
  }
  return true;
}

/**
 * Tells admission what the attempt's answer says about the pace, then frees its slot.
 * `throttles`: the key's throttle answers in a row before this attempt.
 */
export function settleSlot(ctx: KeyFetchContext, slot: Admitted, outcome: AttemptOutcome, throttles: number): void {
  if (outcome.kind === 'result') slot.adaptive?.clean(outcome.record.durationMs);
  else if (outcome.kind === 'error') {
    const { error } = outcome;
    // Pause before this request's slot goes to the next key, so none slips through. With a
    // pool, only the credential that was told to slow down pauses.
    // With an adaptive rate, a throttle without Retry-After cuts the shared rate instead
    // (a pause per overshoot would cost a second each time), until the rate is at its floor.
    const rateCut = error instanceof ThrottledError && slot.adaptive?.throttled() === 'slowing' && error.retryAfterMs === null;
    if (error instanceof ThrottledError && !rateCut) {
      const pauseMs = error.retryAfterMs ?? throttleCooldownMs(throttles + 1);
      if (slot.credential !== undefined && ctx.limiter.credentials) ctx.limiter.credentials.pause(slot.credential, Date.now() + pauseMs);
      else ctx.limiter.pause(Date.now() + pauseMs);
    }
    if (error instanceof CredentialRejectedError) ctx.limiter.credentials?.retire(error.credential, error.status ?? 0);
  }
  slot.release();
}
