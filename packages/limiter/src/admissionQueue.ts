import { InfrastructureError, SluiceError } from '@sluice/core';
import { isTransientRedisError, toError } from './luaScript';
import { type ConfirmReply, parseConfirmReply } from './replies';
import { napper } from './sleep';
import { errorBackoffMs, MAX_SLEEP_MS } from './windows';

/**
 * This process's waiters for a shared limit (the crawl's limiter or a credential pool), first
 * come first served. Only the head asks Redis, so N waiters cost one script call per admission
 * or per wait, not N; the heads of several processes compete in Redis, and the jitter on their
 * waits spreads who wins.
 *
 * A start the script reserved ahead (see `ACQUIRE_LUA`) leaves the queue at once and waits for
 * its instant on a timer of its own, so the head goes on reserving the next slots meanwhile.
 * When the instant comes it is confirmed in Redis (`CONFIRM_LUA`): re-dated to the moment it
 * really goes out, or given up when it was paused meanwhile or the timer fired too late, and
 * then its waiter asks again, first in line.
 */
export interface AdmissionQueue<A extends Releasable> {
  /** Resolves with an admission, or null when `signal` aborts (nothing recorded). */
  acquire(signal?: AbortSignal): Promise<A | null>;
  /** Ends the head's current wait at once (a pause changed, a credential was retired). */
  wake(): void;
  /** Rejects every waiter and stops asking Redis. */
  close(): void;
}

/** An admission: `release` frees what it holds (its concurrency lease); idempotent. */
export interface Releasable {
  release(): void;
}

/** A start the acquire script admitted, now (`waitMs` 0) or reserved ahead. */
export interface Reservation<A extends Releasable> {
  /** What the waiter receives once the start is sent; released here when it is not sent. */
  admission: A;
  /** Redis time (epoch ms) the start is recorded at. */
  startMs: number;
  /** Milliseconds until the reserved instant; 0 to send at once. */
  waitMs: number;
  /** Runs the confirm script for the reserved start; resolves with its raw reply. */
  confirm(): Promise<unknown>;
}

export interface AdmissionQueueOptions<A extends Releasable> {
  /** Names the limit in errors (`shared limiter`, `credential pool`). */
  label: string;
  /**
   * One ask of Redis for the head waiter: a reservation, or milliseconds to wait before asking
   * again. A transient Redis error is backed off and retried; a SluiceError rejects every waiter
   * as it is; any other error rejects them with an InfrastructureError.
   */
  attempt(): Promise<Reservation<A> | number>;
  /** Milliseconds the crawl's pause still holds in this process (its PauseState, by its clock); 0 if none. */
  localPauseMs(): number;
  /** Called with the Redis time (epoch ms) of every start this process sends, when it is sent. */
  onAdmit: (redisTimeMs: number) => void;
  onError: (err: Error) => void;
}

interface Waiter<A> {
  resolve(admission: A | null): void;
  reject(err: Error): void;
  signal: AbortSignal | undefined;
}

/** A reserved start waiting for its instant (its waiter stays watched for aborts meanwhile). */
interface Due<A extends Releasable> {
  timer: NodeJS.Timeout;
  waiter: Waiter<A>;
  reservation: Reservation<A>;
}

/**
 * A reserved start's timer. libuv timers may fire up to a millisecond before the instant; the
 * confirm script then answers `early` and the start waits the rest, so no start goes out early
 * and none waits a spare millisecond (which, start after start, would cost ~0.1 % of a budget).
 */
function timerMs(waitMs: number): number {
  return Math.ceil(waitMs);
}

