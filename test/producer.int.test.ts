import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedSpec, createCrawl, scopeOf, work } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { createRedis, openBatchQueue } from '@sluice/queue';
import { collect, spawnCli, toArray, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec, testEngine } from './helpers';

describe('the streaming producer', () => {
  test('never holds more than the high-water mark of batches in Redis', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('highwater', ({ url, prefix }) =>
        withMockApi({ latencyMs: 5 }, async (mock) => {
          const engine = await testEngine(dir, url, prefix);
          const redis = createRedis(url, 'highwater-probe');
          try {
            const spec = checkedSpec(
              colourSpec(mock.url, 3_000, { queue: { batchSize: 10, highWater: 6, lowWater: 2 }, limits: { concurrency: 10 } }),
              't',
            );
            const { crawl } = await createCrawl(engine, spec, dir);
            const queue = openBatchQueue(redis, scopeOf(engine, crawl));
            let maxWaiting = 0;
            let samples = 0;
            let sampling = true;
            const sampler = (async () => {
              while (sampling) {
                maxWaiting = Math.max(maxWaiting, await queue.waitingCount());
                samples++;
                await new Promise((r) => setImmediate(r));
              }
            })();
            const summary = await work(engine, crawl.row.id, { progressIntervalMs: 50 });
            sampling = false;
            await sampler;
            await queue.close();
            expect(summary).toMatchObject({ complete: true, done: 3_000 });
            expect(samples).toBeGreaterThan(10);
            expect(maxWaiting).toBeGreaterThan(0);
            expect(maxWaiting).toBeLessThanOrEqual(6);
          } finally {
            redis.disconnect();
            await engine.close();
          }
        }),
      ),
    );
  });

  test('a key already in the ledger is never fetched again', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('skipdone', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const engine = await testEngine(dir, url, prefix);
          try {
            const spec = checkedSpec(colourSpec(mock.url, 500, { queue: { batchSize: 20 } }), 't');
            const { crawl } = await createCrawl(engine, spec, dir);
            // Every third key is already done, as after a crash between commit and ack.
            const done = Array.from({ length: 500 }, (_, p) => p).filter((p) => p % 3 === 0);
            await engine.store.writeEntries(
              done.map((position) => ({
                kind: 'result' as const,
                record: {
                  crawlId: crawl.row.id,
                  position,
                  key: position.toString(16).toUpperCase().padStart(6, '0'),
                  status: 200,
                  body: '{"earlier":true}',
                  attempts: 1,
                  fetchedAt: 1,
                  durationMs: 1,
                },
              })),
            );
            const summary = await work(engine, crawl.row.id);
            expect(summary).toMatchObject({ complete: true, done: 500, failed: 0 });
            for (const position of done) {
              expect(mock.requestsForKey(position.toString(16).toUpperCase().padStart(6, '0'))).toBe(0);
            }
            expect(mock.stats().requests).toBe(500 - done.length);
            expect(mock.duplicateKeys()).toBe(0);
            const earlier = (await toArray(engine.store.ledger.iterateResults(crawl.row.id))).filter((r) => r.body === '{"earlier":true}');
            expect(earlier).toHaveLength(done.length);
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });

  test('killing and restarting the producer continues from its cursor without doubling', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('producerkill', ({ url, prefix }) =>
        withMockApi({ latencyMs: 2 }, async (mock) => {
          const total = 4_000;
          const specPath = join(dir, 'spec.json');
          writeFileSync(
            specPath,
            JSON.stringify(
              colourSpec(mock.url, total, { queue: { batchSize: 20, highWater: 4, lowWater: 1 }, limits: { concurrency: 20 } }),
            ),
          );
          const flags = cliFlags(dir, url, prefix);
          const engine = await testEngine(dir, url, prefix);
          try {
            const { crawl } = await createCrawl(
              engine,
              checkedSpec(JSON.parse(require('node:fs').readFileSync(specPath, 'utf8')), 't'),
              dir,
            );
            const id = String(crawl.row.id);
            const worker = spawnCli([...flags, 'work', id, '--no-produce', '--json']);
            const workerDone = collect(worker);
            let cursorAtKill = 0;
            for (let kill = 0; kill < 2; kill++) {
              const producer = spawnCli([...flags, 'enqueue', id]);
              const exited = collect(producer);
              const before = await engine.store.crawls.getCursor(crawl.row.id);
              await waitFor(async () => (await engine.store.crawls.getCursor(crawl.row.id)) >= before + 5, {
                timeoutMs: 60_000,
                what: 'the producer to advance',
              });
              producer.kill('SIGKILL');
              expect((await exited).code).toBeNull();
              cursorAtKill = await engine.store.crawls.getCursor(crawl.row.id);
            }
            expect(cursorAtKill).toBeLessThan(crawl.totalBatches);
            // The next producer starts from the saved cursor (after the dead one's lease expires).
            const last = await collect(spawnCli([...flags, 'enqueue', id]));
            expect(last.code).toBe(0);
            const result = await workerDone;
            expect(result.code).toBe(0);
            expect(await engine.store.ledger.recount(crawl.row.id)).toEqual({ done: total, failed: 0 });
            expect(mock.stats().requests).toBe(total);
            expect(mock.duplicateKeys()).toBe(0);
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });
});
