import { waitFor } from '@sluice/testkit';
import { limiterPauseKey } from './limiterKeys';
import { createSharedLimiter } from './sharedLimiter';
import { redisNowMs, withLimiterClients } from './testSupport';
import type { LimiterLimits } from './windows';

const NONE: LimiterLimits = { perSecond: 0, perMinute: 0, perHour: 0, perDay: 0, concurrency: 0 };
const DAY_MS = 86_400_000;

describe('shared limiter pause (real Redis, several clients)', () => {
  test('pauseUntil holds every instance until the pause ends by Redis time, then acquires resume', async () => {
    await withLimiterClients('limiter-pause', 3, async ({ scope, clients }) => {
      const admits: number[] = [];
      const limits = { ...NONE, perSecond: 1000 };
      const limiters = clients.map((redis) => createSharedLimiter({ redis, scope, limits, onAdmit: (t) => admits.push(t) }));
      try {
        const untilMs = Math.ceil((await redisNowMs(clients[0]!)) + 1_500);
        await limiters[0]!.pauseUntil(untilMs);
        // Extends, never shortens.
        await limiters[1]!.pauseUntil(untilMs - 1_000);
        expect(await limiters[2]!.blockedUntil()).toBe(untilMs);

        let resolved = 0;
        const acquires = limiters.flatMap((limiter) =>
          [1, 2, 3, 4, 5].map(async () => {
            const start = await limiter.acquire();
            resolved++;
            start.release();
          }),
        );
        await waitFor(() => resolved === 15, { timeoutMs: 10_000, what: 'all acquires after the pause' });
        await Promise.all(acquires);
        expect(admits).toHaveLength(15);
        expect(Math.min(...admits)).toBeGreaterThanOrEqual(untilMs);
        expect(Math.max(...admits) - untilMs).toBeLessThan(5_000);
        expect(await limiters[0]!.blockedUntil()).toBe(0);
      } finally {
        for (const limiter of limiters) limiter.close();
      }
    });
  });
});

describe('shared limiter with every limit 0: pauses (real Redis)', () => {
  test('still honours its own pause and shares it in Redis for other processes; an abort ends the wait', async () => {
    await withLimiterClients('limiter-unlimited-pause', 1, async ({ scope, clients: [redis] }) => {
      const limiter = createSharedLimiter({ redis: redis!, scope, limits: NONE });
      try {
        const until = Date.now() + 60_000;
        await limiter.pauseUntil(until);
        await limiter.pauseUntil(until - 30_000);
        expect(await limiter.blockedUntil()).toBe(until);
        // Written without being awaited: other processes adopt it from this key.
        await waitFor(async () => Number(await redis!.get(limiterPauseKey(scope))) === until, { what: 'the shared pause' });
        const signal = AbortSignal.timeout(50);
        await limiter.acquire(signal);
        expect(signal.aborted).toBe(true);
      } finally {
        limiter.close();
      }
    });
  });
});

describe('shared limiter pause announcements (real Redis)', () => {
  test('each extension of a pause is published on the pause key, so processes need not poll for it', async () => {
    await withLimiterClients('limiter-pause-pubsub', 2, async ({ scope, clients }) => {
      const limiter = createSharedLimiter({ redis: clients[0]!, scope, limits: { ...NONE, perSecond: 10 } });
      const subscriber = clients[1]!.duplicate();
      const heard: string[] = [];
      try {
        subscriber.on('message', (channel: string, message: string) => heard.push(`${channel} ${message}`));
        await subscriber.subscribe(limiterPauseKey(scope));
        const untilMs = Math.ceil(await redisNowMs(clients[0]!)) + 5_000;
        await limiter.pauseUntil(untilMs);
        await limiter.pauseUntil(untilMs - 1_000); // not an extension: not announced
        await limiter.pauseUntil(untilMs + 1_000);
        await waitFor(() => heard.length >= 2, { timeoutMs: 5_000, what: 'two announcements' });
        expect(heard).toEqual([`${limiterPauseKey(scope)} ${untilMs}`, `${limiterPauseKey(scope)} ${untilMs + 1_000}`]);
      } finally {
        subscriber.disconnect();
        limiter.close();
      }
    });
  });
});

describe('shared limiter seed (real Redis)', () => {
  test('25 starts within the last day use up perDay 25, so the next acquire waits', async () => {
    await withLimiterClients('limiter-seed', 1, async ({ scope, clients: [redis] }) => {
      const admits: number[] = [];
      const limits = { ...NONE, perSecond: 5, perDay: 25 };
      const limiter = createSharedLimiter({ redis: redis!, scope, limits, onAdmit: (t) => admits.push(t) });
      try {
        const now = await redisNowMs(redis!);
        const times = Array.from({ length: 25 }, (_, i) => Math.floor(now) - (i + 1) * 60_000);
        await limiter.seed(times);
        await limiter.seed(times); // idempotent
        expect(await limiter.usage()).toEqual({ perSecond: 0, perDay: 25 });
        const blockedUntil = await limiter.blockedUntil();
        expect(blockedUntil).toBeGreaterThan(now);
        expect(blockedUntil).toBe(Math.min(...times) + DAY_MS);

        const signal = AbortSignal.timeout(300);
        await limiter.acquire(signal);
        expect(signal.aborted).toBe(true);
        expect(admits).toHaveLength(0);

        // Over the limit (e.g. a lowered limit): wait until enough starts leave, not just the oldest.
        await limiter.seed([Math.floor(now) - 1_000, Math.floor(now) - 2_000]);
        const sorted = [...times, Math.floor(now) - 1_000, Math.floor(now) - 2_000].sort((a, b) => a - b);
        expect(await limiter.blockedUntil()).toBe(sorted[2]! + DAY_MS);
      } finally {
        limiter.close();
      }
    });
  });

  test('starts older than a day are not seeded; the budget stays full', async () => {
    await withLimiterClients('limiter-seed-old', 1, async ({ scope, clients: [redis] }) => {
      const admits: number[] = [];
      const limits = { ...NONE, perDay: 25 };
      const limiter = createSharedLimiter({ redis: redis!, scope, limits, onAdmit: (t) => admits.push(t) });
      try {
        const now = await redisNowMs(redis!);
        await limiter.seed(Array.from({ length: 25 }, (_, i) => now - DAY_MS - i * 1_000));
        expect(await limiter.usage()).toEqual({ perDay: 0 });
        expect(await limiter.blockedUntil()).toBe(0);
        (await limiter.acquire(AbortSignal.timeout(5_000))).release();
        expect(admits).toHaveLength(1);
        expect(await limiter.usage()).toEqual({ perDay: 1 });
      } finally {
        limiter.close();
      }
    });
  });
});
