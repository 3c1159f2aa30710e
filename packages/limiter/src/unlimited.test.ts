import { freePort } from '@sluice/testkit';
import { Redis } from 'ioredis';
import { createSharedLimiter } from './sharedLimiter';
import { testScope } from './testSupport';

const NONE = { perSecond: 0, perMinute: 0, perHour: 0, perDay: 0, concurrency: 0 };

describe('shared limiter with every limit 0', () => {
  test('never touches Redis: acquire resolves at once on a client that cannot connect', async () => {
    const port = await freePort();
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: null });
    const limiter = createSharedLimiter({ redis, scope: testScope('unused', 1), limits: NONE });
    try {
      const starts = await Promise.all(Array.from({ length: 1000 }, () => limiter.acquire()));
      for (const start of starts) start.release();
      expect(starts).toHaveLength(1000);
      expect(limiter.tryAcquire()).not.toBeNull();
      expect(await limiter.usage()).toEqual({});
      await limiter.seed([Date.now()]);
      expect(await limiter.blockedUntil()).toBe(0);
      // lazyConnect: the first command would have started connecting.
      expect(redis.status).toBe('wait');
    } finally {
      limiter.close();
      redis.disconnect();
    }
  });
});