export function createAdmissionQueue<A extends Releasable>(options: AdmissionQueueOptions<A>): AdmissionQueue<A> {
  const waiters: Waiter<A>[] = [];
  // One abort listener per signal, however many waiters share it (a worker's stop signal).
  const watched = new Map<AbortSignal, { waiting: number; onAbort: () => void }>();
  const sleeper = napper();
  const due = new Set<Due<A>>();
  let pumping = false;
  let closed = false;

  function watch(signal: AbortSignal): void {
    const entry = watched.get(signal);
    if (entry) {
      entry.waiting++;
      return;
    }
    const onAbort = () => {
      watched.delete(signal);
      const leaving = waiters.filter((w) => w.signal === signal);
      waiters.splice(0, waiters.length, ...waiters.filter((w) => w.signal !== signal));
      for (const waiter of leaving) waiter.resolve(null);
      // A reserved start that will not be sent: its slot stays taken until it leaves the windows.
      for (const entry of [...due]) {
        if (entry.waiter.signal !== signal) continue;
        forget(entry);
        entry.reservation.admission.release();
        entry.waiter.resolve(null);
      }
      if (waiters.length === 0) sleeper.wake();
    };
    watched.set(signal, { waiting: 1, onAbort });
    signal.addEventListener('abort', onAbort, { once: true });
  }

  function unwatch(signal: AbortSignal | undefined): void {
    const entry = signal && watched.get(signal);
    if (!signal || !entry) return;
    if (--entry.waiting > 0) return;
    watched.delete(signal);
    signal.removeEventListener('abort', entry.onAbort);
  }

  function take(): Waiter<A> | undefined {
    const waiter = waiters.shift();
    unwatch(waiter?.signal);
    return waiter;
  }

  /** Gives an admission to the oldest waiter, now or at its reserved instant; with none left (all aborted), frees its lease. */
  function handOver(reservation: Reservation<A>): void {
    // A reserved start stays watched for aborts while it waits; one going out now does not.
    const waiter = reservation.waitMs > 0 ? waiters.shift() : take();
    if (!waiter) {
      reservation.admission.release();
      return;
    }
    if (reservation.waitMs <= 0) {
      sendNow(waiter, reservation.admission, reservation.startMs);
      return;
    }
    const entry: Due<A> = { waiter, reservation, timer: setTimeout(() => void comeDue(entry), timerMs(reservation.waitMs)) };
    due.add(entry);
  }

  function sendNow(waiter: Waiter<A>, admission: A, startMs: number): void {
    try {
      options.onAdmit(startMs);
    } catch (err) {
      options.onError(toError(err));
    }
    waiter.resolve(admission);
  }

  function forget(entry: Due<A>): void {
    clearTimeout(entry.timer);
    due.delete(entry);
  }

  /** A reserved start's instant has come: confirm it and send, or give it up and ask again. */
  async function comeDue(entry: Due<A>): Promise<void> {
    if (!due.has(entry)) return;
    let reply: ConfirmReply | null = null;
    // Paused by this process meanwhile (its write to Redis may still be on its way): give up.
    if (options.localPauseMs() === 0) {
      try {
        reply = parseConfirmReply(await entry.reservation.confirm());
      } catch (err) {
        // Unknown whether it counts: do not send; the slot stays taken, the waiter asks again.
        options.onError(toError(err));
      }
    }
    if (!due.has(entry)) return; // aborted or closed meanwhile
    if (reply?.confirmed === false && reply.reason === 'early') {
      entry.timer = setTimeout(() => void comeDue(entry), timerMs(reply.ms));
      return;
    }
    forget(entry);
    if (reply?.confirmed) {
      unwatch(entry.waiter.signal);
      sendNow(entry.waiter, entry.reservation.admission, reply.startMs);
      return;
    }
    entry.reservation.admission.release();
    waiters.unshift(entry.waiter);
    void pump();
  }

  function dropReserved(err: Error): void {
    for (const entry of [...due]) {
      forget(entry);
      unwatch(entry.waiter.signal);
      entry.reservation.admission.release();
      entry.waiter.reject(err);
    }
  }

  function failAll(err: Error): void {
    for (let waiter = take(); waiter; waiter = take()) waiter.reject(err);
  }

  /** Milliseconds to wait before asking again, `redis-error` to back off, or an Error no retry fixes. */
  async function attemptOnce(): Promise<number | 'redis-error' | Error> {
    let outcome: Reservation<A> | number;
    try {
      outcome = await options.attempt();
    } catch (err) {
      if (err instanceof SluiceError) return err;
      if (!isTransientRedisError(err)) return new InfrastructureError(`${options.label}: ${toError(err).message}`, { cause: err });
      options.onError(toError(err));
      return 'redis-error';
    }
    if (typeof outcome === 'number') return outcome;
    handOver(outcome);
    return 0;
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    let failures = 0;
    try {
      while (!closed && waiters.length > 0) {
        const pausedMs = options.localPauseMs();
        if (pausedMs > 0) {
          await sleeper.nap(Math.min(pausedMs, MAX_SLEEP_MS));
          continue;
        }
        const outcome = await attemptOnce();
        if (outcome instanceof Error) {
          failAll(outcome);
          break;
        }
        if (outcome === 'redis-error') {
          failures++;
          await sleeper.nap(errorBackoffMs(failures));
          continue;
        }
        failures = 0;
        if (outcome > 0) await sleeper.nap(Math.min(outcome, MAX_SLEEP_MS));
      }
    } finally {
      pumping = false;
    }
  }

  return {
    acquire(signal) {
      if (closed) return Promise.reject(new Error(`${options.label} is closed`));
      if (signal?.aborted) return Promise.resolve(null);
      return new Promise((resolve, reject) => {
        if (signal) watch(signal);
        waiters.push({ resolve, reject, signal });
        void pump();
      });
    },
    wake() {
      sleeper.wake();
    },
    close() {
      closed = true;
      failAll(new Error(`${options.label} is closed`));
      dropReserved(new Error(`${options.label} is closed`));
      sleeper.wake();
    },
  };
}
