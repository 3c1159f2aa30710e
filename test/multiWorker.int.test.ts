import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import { collect, runCli, spawnCli, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec } from './helpers';

describe('several worker processes', () => {
  test('two `work` processes on one crawl store every key exactly once', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('twoworkers', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, 10_000, { limits: { concurrency: 25 } })));
          const flags = cliFlags(dir, url, prefix);
          const created = await runCli([...flags, 'crawl', 'create', specPath]);
          expect(created.code).toBe(0);
          const id = created.stdout.trim();
          expect(id).toMatch(/^\d+$/);

          const workers = [spawnCli([...flags, 'work', id, '--json']), spawnCli([...flags, 'work', id, '--json'])];
          const results = await Promise.all(workers.map(collect));
          for (const r of results) expect(r.code).toBe(0);
          const summaries = results.map((r) => JSON.parse(r.stdout));
          // Both processes finished keys: the work really was shared.
          for (const s of summaries) expect(s.finishedHere).toBeGreaterThan(0);
          expect(summaries[0].finishedHere + summaries[1].finishedHere).toBe(10_000);

          const store = await openStore(join(dir, 'sluice.db'));
          try {
            expect(await store.ledger.recount(Number(id))).toEqual({ done: 10_000, failed: 0 });
            expect(await store.ledger.progress(Number(id))).toEqual({ done: 10_000, failed: 0 });
            const keys = new Set<string>();
            for await (const row of store.ledger.iterateResults(Number(id))) {
              expect(JSON.parse(row.body).hex.clean).toBe(row.key);
              keys.add(row.key);
            }
            expect(keys.size).toBe(10_000);
          } finally {
            await store.close();
          }
        }),
      ),
    );
  });
});
