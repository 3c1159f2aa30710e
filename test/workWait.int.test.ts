import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMockApi } from '@sluice/mock-api';
import { collect, runCli, spawnCli, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec } from './helpers';

/** `sluice work --wait`, the compose worker's command: it never exits on its own, so no restart policy loops it. */
describe('work --wait', () => {
  test('waits for the ledger and the crawl, works the crawl to the end, stays up idle and exits 0 on SIGTERM', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('workwait', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const flags = cliFlags(dir, url, prefix);
          const worker = spawnCli([...flags, 'work', 'colours', '--wait', '--no-progress']);
          let stderr = '';
          worker.stderr?.on('data', (d: Buffer) => {
            stderr += d.toString();
          });
          const finished = collect(worker);
          try {
            await waitFor(() => stderr.includes('no ledger at'), { what: 'the worker to say it waits for a ledger' });
            // Waiting creates nothing: only `run` and `crawl create` make a ledger.
            expect(existsSync(join(dir, 'sluice.db'))).toBe(false);

            const specPath = join(dir, 'spec.json');
            writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, 300)));
            expect((await runCli([...flags, 'crawl', 'create', specPath])).code).toBe(0);
            await waitFor(() => stderr.includes('crawl colours is done (300 of 300, 0 failed)'), {
              what: 'the waiting worker to pick up the crawl and finish it',
            });
            expect(mock.stats().requests).toBe(300);
            expect(worker.exitCode).toBeNull();
            const status = await runCli([...flags, 'status', 'colours', '--json']);
            expect(JSON.parse(status.stdout)).toMatchObject({ done: 300, failed: 0, state: 'done' });
          } finally {
            if (worker.exitCode === null) worker.kill('SIGTERM');
          }
          const result = await finished;
          expect(result.code).toBe(0);
          // One line per state, not one per poll.
          expect(stderr.match(/no ledger at/g)).toHaveLength(1);
        }),
      ),
    );
  });
});
