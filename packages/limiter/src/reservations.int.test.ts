import type { CrawlScope } from '@sluice/queue';
import { waitFor } from '@sluice/testkit';
import { limiterLeasesKey, limiterPauseKey, limiterWindowKey } from './limiterKeys';
import { ACQUIRE_LUA, CONFIRM_LUA, PAUSE_LUA } from './limiterScript';
import { luaScript, runScript } from './luaScript';
import { parseAcquireReply, parseConfirmReply } from './replies';
import { createSharedLimiter, MAX_CONFIRM_LATE_MS, RESERVE_AHEAD_MS } from './sharedLimiter';
import { redisNowMs, withLimiterClients } from './testSupport';
import { type LimiterLimits, maxInAnyWindow } from './windows';

const ACQUIRE = luaScript(ACQUIRE_LUA);
const CONFIRM = luaScript(CONFIRM_LUA);
const PAUSE = luaScript(PAUSE_LUA);
const NONE: LimiterLimits = { perSecond: 0, perMinute: 0, perHour: 0, perDay: 0, concurrency: 0 };

/** Scores of the perSecond log, ascending. */
async function loggedStarts(redis: import('ioredis').Redis, scope: CrawlScope): Promise<number[]> {
  const flat = await redis.zrange(limiterWindowKey(scope, 'perSecond'), 0, -1, 'WITHSCORES');
  return flat.filter((_, i) => i % 2 === 1).map(Number);
}

/** Blocks this process's event loop, as a stalled worker would. */
function stallFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: timers cannot fire meanwhile
  }
}

describe('shared limiter reservations (real Redis)', () => {
  test('the scripts: a reservation is logged ahead; its confirm waits for the instant, re-dates it, or gives it up under a pause', async () => {
    await withLimiterClients('limiter-reserve-scripts', 1, async ({ scope, clients: [redis] }) => {
      const keys = [limiterPauseKey(scope), limiterLeasesKey(scope), limiterWindowKey(scope, 'perSecond')];
      // perSecond 10, a global cap of 5, leases of 60 s, reserving up to 150 ms ahead.
      const acquire = (member: string) =>
        runScript(redis!, ACQUIRE, keys, ['acquire', member, 5, 60_000, RESERVE_AHEAD_MS, 1_000, 10]).then(parseAcquireReply);
      const confirm = (member: string, startMs: number) =>
        runScript(redis!, CONFIRM, keys, [member, startMs.toFixed(3), MAX_CONFIRM_LATE_MS, 1_000]).then(parseConfirmReply);
      const leases = () => redis!.zrange(keys[1]!, 0, -1);

      const first = await acquire('a');
      if (!first.admitted) throw new Error('expected a admitted');
      expect(first.waitMs).toBe(0);
      // One start per tenth of a second: the next is reserved ahead, a tenth after.
      const b = await acquire('b');
      if (!b.admitted) throw new Error('expected b reserved');
      expect(b.waitMs).toBeGreaterThan(50);
      expect(b.startMs - first.startMs).toBeGreaterThanOrEqual(100);
      expect(await loggedStarts(redis!, scope)).toEqual([first.startMs, b.startMs]);
      expect(await leases()).toEqual(expect.arrayContaining(['a', 'b']));
      // Asked before its instant: kept, confirm again later.
      expect(await confirm('b', b.startMs)).toMatchObject({ confirmed: false, reason: 'early' });
      await waitFor(async () => (await redisNowMs(redis!)) > b.startMs, { timeoutMs: 5_000, what: "b's instant" });
      const confirmed = await confirm('b', b.startMs);
      if (!confirmed.confirmed) throw new Error(`expected b confirmed, got ${JSON.stringify(confirmed)}`);
      expect(confirmed.startMs).toBeGreaterThan(b.startMs); // re-dated to when it really goes out
      expect(await loggedStarts(redis!, scope)).toEqual([first.startMs, confirmed.startMs]);
      const c = await acquire('c');
      if (!c.admitted) throw new Error('expected c reserved');
      expect(c.startMs - confirmed.startMs).toBeGreaterThanOrEqual(100);
      // A pause arrives before c's instant: its confirm gives the slot and the lease up.
      const pausedUntil = Math.ceil(await redisNowMs(redis!)) + 5_000;
      await runScript(redis!, PAUSE, [keys[0]!], [pausedUntil]);
      await waitFor(async () => (await redisNowMs(redis!)) > c.startMs, { timeoutMs: 5_000, what: "c's instant" });
      expect(await confirm('c', c.startMs)).toMatchObject({ confirmed: false, reason: 'pause' });
      expect(await loggedStarts(redis!, scope)).toHaveLength(2);
      expect(await leases()).not.toContain('c');
    });
  });

  test('reserved starts keep every window within its limit, are spaced, and are logged when they really go out', async () => {
    await withLimiterClients('limiter-reserve-spacing', 1, async ({ scope, clients: [redis] }) => {
      const admits: number[] = [];
      const starts: number[] = [];
      const limits = { ...NONE, perSecond: 20 };
      const limiter = createSharedLimiter({ redis: redis!, scope, limits, onAdmit: (t) => admits.push(t) });
      try {
        await Promise.all(
          Array.from({ length: 30 }, async () => {
            const start = await limiter.acquire();
            starts.push(await redisNowMs(redis!));
            start.release();
          }),
        );
        const sorted = [...admits].sort((a, b) => a - b);
        expect(sorted).toHaveLength(30);
        expect(maxInAnyWindow(sorted, 1_000)).toBeLessThanOrEqual(20);
        // Spread over each second (two per tenth), not sent as bursts of 20: a start confirmed a
        // little after its instant is logged that little later, so allow for that.
        expect(maxInAnyWindow(sorted, 50)).toBeLessThanOrEqual(2);
        // What the log holds is what was reported, and nobody started before its logged instant.
        const logged = await loggedStarts(redis!, scope);
        expect(logged.length).toBeGreaterThanOrEqual(20);
        expect(logged).toEqual(sorted.slice(-logged.length));
        expect([...starts].sort((a, b) => a - b).every((t, i) => t >= sorted[i]!)).toBe(true);
      } finally {
        limiter.close();
      }
    });
  });

  test('a reserved start whose timer fires too late gives its slot up and is admitted again at its real start', async () => {
    await withLimiterClients('limiter-reserve-late', 1, async ({ scope, clients: [redis] }) => {
      const admits: number[] = [];
      const limits = { ...NONE, perSecond: 10 };
      const limiter = createSharedLimiter({ redis: redis!, scope, limits, onAdmit: (t) => admits.push(t) });
      try {
        (await limiter.acquire()).release();
        let startedAt = 0;
        const second = limiter.acquire().then((start) => {
          startedAt = Date.now();
          start.release();
        });
        await waitFor(async () => (await loggedStarts(redis!, scope)).length === 2, {
          timeoutMs: 5_000,
          what: 'the reservation',
        });
        const [, reserved] = await loggedStarts(redis!, scope);
        // The event loop stalls well past the reserved instant.
        stallFor(reserved! - Date.now() + MAX_CONFIRM_LATE_MS + 100);
        const stalledUntil = await redisNowMs(redis!);
        await second;
        expect(admits).toHaveLength(2);
        // Not sent on the stale reservation: admitted anew, and logged at the real start.
        expect(admits[1]!).toBeGreaterThanOrEqual(stalledUntil);
        expect(startedAt).toBeGreaterThan(reserved!);
        expect(await loggedStarts(redis!, scope)).toEqual(admits);
      } finally {
        limiter.close();
      }
    });
  });
});
