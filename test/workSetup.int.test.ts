import { join } from 'node:path';
import { checkedSpec, createCrawl, openEngine, silentLogger, work } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { waitFor, withOwnRedis, withTempDir } from '@sluice/testkit';
import { Redis } from 'ioredis';
import { colourSpec } from './helpers';

/** A worker whose setup fails half-way must not keep Redis connections (or the process) alive. */
describe('work setup', () => {
  test('a session that fails while setting up (an {env.NAME} unset on this host) closes every Redis client it opened', async () => {
    await withTempDir((dir) =>
      withOwnRedis(
        dir,
        (redis) =>
          withMockApi({}, async (mock) => {
            const env: NodeJS.ProcessEnv = { ...process.env, SLUICE_SETUP_TEST_KEY: 'k-123456' };
            const engine = await openEngine({
              dbPath: join(dir, 'sluice.db'),
              redisUrl: redis.url,
              prefix: 'setup',
              env,
              log: silentLogger,
            });
            const watcher = new Redis(redis.url, { maxRetriesPerRequest: 1 });
            try {
              const spec = checkedSpec(
                colourSpec(mock.url, 20, { request: { url: `${mock.url}/id?hex={key}&k={env.SLUICE_SETUP_TEST_KEY}` } }),
                't',
              );
              const { crawl } = await createCrawl(engine, spec, dir);
              // The variable is set where the crawl was made, not where it is worked.
              delete env.SLUICE_SETUP_TEST_KEY;
              await expect(work(engine, crawl.row.id)).rejects.toThrow('SLUICE_SETUP_TEST_KEY');
              const clients = async () => ((await watcher.client('LIST')) as string).trim().split('\n');
              await waitFor(async () => (await clients()).length === 1, { timeoutMs: 5_000, what: 'only the watcher to stay connected' });
              expect(mock.stats().requests).toBe(0);
            } finally {
              watcher.disconnect();
              await engine.close();
            }
          }),
        { appendOnly: false },
      ),
    );
  });
});
