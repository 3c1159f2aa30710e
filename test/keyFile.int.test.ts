import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode } from '@sluice/core';
import { withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import { runCli, toArray, withRedisPrefix, withTempDir, withTempPostgres } from '@sluice/testkit';

const hex = (n: number) => n.toString(16).toUpperCase().padStart(6, '0');
const KEYS = 400;

/** Runs `fn` with a SQLite file in `dir`, or a fresh PostgreSQL database. */
function withLedger<T>(kind: 'sqlite' | 'postgres', dir: string, fn: (db: string) => Promise<T>): Promise<T> {
  return kind === 'sqlite' ? fn(join(dir, 'ledger.db')) : withTempPostgres(fn);
}

describe.each(['sqlite', 'postgres'] as const)('key files across hosts (%s ledger)', (kind) => {
  test('a crawl made from a key file is worked from another folder without the file; a changed file is refused naming both hashes', async () => {
    await withTempDir((dir) =>
      withLedger(kind, dir, (db) =>
        withRedisPrefix('keyfile', ({ url, prefix }) =>
          withMockApi({ recordArrivals: true }, async (mock) => {
            const creator = join(dir, 'creator');
            const elsewhere = join(dir, 'elsewhere');
            mkdirSync(creator);
            mkdirSync(elsewhere);
            // Duplicates and a comment: the ledger must hold the distinct keys in file order.
            const lines = ['# colours', ...Array.from({ length: KEYS }, (_, n) => hex(n * 7)), hex(0), hex(7)];
            const content = `${lines.join('\n')}\n`;
            const keyFile = join(creator, 'keys.txt');
            writeFileSync(keyFile, content);
            const spec = {
              name: 'from-file',
              keys: { file: 'keys.txt' },
              request: { url: `${mock.url}/id?hex={key}` },
              limits: { concurrency: 10 },
              queue: { batchSize: 20 },
              validate: { keyField: 'hex.clean' },
            };
            const specPath = join(creator, 'spec.json');
            writeFileSync(specPath, JSON.stringify(spec));
            const flags = ['--db', db, '--redis', url, '--prefix', prefix];
            expect((await runCli([...flags, 'crawl', 'create', specPath], { cwd: creator })).code).toBe(0);

            // Another host: no key file anywhere, another working folder.
            rmSync(keyFile);
            const worked = await runCli([...flags, 'work', 'from-file', '--json'], { cwd: elsewhere });
            expect({ code: worked.code, stderr: worked.stderr }).toEqual({ code: 0, stderr: expect.any(String) });

            const wanted = Array.from({ length: KEYS }, (_, n) => hex(n * 7));
            const store = await openStore(db);
            try {
              const keys = (await toArray(store.ledger.iterateResults(1))).map((r) => r.key);
              expect(keys).toEqual(wanted);
              expect(await store.keyFiles.keyFile(1)).toMatchObject({
                sha256: createHash('sha256').update(content).digest('hex'),
                keys: KEYS,
              });
            } finally {
              await store.close();
            }
            expect(
              mock
                .arrivalLog()
                .map((a) => a.key)
                .sort(),
            ).toEqual([...wanted].sort());

            // The file comes back changed: naming the crawl with it is refused, with both hashes.
            writeFileSync(keyFile, `${hex(1)}\n`);
            const again = await runCli([...flags, 'crawl', 'create', specPath], { cwd: creator });
            expect(again.code).toBe(ExitCode.usage);
            expect(again.stderr).toContain(createHash('sha256').update(content).digest('hex'));
            expect(again.stderr).toContain(
              createHash('sha256')
                .update(`${hex(1)}\n`)
                .digest('hex'),
            );
          }),
        ),
      ),
    );
  });
});
