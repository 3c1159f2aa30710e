import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedSpec, run, status } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { runCli, withRedisPrefix, withTempDir, withTempPostgres } from '@sluice/testkit';
import { cliFlags, colourSpec, testEngine } from './helpers';

/** `"storage": {"compress": true}` is invisible above the store: export, status and library reads see the bodies as received. */
describe('compressed storage', () => {
  test('a compressed crawl exports, reports and reads exactly like an uncompressed one, in a smaller ledger', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('compress', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const total = 600;
          // The API's full body shape (~950 bytes), as the real colour API answers.
          const request = { url: `${mock.url}/id?hex={key}&shape=full` };
          const plainSpec = checkedSpec({ ...colourSpec(mock.url, total), name: 'plain', request }, 'test');
          const packedSpec = checkedSpec({ ...colourSpec(mock.url, total), name: 'packed', request, storage: { compress: true } }, 'test');
          const sizes: Record<string, number> = {};
          for (const spec of [plainSpec, packedSpec]) {
            const engine = await testEngine(join(dir, spec.name), url, prefix);
            try {
              const summary = await run(engine, spec, dir);
              expect(summary).toMatchObject({ complete: true, done: total, failed: 0 });
              // Library use: the ledger's reader returns the bodies as the API sent them.
              let rows = 0;
              for await (const row of engine.store.ledger.iterateResults(summary.crawlId)) {
                expect(JSON.parse(row.body).hex.clean).toBe(row.key);
                rows++;
              }
              expect(rows).toBe(total);
              const [state] = await status(engine, spec.name);
              expect(state).toMatchObject({ done: total, failed: 0, pending: 0, state: 'done' });
            } finally {
              await engine.close();
            }
            // Closing the last connection checkpoints the WAL into the main file.
            sizes[spec.name] = statSync(join(dir, spec.name, 'sluice.db')).size;
          }
          const exported: Record<string, string> = {};
          for (const name of ['plain', 'packed']) {
            const flags = cliFlags(join(dir, name), url, prefix);
            const out = await runCli([...flags, 'export', name, '--format', 'jsonl']);
            expect(out.code).toBe(0);
            exported[name] = out.stdout;
            const csv = await runCli([
              ...flags,
              'export',
              name,
              '--format',
              'csv',
              '--fields',
              'hex.clean,rgb.fraction.r,_links.self.href',
            ]);
            expect(csv.code).toBe(0);
            exported[`${name}.csv`] = csv.stdout;
          }
          // Every field but the fetch time, which differs between the two crawls.
          const comparable = (jsonl = '') =>
            jsonl
              .trim()
              .split('\n')
              .map((line) => {
                const { fetchedAt: _, ...rest } = JSON.parse(line) as Record<string, unknown>;
                return JSON.stringify(rest);
              });
          const packedLines = comparable(exported.packed);
          expect(packedLines).toHaveLength(total);
          expect(packedLines.filter((line, i) => line !== comparable(exported.plain)[i])).toEqual([]);
          const withoutTimes = (csv = '') => csv.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T');
          expect(withoutTimes(exported['packed.csv'])).toBe(withoutTimes(exported['plain.csv']));
          expect(exported['packed.csv']).toContain('/id?hex=000257');
          expect((sizes.packed as number) * 2).toBeLessThan(sizes.plain as number);
        }),
      ),
    );
  });

  test('storage.compress cannot change for an existing crawl', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('compress-change', async ({ url, prefix }) => {
        const spec = { ...colourSpec('http://127.0.0.1:9', 10), name: 'fixed' };
        const specPath = join(dir, 'spec.json');
        writeFileSync(specPath, JSON.stringify(spec));
        const flags = cliFlags(dir, url, prefix);
        expect((await runCli([...flags, 'crawl', 'create', specPath])).code).toBe(0);
        writeFileSync(specPath, JSON.stringify({ ...spec, storage: { compress: true } }));
        const again = await runCli([...flags, 'crawl', 'create', specPath]);
        expect(again.code).toBe(2);
        expect(again.stderr).toContain('storage.compress cannot change for an existing crawl');
      }),
    );
  });

  test('storage.compress on a PostgreSQL ledger is refused as a configuration error naming the field', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('compress-pg', ({ url, prefix }) =>
        withTempPostgres(async (ledger) => {
          const spec = { ...colourSpec('http://127.0.0.1:9', 10), name: 'packed', storage: { compress: true } };
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(spec));
          const flags = ['--db', ledger, '--redis', url, '--prefix', prefix];
          const refused = await runCli([...flags, 'crawl', 'create', specPath]);
          expect(refused.code).toBe(2);
          expect(refused.stderr).toContain('storage.compress: not supported on a PostgreSQL ledger');
          // Nothing was created: the same spec without compression is accepted.
          writeFileSync(specPath, JSON.stringify({ ...spec, storage: { compress: false } }));
          const plain = await runCli([...flags, 'crawl', 'create', specPath]);
          expect(plain.code).toBe(0);
        }),
      ),
    );
  });
});
