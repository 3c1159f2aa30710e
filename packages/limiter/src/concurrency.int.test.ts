import { createSharedLimiter } from './sharedLimiter';
import { hammer, redisNowMs, withLimiterClients } from './testSupport';
import type { LimiterLimits } from './windows';

const NONE: LimiterLimits = { perSecond: 0, perMinute: 0, perHour: 0, perDay: 0, concurrency: 0 };

describe('shared limiter global concurrency (real Redis, several clients)', () => {
  test('never more than 3 requests in flight across 3 instances, and the cap is used', async () => {
    await withLimiterClients('limiter-cap', 3, async ({ scope, clients }) => {
      const limits = { ...NONE, concurrency: 3 };
      const limiters = clients.map((redis) => createSharedLimiter({ redis, scope, limits }));
      let holding = 0;
      let maxHolding = 0;
      const onHold = (delta: 1 | -1) => {
        holding += delta;
        maxHolding = Math.max(maxHolding, holding);
      };
      try {
        const signal = AbortSignal.timeout(2_000);
        const holdMs = () => 3 + Math.random() * 5;
        const granted = await Promise.all(
          limiters.flatMap((limiter) => [1, 2, 3, 4].map(() => hammer(limiter, signal, { holdMs, onHold }))),
        );
        const total = granted.reduce((a, b) => a + b, 0);
        console.info(`concurrency 3: ${total} requests in 2 s, most in flight at once: ${maxHolding}`);
        expect(maxHolding).toBe(3);
        expect(total).toBeGreaterThan(100);
      } finally {
        for (const limiter of limiters) limiter.close();
      }
    });
  });

  test("a dead process's slot frees itself after leaseMs; a live holder's renewed lease does not", async () => {
    await withLimiterClients('limiter-lease', 3, async ({ scope, clients: [a, b, c] }) => {
      const limits = { ...NONE, concurrency: 1 };
      const leaseMs = 500;
      const admits: Array<[string, number]> = [];
      const make = (name: string, redis: typeof a) =>
        createSharedLimiter({ redis: redis!, scope, limits, leaseMs, holderId: name, onAdmit: (t) => admits.push([name, t]) });
      const dead = make('dead', a);
      const live = make('live', b);
      const waiter = make('waiter', c);
      try {
        // A process that takes the slot and dies: no release, no more renewals.
        await dead.acquire();
        dead.close();
        const deadAt = admits[0]![1];
        await live.acquire();
        const liveAt = admits[1]![1];
        expect(liveAt - deadAt).toBeGreaterThanOrEqual(leaseMs);
        expect(liveAt - deadAt).toBeLessThan(leaseMs + 5_000);
        expect(await live.usage()).toEqual({ inFlight: 1 });

        // The live holder renews every leaseMs / 3: four lease lengths later the slot is still taken.
        const signal = AbortSignal.timeout(4 * leaseMs);
        await waiter.acquire(signal);
        expect(signal.aborted).toBe(true);
        expect(admits.map(([name]) => name)).toEqual(['dead', 'live']);
      } finally {
        for (const limiter of [dead, live, waiter]) limiter.close();
      }
    });
  });

  test('release frees the slot for another process at once', async () => {
    await withLimiterClients('limiter-release', 2, async ({ scope, clients: [a, b] }) => {
      const limits = { ...NONE, concurrency: 1 };
      const first = createSharedLimiter({ redis: a!, scope, limits });
      let admittedAt = 0;
      const second = createSharedLimiter({ redis: b!, scope, limits, onAdmit: (t) => (admittedAt = t) });
      try {
        const start = await first.acquire();
        const pending = second.acquire();
        const releasedAt = await redisNowMs(a!);
        start.release();
        start.release(); // a second call is harmless
        (await pending).release();
        expect(admittedAt).toBeGreaterThan(releasedAt);
        expect(admittedAt - releasedAt).toBeLessThan(5_000);
      } finally {
        first.close();
        second.close();
      }
    });
  });
});
