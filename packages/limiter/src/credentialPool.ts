import { randomBytes } from 'node:crypto';
import { CredentialsExhaustedError } from '@sluice/core';
import type { CrawlScope, RedisClient } from '@sluice/queue';
import { createAdmissionQueue, type Reservation } from './admissionQueue';
import { type CredentialGate, createCredentialGate } from './credentialGate';
import { credentialsRetiredKey, credentialWindowKey, type LimiterWindowName } from './limiterKeys';
import { toError } from './luaScript';
import { type LimiterLimits, RESERVE_AHEAD_MS, refusalSleepMs } from './windows';

/**
 * A pool of credentials (API keys), each with its own windows, concurrency cap and pause in the
 * shared limiter (see `credentialGate.ts`). A request is admitted on whichever credential has
 * room first, trying them round-robin from the one after the last admitted, so use spreads
 * evenly while every credential has room. The waiters queue as the crawl's limiter's do (see
 * `admissionQueue.ts`): only the oldest of this process asks Redis, and a credential whose
 * window frees a slot within RESERVE_AHEAD_MS reserves that exact instant instead of refusing,
 * so no wake-up round trip is lost between a window's slots.
 *
 * Retiring a credential (the API called it invalid) pauses it for RETIRED_PAUSE_MS in Redis, so
 * every process's next attempt skips it atomically, and records it in the crawl's retired hash,
 * which each process reads at most every RETIRED_REFRESH_MS. A Redis that lost the hash lets a
 * retired credential be tried once more, and retired again by its answer.
 */
export interface CredentialPool {
  /** Names in spec order. */
  readonly names: readonly string[];
  /**
   * Waits until a start is admitted on some credential and returns it, or null when `signal`
   * aborts (nothing recorded). Rejects with CredentialsExhaustedError once every credential is
   * retired, and with InfrastructureError on a Redis error no retry fixes.
   */
  acquire(signal?: AbortSignal): Promise<PoolAdmission | null>;
  /** Pauses one credential for every process until epoch ms `untilMs` (its throttle answers). */
  pause(name: string, untilMs: number): Promise<void>;
  /** Retires a credential for the crawl; resolves true when this call retired it (false: already retired). */
  retire(name: string, reason: string): Promise<boolean>;
  /** Re-dates an admitted start to now minus `backdateMs` (the request left late). Never throws. */
  touch(admission: PoolAdmission, backdateMs: number): Promise<void>;
  /** Seeds one credential's windows with past starts (after a Redis loss). */
  seed(name: string, requestTimesMs: readonly number[]): Promise<void>;
  /** True when Redis holds no log of one credential's `window` (see SharedLimiter.windowLogMissing). */
  windowLogMissing(name: string, window: LimiterWindowName): Promise<boolean>;
  /** The gate of one credential (windows, peek). */
  gate(name: string): CredentialGate | undefined;
  /** Rejects pending acquires and stops lease renewals. */
  close(): void;
}

/** One admitted start: the credential it goes out with. Call `release` once, when it ends. */
export interface PoolAdmission {
  credential: string;
  member: string;
  release(): void;
}

export interface CredentialPoolOptions {
  redis: RedisClient;
  /** The crawl the pool belongs to (its keys live in the crawl's namespace). */
  scope: CrawlScope;
  /** The pool, in spec order; `limits.concurrency` is per credential across all processes. */
  credentials: ReadonlyArray<{ name: string; limits: LimiterLimits }>;
  /** Added to every window's length (see SharedLimiterOptions.marginMs). Default 0. */
  marginMs?: number;
  /** Lease of a start in flight under a credential's concurrency cap. Default 60000. */
  leaseMs?: number;
  /** Redis errors the pool rides out. Default: ignored. */
  onError?: (err: Error) => void;
}

/** A retired credential stays paused this long in Redis (longer than any crawl's day). */
export const RETIRED_PAUSE_MS = 30 * 86_400_000;
/** How often each process reads which credentials other processes retired. */
export const RETIRED_REFRESH_MS = 1_000;

