import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedSpec, createCrawl, work } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { collect, runCli, spawnCli, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec, testEngine } from './helpers';

describe('pause, resume, failures', () => {
  test('pause stops fetching (the mock counter stops) and resume continues to an exact result', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('pause', ({ url, prefix }) =>
        withMockApi({ latencyMs: 20 }, async (mock) => {
          const total = 3_000;
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, total, { limits: { concurrency: 10 } })));
          const flags = cliFlags(dir, url, prefix);
          const worker = spawnCli([...flags, 'run', specPath, '--json']);
          const finished = collect(worker);
          await waitFor(() => mock.stats().requests > 200, { what: 'the crawl to start' });
          expect((await runCli([...flags, 'pause', 'colours'])).code).toBe(0);
          // In-flight requests may finish; after that the counter must stand still.
          let stable = -1;
          await waitFor(
            async () => {
              const before = mock.stats().requests;
              await new Promise((r) => setTimeout(r, 1500));
              const after = mock.stats().requests;
              if (after === before) stable = after;
              return after === before;
            },
            { timeoutMs: 20_000, what: 'fetching to stop after pause' },
          );
          const status = JSON.parse((await runCli([...flags, 'status', 'colours', '--json'])).stdout);
          expect(status.state).toBe('paused');
          expect(status.done).toBeLessThan(total);
          expect(mock.stats().requests).toBe(stable);

          expect((await runCli([...flags, 'resume', 'colours'])).code).toBe(0);
          const result = await finished;
          expect(result.code).toBe(0);
          expect(JSON.parse(result.stdout)).toMatchObject({ done: total, failed: 0, complete: true });
          expect(mock.stats().requests).toBe(total);
        }),
      ),
    );
  });

  test('failed lists permanent failures with reasons, and retry-failed fetches them again', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('retryfailed', ({ url, prefix }) =>
        withMockApi({ outcomes: { '000005': [404], '000007': [500] } }, async (mock) => {
          const engine = await testEngine(dir, url, prefix);
          const flags = cliFlags(dir, url, prefix);
          try {
            const spec = checkedSpec(colourSpec(mock.url, 50, { retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } }), 't');
            const { crawl } = await createCrawl(engine, spec, dir);
            const first = await work(engine, crawl.row.id);
            expect(first).toMatchObject({ done: 48, failed: 2, complete: true });

            const failed = await runCli([...flags, 'failed', 'colours', '--json']);
            expect(failed.code).toBe(0);
            const rows = JSON.parse(failed.stdout);
            expect(rows.map((r: { key: string }) => r.key)).toEqual(['000005', '000007']);
            expect(rows[0]).toMatchObject({ errorClass: 'PermanentError', status: 404, attempts: 1 });
            expect(rows[1]).toMatchObject({ errorClass: 'TransientError', status: 500, attempts: 2 });
            expect(rows[1].reason).toContain('gave up after 2 attempts');

            mock.setOptions({ outcomes: {} });
            const retried = await runCli([...flags, 'retry-failed', 'colours', '--json']);
            expect(JSON.parse(retried.stdout)).toEqual({ name: 'colours', retried: 2 });
            const second = await work(engine, crawl.row.id);
            expect(second).toMatchObject({ done: 50, failed: 0, complete: true });
            expect(await engine.store.ledger.recount(crawl.row.id)).toEqual({ done: 50, failed: 0 });
          } finally {
            await engine.close();
          }
        }),
      ),
    );
  });
});
