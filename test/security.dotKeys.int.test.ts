import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { openStore } from '@sluice/store';
import { runCli, toArray, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags } from './helpers';

const DOT_KEYS = ['.', '..', '%2e', '%2E%2e', '.%2e', '%252e', '..%2Fadmin', 'x/../y'];
const GOOD_KEYS = ['A1', 'BRK.B', '...', 'a..b'];

describe('keys that would be dot segments in a path placeholder (real CLI)', () => {
  test('fail as InvalidKeyError with a clear reason and send no request; the other keys are fetched', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await withTempDir((dir) =>
        withRedisPrefix('sec-dots', async ({ url, prefix }) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(
            specPath,
            JSON.stringify({
              name: 'dots',
              keys: { list: [...DOT_KEYS, ...GOOD_KEYS] },
              request: { url: `${base}/api/items/{key}/detail` },
              retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
            }),
          );
          const out = await runCli([...cliFlags(dir, url, prefix), 'run', specPath, '--no-progress', '--json']);
          expect(out.stderr).not.toContain('\n    at ');
          expect(out.code).toBe(1); // complete, with failures
          expect(JSON.parse(out.stdout)).toMatchObject({ complete: true });

          const store = await openStore(join(dir, 'sluice.db'));
          try {
            const failures = await store.ledger.listFailures(1, 100);
            expect(failures.map((f) => f.key).sort()).toEqual([...DOT_KEYS].sort());
            for (const f of failures) {
              expect({ key: f.key, errorClass: f.errorClass, attempts: f.attempts, reason: f.reason }).toEqual({
                key: f.key,
                errorClass: 'InvalidKeyError',
                attempts: 0,
                reason: 'key holds a dot segment (".", ".." or an encoding such as %2e) that would move the request within the URL path',
              });
            }
            const results = await toArray(store.ledger.iterateResults(1));
            expect(results.map((r) => r.key).sort()).toEqual([...GOOD_KEYS].sort());
            for (const r of results) expect(JSON.parse(r.body).path).toBe(`/api/items/${encodeURIComponent(r.key)}/detail`);
          } finally {
            await store.close();
          }
          expect(seen.sort()).toEqual(GOOD_KEYS.map((k) => `/api/items/${encodeURIComponent(k)}/detail`).sort());
        }),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
