/**
 * One signal per request that fires on the request's deadline or on the caller's cancel,
 * remembering which came first: both abort the same undici request, but they mean different
 * things to the worker (retry later vs. stop now).
 *
 * Built for thousands of requests a second, where an AbortController per request (plus a
 * listener on the shared caller signal for each) was a measurable share of a worker's CPU:
 * - The signal is the plain shape undici accepts (`aborted`, `reason`, `addEventListener`),
 *   not an EventEmitter or EventTarget, so it holds its one listener in a field.
 * - No timer per request: requests with the same timeout end their deadlines in the order
 *   they started, so each timeout keeps its requests in a linked list (the signals are the
 *   links) and one timer, set for the oldest. Settling a request unlinks it; the timer, when
 *   it fires, fires every signal past its deadline and is set again for the next one, and is
 *   cleared when no request is left (so it never holds a process open).
 * - The caller's signal gets a single listener for all its requests.
 */

/** What fired a request's signal. */
export type AbortTrigger = 'deadline' | 'caller';

type AbortListener = () => void;

/** Requests in flight per caller signal, so that signal needs one listener, not one per request. */
const inFlightByCaller = new WeakMap<AbortSignal, Set<RequestSignal>>();

/** The deadline list of each timeout that has requests in flight. */
const deadlinesByTimeout = new Map<number, Deadlines>();

/**
 * The signal shape undici accepts (`aborted`, `reason`, `addEventListener('abort')`), plus
 * the bookkeeping of what fired it. Starts the deadline clock when created.
 */
export class RequestSignal {
  aborted = false;
  reason: unknown = undefined;
  private firedBy: AbortTrigger | null = null;
  /** undici adds exactly one listener per request; more are kept in `moreListeners`. */
  private listener: AbortListener | null = null;
  private moreListeners: AbortListener[] | null = null;
  /** `performance.now()` at which the deadline passes. */
  readonly deadlineAt: number;
  /** Links in the list of requests with this timeout (see Deadlines); null when not in it. */
  prev: RequestSignal | null = null;
  next: RequestSignal | null = null;
  private readonly deadlines: Deadlines;

  constructor(
    readonly timeoutMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.deadlineAt = performance.now() + timeoutMs;
    this.deadlines = deadlinesFor(timeoutMs);
    this.deadlines.add(this);
    if (callerSignal?.aborted) this.fire('caller', callerSignal.reason);
    else if (callerSignal) followCaller(callerSignal).add(this);
  }

  /**
   * The signal to hand to undici. Typed as an AbortSignal for undici's options: undici reads
   * only `aborted`, `reason` and `addEventListener`/`removeEventListener` of it
   * (lib/api/abort-signal.js), which this class has.
   */
  get signal(): AbortSignal {
    return this as unknown as AbortSignal;
  }

  addEventListener(type: string, listener: AbortListener): void {
    if (type !== 'abort') return;
    if (this.listener === null) this.listener = listener;
    else if (this.moreListeners) this.moreListeners.push(listener);
    else this.moreListeners = [listener];
  }

  removeEventListener(type: string, listener: AbortListener): void {
    if (type !== 'abort') return;
    if (this.listener === listener) this.listener = null;
    else if (this.moreListeners) this.moreListeners = this.moreListeners.filter((l) => l !== listener);
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
    // Listeners are `once`: each is called a single time.
    const first = this.listener;
    const more = this.moreListeners;
    this.listener = null;
    this.moreListeners = null;
    first?.();
    if (more) for (const listener of more) listener();
  }

  /** Stops the deadline and detaches from the caller's signal; call once the request settles. */
  dispose(): void {
    this.deadlines.remove(this);
    if (this.callerSignal) inFlightByCaller.get(this.callerSignal)?.delete(this);
  }
}

/**
 * The requests in flight with one timeout, oldest first (so in deadline order), and the one
 * timer for the oldest deadline.
 */
class Deadlines {
  private head: RequestSignal | null = null;
  private tail: RequestSignal | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly timeoutMs: number) {}

  add(request: RequestSignal): void {
    if (this.head === null) deadlinesByTimeout.set(this.timeoutMs, this);
    request.prev = this.tail;
    if (this.tail) this.tail.next = request;
    else this.head = request;
    this.tail = request;
    if (this.timer === null) this.arm(request.deadlineAt - performance.now());
  }

  remove(request: RequestSignal): void {
    if (request.prev === null && this.head !== request) return;
    if (request.prev) request.prev.next = request.next;
    else this.head = request.next;
    if (request.next) request.next.prev = request.prev;
    else this.tail = request.prev;
    request.prev = null;
    request.next = null;
    if (this.head === null) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      // Forgotten while unused, so a process that tries many timeouts keeps none of them.
      deadlinesByTimeout.delete(this.timeoutMs);
    }
  }

  private arm(inMs: number): void {
    // At least 1 ms: the clock the timer runs on may be a fraction behind performance.now().
    this.timer = setTimeout(onDeadlineTimer, Math.max(1, Math.ceil(inMs)), this);
  }

  /** Fires every request past its deadline, then waits for the next one. */
  expire(): void {
    this.timer = null;
    const now = performance.now();
    while (this.head !== null && this.head.deadlineAt <= now) {
      const request = this.head;
      this.remove(request);
      request.fire('deadline', new Error(`deadline of ${this.timeoutMs}ms reached`));
    }
    if (this.head !== null && this.timer === null) this.arm(this.head.deadlineAt - now);
  }
}

function onDeadlineTimer(deadlines: Deadlines): void {
  deadlines.expire();
}

/** The list for `timeoutMs`: registered in deadlinesByTimeout while it holds a request. */
function deadlinesFor(timeoutMs: number): Deadlines {
  return deadlinesByTimeout.get(timeoutMs) ?? new Deadlines(timeoutMs);
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
