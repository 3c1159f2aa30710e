import type { CrawlScope, RedisClient } from '@sluice/queue';
import { createLeaseKeeper, type LeaseKeeper } from './leaseKeeper';
import { credentialLeasesKey, credentialPauseKey, credentialWindowKey } from './limiterKeys';
import { runScript } from './luaScript';
import { type AcquireReply, type PeekReply, parseAcquireReply, parsePeekReply } from './replies';
import { seedWindows } from './seedWindows';
import { ACQUIRE, CONFIRM, PAUSE, TOUCH } from './windowScripts';
import { assertLimits, type ConfiguredWindow, configuredWindows, type LimiterLimits, MAX_CONFIRM_LATE_MS } from './windows';

/**
 * One credential of a pool in the shared limiter: its own exact sliding windows, its own
 * global concurrency cap and its own pause, checked by the same atomic acquire script as the
 * crawl's limits. It never waits itself: `attempt` admits now, reserves a start ahead (as the
 * crawl's limiter does) or says how long this credential needs, so the pool can try the next
 * one (see `credentialPool.ts`).
 */
export interface CredentialGate {
  /** The credential's name (its environment variable). */
  readonly name: string;
  /** The configured windows, shortest first. */
  readonly windows: readonly ConfiguredWindow[];
  /**
   * Admits one start under `member`, now or reserved up to `reserveAheadMs` ahead (then
   * `confirm` it at its instant), or refuses with the reason and wait.
   */
  attempt(member: string, reserveAheadMs: number): Promise<AcquireReply>;
  /** Runs the confirm script for a start reserved at `startMs` (see `CONFIRM_LUA`); resolves with its raw reply. */
  confirm(member: string, startMs: number): Promise<unknown>;
  /** Ends an admitted start: frees its concurrency lease. */
  release(member: string): void;
  /** Pauses this credential (all processes) until epoch ms `untilMs`; extends, never shortens. */
  pauseUntil(untilMs: number): Promise<void>;
  /** Counts per window, pause and leases, without admitting. */
  peek(): Promise<PeekReply>;
  /** Adds past starts (epoch ms) to the windows they are still inside (after a Redis loss). */
  seed(requestTimesMs: readonly number[]): Promise<void>;
  /** Re-dates an admitted start to now minus `backdateMs`, never earlier (see `TOUCH_LUA`). */
  touch(member: string, backdateMs: number): Promise<void>;
  stop(): void;
}

export interface CredentialGateOptions {
  redis: RedisClient;
  /** The crawl the credential belongs to (its keys live in the crawl's namespace). */
  scope: CrawlScope;
  name: string;
  /** This credential's limits; `concurrency` counts its requests in flight across all processes. */
  limits: LimiterLimits;
  /** Added to every window's length (see SharedLimiterOptions.marginMs). Default 0. */
  marginMs?: number;
  /** Lease of a start in flight under a concurrency cap. Default 60000. */
  leaseMs?: number;
  onError: (err: Error) => void;
}

export function createCredentialGate(options: CredentialGateOptions): CredentialGate {
  assertLimits(options.limits);
  const { redis, scope, name, limits } = options;
  const leaseMs = options.leaseMs ?? 60_000;
  const windows = configuredWindows(limits).map((w) => ({ ...w, lengthMs: w.lengthMs + (options.marginMs ?? 0) }));
  const pauseKey = credentialPauseKey(scope, name);
  const leasesKey = credentialLeasesKey(scope, name);
  const windowKeys = windows.map((w) => credentialWindowKey(scope, name, w.name));
  const keys = [pauseKey, leasesKey, ...windowKeys];
  const windowArgs = windows.flatMap((w) => [w.lengthMs, w.max]);
  const leases: LeaseKeeper | null =
    limits.concurrency > 0 ? createLeaseKeeper({ redis, key: leasesKey, leaseMs, onError: options.onError }) : null;

  return {
    name,
    windows,
    async attempt(member, reserveAheadMs) {
      const reply = parseAcquireReply(
        await runScript(redis, ACQUIRE, keys, ['acquire', member, limits.concurrency, leaseMs, reserveAheadMs, ...windowArgs]),
      );
      if (reply.admitted) leases?.hold(member);
      return reply;
    },
    confirm(member, startMs) {
      return runScript(redis, CONFIRM, keys, [member, startMs.toFixed(3), MAX_CONFIRM_LATE_MS, ...windows.map((w) => w.lengthMs)]);
    },
    release(member) {
      leases?.release(member);
    },
    async pauseUntil(untilMs) {
      if (!Number.isFinite(untilMs)) return;
      await runScript(redis, PAUSE, [pauseKey], [String(Math.ceil(untilMs))]);
    },
    async peek() {
      return parsePeekReply(
        await runScript(redis, ACQUIRE, keys, ['peek', '', limits.concurrency, leaseMs, 0, ...windowArgs]),
        windows.length,
      );
    },
    async seed(requestTimesMs) {
      await seedWindows(redis, windowKeys, windows, requestTimesMs);
    },
    async touch(member, backdateMs) {
      if (windows.length === 0) return;
      await runScript(redis, TOUCH, windowKeys, [member, Math.max(0, backdateMs)]);
    },
    stop() {
      leases?.stop();
    },
  };
}
