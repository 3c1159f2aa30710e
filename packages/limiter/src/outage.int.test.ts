import { waitFor, withOwnRedis, withTempDir } from '@sluice/testkit';
import { createSharedLimiter } from './sharedLimiter';
import { testClient, testScope } from './testSupport';
import type { LimiterLimits } from './windows';

const LIMITS: LimiterLimits = { perSecond: 100, perMinute: 0, perHour: 0, perDay: 0, concurrency: 5 };

describe('shared limiter while Redis is away (own redis-server)', () => {
  test('acquire waits out a Redis restart instead of throwing, and an abort still ends the wait', async () => {
    // No AOF: the restarted server must come back empty, as after a crash without persistence.
    await withTempDir((dir) =>
      withOwnRedis(
        dir,
        async (server) => {
          const redis = testClient(server.url);
          const errors: Error[] = [];
          const limiter = createSharedLimiter({ redis, scope: testScope('outage', 1), limits: LIMITS, onError: (e) => errors.push(e) });
          try {
            (await limiter.acquire()).release();
            await server.kill();

            let settled: 'resolved' | 'rejected' | null = null;
            let release = () => {};
            void limiter.acquire().then(
              (granted) => {
                settled = 'resolved';
                release = () => granted.release();
              },
              () => {
                settled = 'rejected';
              },
            );
            const aborted = AbortSignal.timeout(300);
            const noop = await limiter.acquire(aborted);
            expect(aborted.aborted).toBe(true);
            expect(noop.member).toBe('');
            noop.release();

            // The restarted server has an empty script cache: the first EVALSHA gets NOSCRIPT.
            await server.restart();
            await waitFor(() => settled, { timeoutMs: 20_000, what: 'acquire after the restart' });
            expect(settled).toBe('resolved');
            release();
            expect(await limiter.usage()).toMatchObject({ perSecond: 1 });
          } finally {
            limiter.close();
            await redis.quit();
          }
        },
        { appendOnly: false },
      ),
    );
  });
});
