import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MockApiOptions, withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import { runCli, toArray, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags } from './helpers';

interface Failure {
  key: string;
  errorClass: string;
  reason: string;
  attempts: number;
}

/** Runs a preset spec through the real CLI; returns the failures and `status --json`. */
async function runPreset(dir: string, redisUrl: string, prefix: string, spec: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec));
  const flags = cliFlags(dir, redisUrl, prefix);
  const run = await runCli([...flags, 'run', specPath, '--no-progress', '--json'], { env });
  expect(run.stderr).not.toContain('\n    at ');
  expect(run.code).toBe(1); // complete, with failures
  const failed = await runCli([...flags, 'failed', String(spec.name), '--json'], { env });
  const status = await runCli([...flags, 'status', String(spec.name), '--json'], { env });
  const store = await openStore(join(dir, 'sluice.db'));
  try {
    return {
      failures: new Map((JSON.parse(failed.stdout) as Failure[]).map((f) => [f.key, f])),
      results: (await toArray(store.ledger.iterateResults(1))).map((r) => r.key).sort(),
      status: JSON.parse(status.stdout) as { done: number; failed: number; errorsByClass: Record<string, number> },
    };
  } finally {
    await store.close();
  }
}

describe('preset key formats (real CLI, mock API)', () => {
  test('colors: keys that are not six hex digits fail as invalid keys without a request; a null rgb is missing', async () => {
    const valid = ['FF0000', '0000FF', '00ff00'];
    const invalid = ['GGGGGG', '12345', 'FF00001', '#FF0000', 'FF 000'];
    // The real API's answer to a key it does not understand: its own key echoed, rgb null.
    const blackEcho = JSON.stringify({ hex: { value: '#00000A', clean: '00000A' }, rgb: null, name: { value: 'Black' } });
    await withTempDir((dir) =>
      withRedisPrefix('fmt-colors', ({ url, prefix }) =>
        withMockApi({ outcomes: { '00000A': [{ status: 200, body: blackEcho }] } as MockApiOptions['outcomes'] }, async (mock) => {
          const { failures, results, status } = await runPreset(dir, url, prefix, {
            name: 'colours',
            preset: 'colors',
            keys: { list: [...valid, '00000A', ...invalid] },
            request: { baseUrl: `${mock.url}/id` },
            retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
          });
          // Only well-formed keys were sent.
          expect(mock.stats().requests).toBe(valid.length + 1);
          for (const key of invalid) {
            expect({ key, ...failures.get(key) }).toMatchObject({
              key,
              errorClass: 'InvalidKeyError',
              reason: 'key does not match validate.keyFormat hex6 (six hex digits 0-9 A-F)',
              attempts: 0,
              status: null,
            });
          }
          expect(failures.get('00000A')).toMatchObject({ errorClass: 'PermanentError', reason: 'body lacks required field rgb' });
          // 00ff00 is well-formed, but the API answers 00FF00: the keyField check fails it.
          expect(failures.get('00ff00')).toMatchObject({ errorClass: 'PermanentError' });
          expect(results).toEqual(['0000FF', 'FF0000']);
          expect(status).toMatchObject({ done: 2, failed: invalid.length + 2 });
          expect(status.errorsByClass.InvalidKeyError).toBe(invalid.length);
        }),
      ),
    );
  });

  test('alphavantage: keys that are not symbols fail as invalid keys without a request (and cost no quota)', async () => {
    const valid = ['IBM', 'BRK.B', 'BRK-A', 'SHOP.TRT'];
    const invalid = ['bad symbol', '$$$', 'A/B', 'IBM&function=X', 'ABCDEFGHIJKLMNOP'];
    await withTempDir((dir) =>
      withRedisPrefix('fmt-av', ({ url, prefix }) =>
        withMockApi({}, async (mock) => {
          const { failures, results, status } = await runPreset(
            dir,
            url,
            prefix,
            {
              name: 'symbols',
              preset: 'alphavantage',
              keys: { list: [...valid, ...invalid] },
              request: { baseUrl: `${mock.url}/query` },
              limits: { concurrency: 4, perMinute: 0, perDay: 0 },
              retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
            },
            { ALPHAVANTAGE_API_KEY: 'demo-key' },
          );
          expect(mock.stats().requests).toBe(valid.length);
          for (const key of invalid) {
            expect({ key, ...failures.get(key) }).toMatchObject({
              key,
              errorClass: 'InvalidKeyError',
              reason: 'key does not match validate.keyFormat symbol (1-15 letters, digits, . or -, starting with a letter or digit)',
              attempts: 0,
            });
          }
          expect(results).toEqual([...valid].sort());
          expect(status).toMatchObject({ done: valid.length, failed: invalid.length });
          expect(status.errorsByClass.InvalidKeyError).toBe(invalid.length);
        }),
      ),
    );
  });
});
