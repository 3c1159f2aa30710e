import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMockApi } from '@sluice/mock-api';
import { runCli, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags } from './helpers';
import { redisBytes } from './securityHelpers';

/** Problems found only when the key source is opened, after the database is. */

const URL = 'http://127.0.0.1:9/id?hex={key}';
const base = { name: 'bad', keys: { list: ['A'] }, request: { url: URL } };

/** [title, file name, file text, a substring every problem line must show]. */
const MALFORMED: Array<[string, string, string, string[]]> = [
  ['bad JSON', 'spec.json', '{"name": "bad", ', ['is not valid JSON']],
  ['bad YAML', 'spec.yaml', 'name: bad\nkeys: [unclosed\n', ['is not valid YAML']],
  ['an unknown field', 'spec.json', JSON.stringify({ ...base, colour: 'red' }), ['colour']],
  ['an unknown nested field', 'spec.json', JSON.stringify({ ...base, limits: { perSecnd: 3 } }), ['perSecnd']],
  ['a wrong type', 'spec.json', JSON.stringify({ ...base, limits: { concurrency: 'ten' } }), ['limits.concurrency']],
  ['a negative limit', 'spec.json', JSON.stringify({ ...base, limits: { perMinute: -5 } }), ['limits.perMinute: expected a number ≥ 0']],
  ['to < from', 'spec.json', JSON.stringify({ ...base, keys: { range: { from: 9, to: 1 } } }), ['keys.range.to: expected to ≥ from']],
  ['an ftp:// URL', 'spec.json', JSON.stringify({ ...base, request: { url: 'ftp://x.example/{key}' } }), ['request.url', 'ftp:']],
  [
    'a URL without {key}',
    'spec.json',
    JSON.stringify({ ...base, request: { url: 'http://x.example/id' } }),
    ['request.url: expected a {key} placeholder'],
  ],
  [
    'an unknown placeholder',
    'spec.json',
    JSON.stringify({ ...base, request: { url: 'http://x.example/{key}/{user}' } }),
    ['unknown placeholder'],
  ],
  [
    'an empty {env.} name',
    'spec.json',
    JSON.stringify({ ...base, request: { url: 'http://x.example/{key}?k={env.}' } }),
    ['unknown placeholder'],
  ],
  ['a placeholder in the host', 'spec.json', JSON.stringify({ ...base, request: { url: 'http://{key}.example/x' } }), ['scheme or host']],
  ['a missing name', 'spec.json', JSON.stringify({ keys: base.keys, request: base.request }), ['name: expected a name']],
  ['bad name characters', 'spec.json', JSON.stringify({ ...base, name: '../etc; rm -rf' }), ['name: expected 1-100 characters']],
  ['an empty list', 'spec.json', JSON.stringify({ ...base, keys: { list: [] } }), ['keys.list: expected at least one key']],
  ['a missing key file', 'spec.json', JSON.stringify({ ...base, keys: { file: 'nope.txt' } }), ['keys.file: cannot read']],
  ['a CSV column missing', 'spec.json', JSON.stringify({ ...base, keys: { file: 'keys.csv', column: 'ticker' } }), ['no column "ticker"']],
  [
    'where without column',
    'spec.json',
    JSON.stringify({ ...base, keys: { file: 'keys.csv', where: { status: 'Active' } } }),
    ['keys.where: needs keys.column'],
  ],
  ['lowWater ≥ highWater', 'spec.json', JSON.stringify({ ...base, queue: { highWater: 4, lowWater: 4 } }), ['queue.lowWater']],
  ['maxDelay < baseDelay', 'spec.json', JSON.stringify({ ...base, retry: { baseDelayMs: 500, maxDelayMs: 10 } }), ['retry.maxDelayMs']],
  ['an unknown preset', 'spec.json', JSON.stringify({ ...base, preset: 'nasa' }), ['preset']],
  [
    'a regex that does not compile',
    'spec.json',
    JSON.stringify({ ...base, responseRules: { throttleWhenBodyMatches: '(unclosed[' } }),
    ['responseRules.throttleWhenBodyMatches: expected a valid regular expression'],
  ],
  ['zero attempts', 'spec.json', JSON.stringify({ ...base, retry: { attempts: 0 } }), ['retry.attempts']],
  ['a non-object spec', 'spec.json', '[1, 2, 3]', ['expected']],
  [
    'a hex6 range past FFFFFF',
    'spec.json',
    JSON.stringify({ ...base, keys: { range: { from: 0, to: 0x1000000, format: 'hex6' } } }),
    ['keys.range.to'],
  ],
  ['maxBodyBytes of zero', 'spec.json', JSON.stringify({ ...base, request: { url: URL, maxBodyBytes: 0 } }), ['request.maxBodyBytes']],
];

describe('malformed specs (real CLI)', () => {
  test.each(MALFORMED)('%s: exits 2 with one clear line per problem, writes nothing', async (_title, file, text, expected) => {
    await withTempDir((dir) =>
      withRedisPrefix('sec-spec', async ({ url, prefix }) => {
        writeFileSync(join(dir, 'keys.csv'), 'symbol,status\nIBM,Active\n');
        const specPath = join(dir, file);
        writeFileSync(specPath, text);
        const out = await runCli([...cliFlags(dir, url, prefix), 'run', specPath, '--no-progress']);
        expect(out.code).toBe(2);
        for (const part of expected) expect(out.stderr).toContain(part);
        expect(out.stderr).not.toContain('\n    at ');
        expect(out.stderr).not.toMatch(/Error: |ZodError|SyntaxError/);
        expect(out.stdout).toBe('');
        // The key source is probed before the database is opened: not even the file is created.
        expect(existsSync(join(dir, 'sluice.db'))).toBe(false);
        expect((await redisBytes(url, prefix)).keys).toEqual([]);
      }),
    );
  });

  test('a literal secret in the URL or a header is warned about on stderr, with an {env.NAME} suggestion and without the value', async () => {
    await withTempDir((dir) =>
      withMockApi({}, (mock) =>
        withRedisPrefix('sec-warn', async ({ url, prefix }) => {
          const secret = 'abcd1234efgh5678literal';
          const specPath = join(dir, 'spec.json');
          writeFileSync(
            specPath,
            JSON.stringify({
              name: 'literal',
              keys: { list: ['00000A'] },
              request: { url: `${mock.url}/id?hex={key}&apikey=${secret}`, headers: { Authorization: `Bearer ${secret}` } },
            }),
          );
          const created = await runCli([...cliFlags(dir, url, prefix), 'crawl', 'create', specPath]);
          expect(created.code).toBe(0);
          expect(created.stderr).toContain('request.url: query parameter "apikey" holds a literal secret; use apikey={env.APIKEY}');
          expect(created.stderr).toContain('request.headers.Authorization: holds a literal credential; use "Bearer {env.');
          const ran = await runCli([...cliFlags(dir, url, prefix), 'run', specPath, '--no-progress']);
          expect(ran.code).toBe(0);
          expect(ran.stderr).toContain('{env.APIKEY}');
          for (const out of [created, ran]) expect(`${out.stdout}${out.stderr}`).not.toContain(secret);
        }),
      ),
    );
  });
});
