import { CredentialRejectedError, credentialRejected, type LedgerEntry, RequestError, toError, validateJsonBody } from '@sluice/core';
import { classifyResponse, errorForOutcome, isAbortedByCaller } from '@sluice/http';
import type { Admitted } from '@sluice/limiter';
import type { AnswerClock } from './answerClock';
import { headersWithCredential, maskSecretsInBody } from './credentialRequest';
import type { KeyFetchContext } from './keyFetchContext';
import { keyUrl } from './keyUrl';

/**
 * How one attempt ended; the retry policy (fetchKey) decides what follows.
 * - `result`: a valid answer, the key's ledger entry;
 * - `error`: no usable answer; `error` carries the decision (ThrottledError, TransientError,
 *   PermanentError, CredentialRejectedError), `status` is the HTTP status if there was one and
 *   `startedAt` when the attempt began (performance.now());
 * - `unsent`: no request went out: the slot's credential would move the request;
 * - `aborted`: the session is stopping.
 */
export type AttemptOutcome =
  | Extract<LedgerEntry, { kind: 'result' }>
  | FailedAttempt
  | { readonly kind: 'unsent'; readonly error: Error }
  | { readonly kind: 'aborted'; readonly cause: unknown };

/** An attempt without a usable answer (see AttemptOutcome). */
export interface FailedAttempt {
  readonly kind: 'error';
  readonly error: Error;
  readonly status: number | null;
  readonly startedAt: number;
}

/**
 * One attempt of a key on an admitted slot: fills in the slot's credential, sends the request,
 * classifies the answer and validates its body. `url` is the key's URL as checked before
 * admission (rebuilt only when the template takes a credential); `attempt` numbers this attempt
 * among the key's. Never throws and never releases the slot: both are the caller's.
 */
export async function fetchAttempt(
  ctx: KeyFetchContext,
  key: string,
  position: number,
  slot: Admitted,
  url: URL,
  attempt: number,
): Promise<AttemptOutcome> {
  const { spec, signal } = ctx;
  const credentialValue = slot.credential === undefined ? undefined : ctx.credentialValues.get(slot.credential);
  const target = ctx.template.usesCredential ? keyUrl(ctx, key, credentialValue) : url;
  if (target instanceof Error) return { kind: 'unsent', error: target };
  let status: number | null = null;
  const startedAt = performance.now();
  // Only a limited crawl re-dates late starts (see SendWatch).
  const sending = slot.redates ? new SendWatch(slot, startedAt) : null;
  try {
    const res = await ctx.http.fetch(target, {
      headers: headersWithCredential(ctx.headers, ctx.credentialHeaders, credentialValue),
      timeoutMs: spec.request.timeoutMs,
      maxBodyBytes: spec.request.maxBodyBytes,
      maxJsonDepth: spec.validate.maxDepth,
      signal,
      onSent: sending?.onSent,
    });
    if (sending) noteAnswerTime(ctx.answers, slot, performance.now() - (sending.sentAt ?? startedAt));
    status = res.status;
    const retireWhen = spec.credentials?.retireWhen;
    if (slot.credential !== undefined && retireWhen && credentialRejected(retireWhen, res.status, res.body)) {
      throw new CredentialRejectedError(slot.credential, res.status);
    }
    const outcome = classifyResponse(res);
    if (outcome.outcome !== 'ok') throw errorForOutcome(outcome, res.status) as RequestError;
    const parsed = validateJsonBody(res.body, key, spec.validate, spec.responseRules);
    ctx.customValidate?.(parsed, key);
    const body = maskSecretsInBody(res.body, ctx.secrets);
    const durationMs = Math.round(res.durationMs);
    return {
      kind: 'result',
      record: { crawlId: ctx.crawlId, position, key, status, body, attempts: attempt, fetchedAt: Date.now(), durationMs },
    };
  } catch (err) {
    if (isAbortedByCaller(err) || signal.aborted) return { kind: 'aborted', cause: err };
    if (err instanceof RequestError && err.status !== null) status = err.status;
    return { kind: 'error', error: toError(err), status, startedAt };
  }
}

/**
 * When a request of a limited crawl was written to its socket: one that left late has its
 * start re-dated in the shared limiter at once (see SENT_LATE_MS).
 */
class SendWatch {
  sentAt: number | null = null;

  constructor(
    private readonly slot: Admitted,
    private readonly attemptStarted: number,
  ) {}

  readonly onSent = (): void => {
    this.sentAt = performance.now();
    if (this.sentAt - this.attemptStarted > SENT_LATE_MS) this.slot.redate(0);
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

/**
 * For an answer much slower than usual, re-dates the request's start in the shared limiter to
 * when the API most likely saw it (answer time minus the typical time), so windows measured at
 * the API stay within their limits.
 */
function noteAnswerTime(answers: AnswerClock, slot: Admitted, durationMs: number): void {
  const typical = answers.typicalMs;
  if (answers.note(durationMs)) slot.redate(typical);
}
