import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MockApiOptions, withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import { collect, runCli, spawnCli, toArray, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags } from './helpers';
import { trackPeakRss } from './securityHelpers';

/**
 * Per key: the mock's answer, and how the key must end. `null` class means a stored result.
 * Decisions: unparseable JSON (HTML, truncated, empty) is transient — often a proxy or a cut
 * connection — so it is retried, then failed once attempts run out; a body that parses but
 * breaks a rule, an oversized or bombing body and a redirect are permanent.
 */
const CASES: Array<[key: string, step: string, errorClass: string | null, reason: string | null]> = [
  ['000001', 'ok', null, null],
  ['000002', 'html200', 'TransientError', 'body is not valid JSON'],
  ['000003', 'truncated', 'TransientError', 'gave up after 2 attempts'],
  ['000004', 'empty', 'TransientError', 'empty body'],
  ['000005', 'wrongSchema', 'PermanentError', 'body lacks required field hex.clean'],
  ['000006', 'wrongContentType', null, null],
  ['000007', 'deepJson', 'PermanentError', 'body nests arrays or objects deeper than 1000 levels'],
  ['000008', 'hugeBody', 'PermanentError', 'body larger than 10485760 bytes'],
  ['000009', 'gzipBomb', 'PermanentError', 'body larger than 10485760 bytes'],
  ['00000A', 'redirect', 'PermanentError', '302'],
  ['00000B', 'ok', null, null],
];

describe('hostile response bodies (real CLI worker)', () => {
  test('every hostile answer ends its key with the right class and reason; no invalid row; worker RSS stays small', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('sec-bodies', ({ url, prefix }) =>
        withMockApi(
          { outcomes: Object.fromEntries(CASES.map(([key, step]) => [key, [step]])) as MockApiOptions['outcomes'] },
          async (mock) => {
            const specPath = join(dir, 'spec.json');
            writeFileSync(
              specPath,
              JSON.stringify({
                name: 'hostile-bodies',
                keys: { list: CASES.map(([key]) => key) },
                request: { url: `${mock.url}/id?hex={key}`, timeoutMs: 60_000 },
                limits: { concurrency: 4 },
                retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
                validate: { requiredFields: ['hex.clean'], keyField: 'hex.clean' },
              }),
            );
            const flags = cliFlags(dir, url, prefix);
            expect((await runCli([...flags, 'crawl', 'create', specPath])).code).toBe(0);
            const worker = spawnCli([...flags, 'work', 'hostile-bodies', '--json', '--no-progress']);
            const peak = trackPeakRss(worker.pid as number, 20);
            const out = await collect(worker);
            const peakRss = peak.stop();
            console.info(`hostile bodies: worker peak RSS ${(peakRss / 1024 / 1024).toFixed(1)} MB`);
            expect(out.stderr).not.toContain('\n    at ');
            expect(out.code).toBe(1); // finished, with failures
            expect(peakRss).toBeGreaterThan(0);
            expect(peakRss).toBeLessThan(300 * 1024 * 1024);

            const store = await openStore(join(dir, 'sluice.db'));
            try {
              const failures = new Map((await store.ledger.listFailures(1, 1000)).map((f) => [f.key, f]));
              const results = new Map((await toArray(store.ledger.iterateResults(1))).map((r) => [r.key, r]));
              for (const [key, step, errorClass, reason] of CASES) {
                if (errorClass === null) {
                  const row = results.get(key);
                  expect({ key, step, stored: row !== undefined }).toEqual({ key, step, stored: true });
                  expect(JSON.parse(row?.body ?? '{}').hex.clean).toBe(key);
                } else {
                  const failure = failures.get(key);
                  expect({ key, step, errorClass: failure?.errorClass }).toEqual({ key, step, errorClass });
                  expect(failure?.reason).toContain(reason);
                }
              }
              for (const row of results.values()) expect(JSON.parse(row.body).hex.clean).toBe(row.key);
              expect(results.size + failures.size).toBe(CASES.length);
            } finally {
              await store.close();
            }
          },
        ),
      ),
    );
  });
});
