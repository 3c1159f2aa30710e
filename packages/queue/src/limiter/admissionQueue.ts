import { InfrastructureError } from '@sluice/core';
import { isTransientRedisError, toError } from './luaScript';
import { type AcquireReply, type ConfirmReply, parseAcquireReply, parseConfirmReply } from './replies';
import { napper } from './sleep';
import { budgetSleepMs, concurrencyPollMs, errorBackoffMs, MAX_SLEEP_MS } from './windows';

/**
 * This process's waiters for the shared limiter, first come first served. Only the head asks
 * Redis, so N waiters cost one script call per admission or per wait, not N; the heads of
 * several processes compete in Redis, and the jitter on their waits spreads who wins.
 *
 * A start the script reserved ahead (see `ACQUIRE_LUA`) leaves the queue at once and waits for
 * its instant on a timer of its own, so the head goes on reserving the next slots meanwhile.
 * When the instant comes it is confirmed in Redis (`CONFIRM_LUA`): re-dated to the moment it
 * really goes out, or given up when the crawl was paused meanwhile or the timer fired too late,
 * and then its waiter asks again, first in line.
 */
export interface AdmissionQueue {
  acquire(signal?: AbortSignal): Promise<() => void>;
  /** Rejects every waiter and stops asking Redis. */
  close(): void;
}

export interface AdmissionQueueOptions {
  /** Runs the acquire script once for `member`; resolves with its raw reply. */
  attempt(member: string): Promise<unknown>;
  /** A member no other attempt of any process uses. */
  newMember(): string;
  /** Concurrency leases, or null without a global cap. */
  leases: { hold(member: string): void; release(member: string): void } | null;
  /** Milliseconds this process still honours its own pause (by its clock); 0 if none. */
  localPauseMs(): number;
  /** Runs the confirm script for a start reserved at `startMs`; resolves with its raw reply. */
  confirm(member: string, startMs: number): Promise<unknown>;
  /** The script reserves starts up to this far ahead; a longer wait is slept to within it. */
  reserveAheadMs: number;
  /** Called with the Redis time (epoch ms) of every start this process sends, when it is sent. */
  onAdmit: (redisTimeMs: number) => void;
  onError: (err: Error) => void;
}

interface Waiter {
  resolve(release: () => void): void;
  reject(err: Error): void;
  signal: AbortSignal | undefined;
}

const NOOP = () => {};

/** A reserved start waiting for its instant (its waiter stays watched for aborts meanwhile). */
interface Due {
  timer: NodeJS.Timeout;
  waiter: Waiter;
  member: string;
  startMs: number;
}

/**
 * A reserved start's timer. libuv timers may fire up to a millisecond before the instant; the
 * confirm script then answers `early` and the start waits the rest, so no start goes out early
 * and none waits a spare millisecond (which, start after start, would cost ~0.1 % of a budget).
 */
function timerMs(waitMs: number): number {
  return Math.ceil(waitMs);
}

