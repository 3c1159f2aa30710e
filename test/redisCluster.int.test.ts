import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { limiterWindowKey } from '@sluice/limiter';
import { withMockApi } from '@sluice/mock-api';
import { crawlKeyPattern, crawlScope, createRedis, ownerKey, scanKeys } from '@sluice/queue';
import { openStore } from '@sluice/store';
import { runCli, startRedisCluster, toArray, uniquePrefix, withTempDir } from '@sluice/testkit';

const KEYS = 600;

describe('Redis Cluster', () => {
  test('a crawl with perSecond and perMinute limits runs on a three-master cluster: every key exactly once, limiter scripts in the crawl slot', async () => {
    await withTempDir(async (dir) => {
      const cluster = await startRedisCluster(join(dir, 'cluster'));
      try {
        await withMockApi({ recordArrivals: true }, async (mock) => {
          const prefix = uniquePrefix('cluster');
          const specPath = join(dir, 'spec.json');
          const spec = {
            name: 'colours',
            keys: { range: { from: 0, to: KEYS - 1, format: 'hex6' } },
            request: { url: `${mock.url}/id?hex={key}` },
            limits: { concurrency: 20, perSecond: 200, perMinute: 100_000 },
            queue: { batchSize: 20 },
            validate: { keyField: 'hex.clean' },
          };
          writeFileSync(specPath, JSON.stringify(spec));
          const db = join(dir, 'sluice.db');
          const flags = ['--db', db, '--redis', cluster.urls.join(','), '--prefix', prefix];
          const out = await runCli([...flags, 'run', specPath, '--json', '--no-progress']);
          expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: expect.any(String) });

          const store = await openStore(db);
          let scope: ReturnType<typeof crawlScope>;
          try {
            const keys = (await toArray(store.ledger.iterateResults(1))).map((r) => r.key);
            expect(keys).toHaveLength(KEYS);
            expect(new Set(keys).size).toBe(KEYS);
            scope = crawlScope({ prefix, ledgerId: store.ledgerId, crawlId: 1, name: 'colours' });
          } finally {
            await store.close();
          }
          const arrivals = mock.arrivalLog();
          expect(arrivals).toHaveLength(KEYS);
          expect(new Set(arrivals.map((a) => a.key)).size).toBe(KEYS);

          const redis = createRedis(cluster.urls.join(','), 'cluster-probe');
          try {
            // Every start went through the limiter's scripts on the cluster: the minute log holds them all.
            expect(await redis.zcard(limiterWindowKey(scope, 'perMinute'))).toBe(KEYS);
            // The crawl's keys, BullMQ's included, sit in one slot.
            const found = await scanKeys(redis, crawlKeyPattern(scope));
            expect(found).toContain(ownerKey(scope));
            expect(found.some((k) => k.startsWith(`${scope.namespace}:${scope.queueName}:`))).toBe(true);
            const slots = new Set(await Promise.all(found.map((k) => redis.call('CLUSTER', 'KEYSLOT', k))));
            expect(slots.size).toBe(1);
          } finally {
            redis.disconnect();
          }
        });
      } finally {
        await cluster.stop();
      }
    });
  });
});
