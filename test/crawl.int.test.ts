import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedSpec, run } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { runCli, toArray, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec, testEngine } from './helpers';

describe('one crawl end to end', () => {
  test('a 10,000-colour crawl stores every key once, status says done and export yields every key', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('crawl10k', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const engine = await testEngine(dir, url, prefix);
          try {
            const summary = await run(engine, checkedSpec(colourSpec(mock.url, 10_000), 'test'), dir);
            expect(summary).toMatchObject({ complete: true, done: 10_000, failed: 0 });
            expect(await engine.store.ledger.recount(summary.crawlId)).toEqual({ done: 10_000, failed: 0 });
            let rows = 0;
            for await (const row of engine.store.ledger.iterateResults(summary.crawlId)) {
              expect(JSON.parse(row.body).hex.clean).toBe(row.key);
              rows++;
            }
            expect(rows).toBe(10_000);
          } finally {
            await engine.close();
          }

          const flags = cliFlags(dir, url, prefix);
          const statusOut = await runCli([...flags, 'status', 'colours', '--json']);
          expect(statusOut.code).toBe(0);
          expect(JSON.parse(statusOut.stdout)).toMatchObject({
            name: 'colours',
            total: 10_000,
            done: 10_000,
            failed: 0,
            pending: 0,
            state: 'done',
          });

          const exported = await runCli([...flags, 'export', 'colours', '--format', 'jsonl']);
          expect(exported.code).toBe(0);
          const lines = exported.stdout
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l));
          expect(lines).toHaveLength(10_000);
          expect(new Set(lines.map((l) => l.key)).size).toBe(10_000);
          expect(lines[0]).toEqual(
            expect.objectContaining({ key: '000000', position: 0, status: 200, attempts: 1, body: expect.any(Object) }),
          );
          expect(typeof lines[0].fetchedAt).toBe('string');
        }),
      ),
    );
  });

  test('running a finished crawl again fetches nothing and says so', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('rerun', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, 300)));
          const first = await runCli([...cliFlags(dir, url, prefix), 'run', specPath]);
          expect(first.code).toBe(0);
          expect(first.stdout).toContain('complete');
          const requests = mock.stats().requests;
          const second = await runCli([...cliFlags(dir, url, prefix), 'run', specPath]);
          expect(second.code).toBe(0);
          expect(second.stdout).toContain('already complete');
          expect(mock.stats().requests).toBe(requests);
        }),
      ),
    );
  });

  test('keys from a symbol file with blanks, comments and duplicates give one row per distinct symbol', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('symbols', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          writeFileSync(join(dir, 'symbols.txt'), '# watch list\nIBM\n\nAAPL\nMSFT\n  IBM  \n# again\nAAPL\nTSLA\r\n\n');
          const engine = await testEngine(dir, url, prefix);
          try {
            const spec = checkedSpec(
              {
                name: 'stocks',
                keys: { file: 'symbols.txt' },
                request: { url: `${mock.url}/query?function=OVERVIEW&symbol={key}&apikey={env.SLUICE_TEST_AV_KEY}` },
                validate: { keyField: 'Symbol' },
              },
              'test',
            );
            process.env.SLUICE_TEST_AV_KEY = 'demo-key';
            const summary = await run(engine, spec, dir);
            expect(summary).toMatchObject({ total: 4, done: 4, failed: 0 });
            const keys = (await toArray(engine.store.ledger.iterateResults(summary.crawlId))).map((r) => [r.position, r.key]);
            expect(keys).toEqual([
              [0, 'IBM'],
              [1, 'AAPL'],
              [2, 'MSFT'],
              [3, 'TSLA'],
            ]);
            expect(mock.stats().requests).toBe(4);
          } finally {
            delete process.env.SLUICE_TEST_AV_KEY;
            await engine.close();
          }
        }),
      ),
    );
  });
});