export function createAdmissionQueue(options: AdmissionQueueOptions): AdmissionQueue {
  const waiters: Waiter[] = [];
  // One abort listener per signal, however many waiters share it (a worker's stop signal).
  const watched = new Map<AbortSignal, { waiting: number; onAbort: () => void }>();
  const sleeper = napper();
  // Reserved starts by their release function.
  const due = new Map<() => void, Due>();
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
      for (const waiter of leaving) waiter.resolve(NOOP);
      // A reserved start that will not be sent: its slot stays taken until it leaves the windows.
      for (const [release, entry] of [...due]) {
        if (entry.waiter.signal !== signal) continue;
        forget(release);
        release();
        entry.waiter.resolve(NOOP);
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

  function take(): Waiter | undefined {
    const waiter = waiters.shift();
    unwatch(waiter?.signal);
    return waiter;
  }

  /** Gives an admission to the oldest waiter, now or at its reserved instant; with none left (all aborted), frees its lease. */
  function handOver(member: string, startMs: number, waitMs: number): void {
    const { leases } = options;
    // A reserved start stays watched for aborts while it waits; one going out now does not.
    const waiter = waitMs > 0 ? waiters.shift() : take();
    if (!waiter) {
      leases?.release(member);
      return;
    }
    let release: () => void = () => {};
    if (leases) {
      leases.hold(member);
      let released = false;
      release = () => {
        if (released) return;
        released = true;
        leases.release(member);
      };
    }
    const admitted = Object.assign(release, { member });
    if (waitMs <= 0) {
      sendNow(waiter, admitted, startMs);
      return;
    }
    due.set(admitted, { waiter, member, startMs, timer: setTimeout(() => void comeDue(admitted), timerMs(waitMs)) });
  }

  function sendNow(waiter: Waiter, release: () => void, startMs: number): void {
    try {
      options.onAdmit(startMs);
    } catch (err) {
      options.onError(toError(err));
    }
    waiter.resolve(release);
  }

  function forget(release: () => void): void {
    clearTimeout(due.get(release)?.timer);
    due.delete(release);
  }

  /** A reserved start's instant has come: confirm it and send, or give it up and ask again. */
  async function comeDue(release: () => void): Promise<void> {
    const entry = due.get(release);
    if (!entry) return;
    let reply: ConfirmReply | null = null;
    // Paused by this process meanwhile (its write to Redis may still be on its way): give up.
    if (options.localPauseMs() === 0) {
      try {
        reply = parseConfirmReply(await options.confirm(entry.member, entry.startMs));
      } catch (err) {
        // Unknown whether it counts: do not send; the slot stays taken, the waiter asks again.
        options.onError(toError(err));
      }
    }
    if (due.get(release) !== entry) return; // aborted or closed meanwhile
    if (reply?.confirmed === false && reply.reason === 'early') {
      entry.timer = setTimeout(() => void comeDue(release), timerMs(reply.ms));
      return;
    }
    forget(release);
    if (reply?.confirmed) {
      unwatch(entry.waiter.signal);
      sendNow(entry.waiter, release, reply.startMs);
      return;
    }
    release();
    waiters.unshift(entry.waiter);
    void pump();
  }

  function dropReserved(err: Error): void {
    for (const [release, entry] of [...due]) {
      forget(release);
      unwatch(entry.waiter.signal);
      release();
      entry.waiter.reject(err);
    }
  }

  function failAll(err: Error): void {
    for (let waiter = take(); waiter; waiter = take()) waiter.reject(err);
  }

  /** Milliseconds to wait before asking again, `redis-error` to back off, or an Error no retry fixes. */
  async function attemptOnce(): Promise<number | 'redis-error' | Error> {
    const member = options.newMember();
    let raw: unknown;
    try {
      raw = await options.attempt(member);
    } catch (err) {
      if (!isTransientRedisError(err)) return new InfrastructureError(`shared limiter: ${toError(err).message}`, { cause: err });
      options.onError(toError(err));
      return 'redis-error';
    }
    let reply: AcquireReply;
    try {
      reply = parseAcquireReply(raw);
    } catch (err) {
      return toError(err);
    }
    if (!reply.admitted) {
      if (reply.reason === 'concurrency') return concurrencyPollMs();
      // A window wait is slept only until the slot is within reach of a reservation.
      return budgetSleepMs(reply.reason === 'window' ? Math.max(1, reply.waitMs - options.reserveAheadMs) : reply.waitMs);
    }
    handOver(member, reply.startMs, reply.waitMs);
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
        if (outcome > 0) await sleeper.nap(outcome);
      }
    } finally {
      pumping = false;
    }
  }

  return {
    acquire(signal) {
      if (closed) return Promise.reject(new Error('shared limiter is closed'));
      if (signal?.aborted) return Promise.resolve(NOOP);
      return new Promise((resolve, reject) => {
        if (signal) watch(signal);
        waiters.push({ resolve, reject, signal });
        void pump();
      });
    },
    close() {
      closed = true;
      failAll(new Error('shared limiter is closed'));
      dropReserved(new Error('shared limiter is closed'));
      sleeper.wake();
    },
  };
}
