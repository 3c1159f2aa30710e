import { waitFor } from '@sluice/testkit';
import { limiterPauseKey } from './limiterKeys';
import { watchPauses } from './pauseWatch';
import { createSharedLimiter } from './sharedLimiter';
import { redisNowMs, withLimiterClients } from './testSupport';

const LIMITS = { perSecond: 10, perMinute: 0, perHour: 0, perDay: 0, concurrency: 0 };

describe('pause watch (real Redis)', () => {
  test("another process's pause is reported from its announcement, without waiting for a poll", async () => {
    await withLimiterClients('pause-watch-channel', 2, async ({ scope, clients }) => {
      const seen: number[] = [];
      // A poll this slow cannot be what reports the pause within the test.
      const watch = watchPauses({ redis: clients[0]!, scope, onPause: (untilMs) => seen.push(untilMs), pollMs: 600_000 });
      const limiter = createSharedLimiter({ redis: clients[1]!, scope, limits: LIMITS });
      try {
        await watch.ready;
        const untilMs = Math.ceil((await redisNowMs(clients[1]!)) + 60_000);
        await limiter.pauseUntil(untilMs);
        await waitFor(() => seen.includes(untilMs), { timeoutMs: 5_000, what: 'the announced pause' });
      } finally {
        limiter.close();
        watch.stop();
      }
    });
  });

  test('a pause whose announcement was missed is found by the poll', async () => {
    await withLimiterClients('pause-watch-poll', 2, async ({ scope, clients }) => {
      const seen: number[] = [];
      const watch = watchPauses({ redis: clients[0]!, scope, onPause: (untilMs) => seen.push(untilMs), pollMs: 20 });
      try {
        await watch.ready;
        const untilMs = Date.now() + 60_000;
        // Written without an announcement, as when the subscriber was reconnecting.
        await clients[1]!.set(limiterPauseKey(scope), String(untilMs), 'PX', 60_000);
        await waitFor(() => seen.includes(untilMs), { timeoutMs: 5_000, what: 'the polled pause' });
      } finally {
        watch.stop();
      }
    });
  });
});
