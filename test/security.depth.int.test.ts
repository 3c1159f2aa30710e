import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MockApiOptions, withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import { collect, runCli, spawnCli, toArray, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags } from './helpers';
import { trackPeakRss } from './securityHelpers';

const TOTAL = 400;
const DEPTH = 4_000_000;
const hex = (n: number) => n.toString(16).toUpperCase().padStart(6, '0');
/** One key in ten answers the bomb: 40 of 400, spread so that many are in flight at once. */
const isBomb = (n: number) => n % 10 === 0;

/**
 * A nesting bomb under the size cap: 8 MB of `[[[…]]]`, four million levels deep. Parsing one
 * builds four million arrays (~400 MB of heap), so the worker must refuse it before parsing.
 * `SLUICE_TEST_MAX_DEPTH` lets a reader reproduce the old behaviour (a limit past the depth).
 */
describe('nesting bombs under the size cap (real CLI worker)', () => {
  test('40 bodies of 4 million nested [ at concurrency 20: keys fail with the depth reason, the rest are stored, worker RSS < 300 MB', async () => {
    const bomb = '['.repeat(DEPTH) + ']'.repeat(DEPTH);
    const outcomes: Record<string, unknown[]> = {};
    for (let n = 0; n < TOTAL; n++) if (isBomb(n)) outcomes[hex(n)] = [{ status: 200, body: bomb }];
    await withTempDir((dir) =>
      withRedisPrefix('sec-depth', ({ url, prefix }) =>
        withMockApi({ outcomes: outcomes as MockApiOptions['outcomes'] }, async (mock) => {
          const specPath = join(dir, 'spec.json');
          const maxDepth = Number(process.env.SLUICE_TEST_MAX_DEPTH ?? 0);
          writeFileSync(
            specPath,
            JSON.stringify({
              name: 'depth',
              keys: { range: { from: 0, to: TOTAL - 1, format: 'hex6' } },
              request: { url: `${mock.url}/id?hex={key}` },
              limits: { concurrency: 20 },
              retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
              validate: { keyField: 'hex.clean', ...(maxDepth > 0 ? { maxDepth } : {}) },
              queue: { batchSize: 20 },
            }),
          );
          const flags = cliFlags(dir, url, prefix);
          expect((await runCli([...flags, 'crawl', 'create', specPath])).code).toBe(0);
          const worker = spawnCli([...flags, 'work', 'depth', '--json', '--no-progress']);
          const peak = trackPeakRss(worker.pid as number, 20);
          const out = await collect(worker);
          const peakRss = peak.stop();
          console.info(`nesting bombs: worker peak RSS ${(peakRss / 1024 / 1024).toFixed(1)} MB`);
          expect(out.stderr).not.toContain('\n    at ');
          expect(out.code).toBe(1); // finished, with failures

          const store = await openStore(join(dir, 'sluice.db'));
          try {
            const failures = await store.ledger.listFailures(1, 1000);
            const results = await toArray(store.ledger.iterateResults(1));
            expect(failures.map((f) => f.key).sort()).toEqual(
              Array.from({ length: TOTAL }, (_, n) => n)
                .filter(isBomb)
                .map(hex),
            );
            for (const f of failures) {
              expect({ key: f.key, errorClass: f.errorClass, attempts: f.attempts }).toEqual({
                key: f.key,
                errorClass: 'PermanentError',
                attempts: 1,
              });
              expect(f.reason).toBe('body nests arrays or objects deeper than 1000 levels (validate.maxDepth)');
            }
            expect(results).toHaveLength(TOTAL - failures.length);
            for (const r of results) expect(JSON.parse(r.body).hex.clean).toBe(r.key);
          } finally {
            await store.close();
          }
          expect(mock.stats().requests).toBe(TOTAL);
          expect(peakRss).toBeGreaterThan(0);
          expect(peakRss).toBeLessThan(300 * 1024 * 1024);
        }),
      ),
    );
  });
});
