/**
 * One signal per request that fires on the request's deadline or on the caller's cancel,
 * remembering which came first: both abort the same undici request, but they mean different
 * things to the worker (retry later vs. stop now).
 */

/** What fired a request's signal. */
export type AbortTrigger = 'deadline' | 'caller';

export interface RequestSignal {
  /** Aborts on the deadline or when the caller's signal aborts, whichever comes first. */
  readonly signal: AbortSignal;
  /** Which of the two fired first, or null while neither has. */
  trigger(): AbortTrigger | null;
  /** Stops the timer and detaches from the caller's signal; call once the request settles. */
  dispose(): void;
}

/** Starts the deadline clock now. */
export function createRequestSignal(timeoutMs: number, callerSignal?: AbortSignal): RequestSignal {
  const controller = new AbortController();
  let firedBy: AbortTrigger | null = null;
  const fire = (by: AbortTrigger, reason: unknown): void => {
    if (firedBy !== null) return;
    firedBy = by;
    controller.abort(reason);
  };
  // A plain timer rather than AbortSignal.timeout so that dispose() can clear it and tests
  // do not see a pending handle after the request finished.
  const timer = setTimeout(() => fire('deadline', new Error(`deadline of ${timeoutMs}ms reached`)), timeoutMs);
  const onCallerAbort = (): void => fire('caller', callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    trigger: () => firedBy,
    dispose: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
