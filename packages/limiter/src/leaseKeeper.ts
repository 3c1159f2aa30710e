import type { RedisClient } from '@sluice/queue';
import { RENEW_LUA } from './limiterScript';
import { luaScript, runScript, toError } from './luaScript';

const RENEW = luaScript(RENEW_LUA);

/**
 * This process's concurrency leases. Each request in flight holds one member of the crawl's
 * lease set; while any is held, all are renewed every `leaseMs / 3` in one call, so a lease
 * outlives a renewal or two lost to a busy event loop but a dead process's leases expire
 * within `leaseMs`.
 */
export interface LeaseKeeper {
  /** Starts renewing `member` (just admitted by the acquire script). */
  hold(member: string): void;
  /** Stops renewing `member` and removes it from Redis, fire-and-forget (errors go to onError). */
  release(member: string): void;
  /** Stops renewing; the leases stay in Redis until released or expired. */
  stop(): void;
}

export interface LeaseKeeperOptions {
  redis: RedisClient;
  key: string;
  leaseMs: number;
  /** Receives Redis errors of renewals and releases, which never reach the caller. */
  onError: (err: Error) => void;
}

export function createLeaseKeeper({ redis, key, leaseMs, onError }: LeaseKeeperOptions): LeaseKeeper {
  const held = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let renewing = false;
  let stopped = false;

  function stopTimer(): void {
    if (timer) clearInterval(timer);
    timer = null;
  }

  async function renew(): Promise<void> {
    if (held.size === 0) {
      stopTimer();
      return;
    }
    // A renewal stuck behind a Redis outage must not pile up more of them.
    if (renewing) return;
    renewing = true;
    try {
      await runScript(redis, RENEW, [key], [leaseMs, ...held]);
    } catch (err) {
      onError(toError(err));
    } finally {
      renewing = false;
    }
  }

  return {
    hold(member) {
      held.add(member);
      if (timer || stopped) return;
      timer = setInterval(() => void renew(), Math.max(1, Math.floor(leaseMs / 3)));
      // The requests themselves keep the process alive; renewals alone must not.
      timer.unref();
    },
    release(member) {
      held.delete(member);
      if (held.size === 0) stopTimer();
      redis.zrem(key, member).catch((err: unknown) => onError(toError(err)));
    },
    stop() {
      stopped = true;
      stopTimer();
    },
  };
}