export function createCredentialPool(options: CredentialPoolOptions): CredentialPool {
  const { redis, scope } = options;
  const onError = options.onError ?? (() => {});
  if (options.credentials.length === 0) throw new RangeError('credential pool: expected at least one credential');
  const gates = new Map<string, CredentialGate>(
    options.credentials.map((c) => [
      c.name,
      createCredentialGate({
        redis,
        scope,
        name: c.name,
        limits: c.limits,
        marginMs: options.marginMs,
        leaseMs: options.leaseMs,
        onError,
      }),
    ]),
  );
  const names = options.credentials.map((c) => c.name);
  const retiredKey = credentialsRetiredKey(scope);
  const retired = new Set<string>();
  const holder = `${randomBytes(4).toString('hex')}:${randomBytes(3).toString('hex')}`;
  let sequence = 0;
  let next = 0;
  let lastRefresh = 0;

  async function refreshRetired(): Promise<void> {
    if (Date.now() - lastRefresh < RETIRED_REFRESH_MS) return;
    lastRefresh = Date.now();
    for (const name of await redis.hkeys(retiredKey)) if (gates.has(name)) retired.add(name);
  }

  function admission(gate: CredentialGate, member: string): PoolAdmission {
    let released = false;
    return {
      credential: gate.name,
      member,
      release() {
        if (released) return;
        released = true;
        gate.release(member);
      },
    };
  }

  /** One round over the credentials: a start admitted or reserved on one of them, or how long to wait. */
  async function round(): Promise<Reservation<PoolAdmission> | number> {
    await refreshRetired();
    const active = names.filter((n) => !retired.has(n));
    if (active.length === 0)
      throw new CredentialsExhaustedError('every credential of the pool was retired (the API called each invalid or revoked)');
    let sleepMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < active.length; i++) {
      const name = active[(next + i) % active.length] as string;
      const gate = gates.get(name) as CredentialGate;
      const member = `${holder}:${(sequence++).toString(36)}`;
      const reply = await gate.attempt(member, RESERVE_AHEAD_MS);
      if (reply.admitted) {
        next = (next + i + 1) % active.length;
        const admitted = admission(gate, member);
        return {
          admission: admitted,
          startMs: reply.startMs,
          waitMs: reply.waitMs,
          confirm: () => gate.confirm(member, reply.startMs),
        };
      }
      sleepMs = Math.min(sleepMs, refusalSleepMs(reply.reason, reply.waitMs));
    }
    return sleepMs;
  }

  const queue = createAdmissionQueue<PoolAdmission>({
    label: 'credential pool',
    attempt: round,
    // A credential's pause lives in Redis only; `pause` wakes the head to read it.
    localPauseMs: () => 0,
    onAdmit: () => {},
    onError,
  });

  return {
    names,
    acquire: (signal) => queue.acquire(signal),
    async pause(name, untilMs) {
      await gates.get(name)?.pauseUntil(untilMs);
      queue.wake();
    },
    async retire(name, reason) {
      const gate = gates.get(name);
      if (!gate) return false;
      retired.add(name);
      await gate.pauseUntil(Date.now() + RETIRED_PAUSE_MS);
      const first = (await redis.hsetnx(retiredKey, name, reason)) === 1;
      queue.wake();
      return first;
    },
    async touch(admitted, backdateMs) {
      try {
        await gates.get(admitted.credential)?.touch(admitted.member, backdateMs);
      } catch (err) {
        onError(toError(err));
      }
    },
    async seed(name, requestTimesMs) {
      await gates.get(name)?.seed(requestTimesMs);
    },
    async windowLogMissing(name, window) {
      return (await redis.exists(credentialWindowKey(scope, name, window))) === 0;
    },
    gate: (name) => gates.get(name),
    close() {
      queue.close();
      for (const gate of gates.values()) gate.stop();
    },
  };
}
