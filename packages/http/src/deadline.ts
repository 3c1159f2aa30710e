/**
 * One signal per request that fires on the request's deadline or on the caller's cancel,
 * remembering which came first: both abort the same undici request, but they mean different
 * things to the worker (retry later vs. stop now).
 *
 * Why an EventEmitter and not an AbortController: undici accepts either, and at thousands of
 * requests a second an AbortController per request (plus a listener on the shared caller
 * signal for each) was a measurable share of a worker's CPU. Here a request costs one small
 * emitter and one timer, with no per-request closures; the caller's signal gets a single
 * listener for all its requests.
 */
import { EventEmitter } from 'node:events';

/** What fired a request's signal. */
export type AbortTrigger = 'deadline' | 'caller';

/** Requests in flight per caller signal, so that signal needs one listener, not one per request. */
const inFlightByCaller = new WeakMap<AbortSignal, Set<RequestSignal>>();

function onDeadline(request: RequestSignal): void {
  request.fire('deadline', new Error(`deadline of ${request.timeoutMs}ms reached`));
}

/**
 * The signal shape undici accepts (an emitter of `abort` with `aborted` and `reason`), plus
 * the bookkeeping of what fired it. Starts the deadline clock when created.
 */
export class RequestSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  private firedBy: AbortTrigger | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly timeoutMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    super();
    this.timer = setTimeout(onDeadline, timeoutMs, this);
    if (callerSignal?.aborted) this.fire('caller', callerSignal.reason);
    else if (callerSignal) followCaller(callerSignal).add(this);
  }

  /** The signal to hand to undici. */
  get signal(): this {
    return this;
  }

  /** Which of the two fired first, or null while neither has. */
  trigger(): AbortTrigger | null {
    return this.firedBy;
  }

  fire(by: AbortTrigger, reason: unknown): void {
    if (this.firedBy !== null) return;
    this.firedBy = by;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  /** Stops the timer and detaches from the caller's signal; call once the request settles. */
  dispose(): void {
    clearTimeout(this.timer);
    if (this.callerSignal) inFlightByCaller.get(this.callerSignal)?.delete(this);
  }
}

function followCaller(callerSignal: AbortSignal): Set<RequestSignal> {
  let members = inFlightByCaller.get(callerSignal);
  if (!members) {
    const set = new Set<RequestSignal>();
    members = set;
    inFlightByCaller.set(callerSignal, set);
    callerSignal.addEventListener(
      'abort',
      () => {
        for (const request of [...set]) request.fire('caller', callerSignal.reason);
      },
      { once: true },
    );
  }
  return members;
}

/** Starts the deadline clock now. */
export function createRequestSignal(timeoutMs: number, callerSignal?: AbortSignal): RequestSignal {
  return new RequestSignal(timeoutMs, callerSignal);
}
