import type { AdaptiveSettings } from '@sluice/core';
import { createAdaptiveRate } from './adaptiveRate';
import { readAdaptiveRate } from './adaptiveState';
import { limiterAdaptiveKey, limiterWindowKey } from './limiterKeys';
import { createSharedLimiter } from './sharedLimiter';
import { withLimiterClients } from './testSupport';

const SETTINGS: AdaptiveSettings = { startPerSecond: 40, floorPerSecond: 1, ceilingPerSecond: 1000, latencyFactor: 0 };
const NO_LIMITS = { perSecond: 0, perMinute: 0, perHour: 0, perDay: 0, concurrency: 0 };

describe('adaptive rate in Redis', () => {
  test('two processes that see throttles at once cut the shared rate once', async () => {
    await withLimiterClients('adaptive-cut', 2, async ({ scope, clients }) => {
      const rates = clients.map((redis) =>
        createAdaptiveRate({ redis, key: limiterAdaptiveKey(scope), windowKey: limiterWindowKey(scope, 'perSecond'), settings: SETTINGS }),
      );
      try {
        await Promise.all(rates.map((r) => r.sync()));
        expect(await readAdaptiveRate(clients[0]!, scope)).toMatchObject({ ratePerSecond: 40, phase: 'probe', cuts: 0 });
        for (let round = 0; round < 3; round++) {
          for (const r of rates) r.answered(Date.now(), 'throttled', 0);
          await Promise.all(rates.map((r) => r.sync()));
        }
        // One cut, to 95 % (no clean answers were counted, so of the rate), however many reported.
        expect(await readAdaptiveRate(clients[1]!, scope)).toMatchObject({
          ratePerSecond: 38,
          phase: 'steady',
          cuts: 1,
          lastCutReason: 'throttle',
        });
        expect(rates.map((r) => r.state.rate)).toEqual([38, 38]);
      } finally {
        for (const r of rates) r.close();
      }
    });
  });

  test('the acquire script enforces the rate the hash holds, for every process at its next start', async () => {
    await withLimiterClients('adaptive-acquire', 1, async ({ scope, clients }) => {
      const redis = clients[0]!;
      const limiter = createSharedLimiter({ redis, scope, limits: NO_LIMITS, adaptive: { ...SETTINGS, startPerSecond: 4 } });
      try {
        await limiter.adaptive?.sync();
        await redis.hset(limiterAdaptiveKey(scope), 'rate', '3.7');
        const stop = new AbortController();
        let admitted = 0;
        const started = Date.now();
        // Asks for more than the rate allows for 600 ms: only floor(3.7) = 3 may start in the second.
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            const start = await limiter.acquire(stop.signal);
            if (!stop.signal.aborted && Date.now() - started < 900) admitted++;
            start.release();
          }).map((p) => Promise.race([p, new Promise((r) => setTimeout(r, 600))])),
        );
        stop.abort();
        expect(admitted).toBe(3);
        expect((await limiter.usage()).perSecond).toBe(3);
      } finally {
        limiter.close();
      }
    });
  });
});
