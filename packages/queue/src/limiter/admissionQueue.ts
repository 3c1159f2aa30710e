import { InfrastructureError } from '@sluice/core';
import { isTransientRedisError, toError } from './luaScript';
import { type AcquireReply, parseAcquireReply } from './replies';
import { napper } from './sleep';
import { budgetSleepMs, concurrencyPollMs, errorBackoffMs, MAX_SLEEP_MS } from './windows';

/**
 * This process's waiters for the shared limiter, first come first served. Only the head asks
 * Redis, so N waiters cost one script call per admission or per wait, not N; the heads of
 * several processes compete in Redis, and the jitter on their waits spreads who wins.
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
  onAdmit: (redisTimeMs: number) => void;
  onError: (err: Error) => void;
}

interface Waiter {
  resolve(release: () => void): void;
  reject(err: Error): void;
  signal: AbortSignal | undefined;
}

const NOOP = () => {};

export function createAdmissionQueue(options: AdmissionQueueOptions): AdmissionQueue {
  const waiters: Waiter[] = [];
  // One abort listener per signal, however many waiters share it (a worker's stop signal).
  const watched = new Map<AbortSignal, { waiting: number; onAbort: () => void }>();
  const sleeper = napper();
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

  /** Gives an admission to the oldest waiter; with none left (all aborted), frees its lease. */
  function handOver(member: string): void {
    const waiter = take();
    const { leases } = options;
    if (!waiter) {
      leases?.release(member);
      return;
    }
    if (!leases) {
      waiter.resolve(Object.assign(() => {}, { member }));
      return;
    }
    leases.hold(member);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      leases.release(member);
    };
    waiter.resolve(Object.assign(release, { member }));
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
    if (!reply.admitted) return reply.reason === 'concurrency' ? concurrencyPollMs() : budgetSleepMs(reply.waitMs);
    try {
      options.onAdmit(reply.nowMs);
    } catch (err) {
      options.onError(toError(err));
    }
    handOver(member);
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
      sleeper.wake();
    },
  };
}
