import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, runCli, withTempDir } from '@sluice/testkit';

const SUBCOMMANDS = [
  ['run'],
  ['crawl'],
  ['crawl', 'create'],
  ['enqueue'],
  ['work'],
  ['status'],
  ['export'],
  ['pause'],
  ['resume'],
  ['failed'],
  ['retry-failed'],
  ['dashboard'],
];

describe('the sluice command', () => {
  test('--help describes the global options and every command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const word of [
      '--db',
      '--redis',
      '--prefix',
      'run',
      'crawl',
      'enqueue',
      'work',
      'status',
      'export',
      'pause',
      'resume',
      'failed',
      'retry-failed',
      'dashboard',
      'Exit codes',
    ]) {
      expect(top.stdout).toContain(word);
    }
  });

  test.each(SUBCOMMANDS)('`%s --help` describes its options', async (...command) => {
    const words = command.filter((w): w is string => typeof w === 'string');
    const out = await runCli([...words, '--help']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Usage: sluice ${words.join(' ')}`);
    expect(out.stdout).toMatch(/Options:/);
  });

  test('an invalid spec exits 2 with every problem on its own line, and creates no database', async () => {
    await withTempDir(async (dir) => {
      const specPath = join(dir, 'bad.json');
      writeFileSync(
        specPath,
        JSON.stringify({ name: 'bad', keys: { range: { from: 5, to: 1 } }, request: { url: 'ftp://x/{key}' }, limits: { perSecond: -1 } }),
      );
      const db = join(dir, 'sluice.db');
      const out = await runCli(['--db', db, 'run', specPath]);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('keys.range.to: expected to ≥ from');
      expect(out.stderr).toContain('limits.perSecond: expected a number ≥ 0');
      expect(out.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(db)).toBe(false);
    });
  });

  test('an unknown command or option exits 2', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['status', '--bogus'])).code).toBe(2);
  });

  test('an unreachable Redis exits 3 with a message naming the fixes', async () => {
    await withTempDir(async (dir) => {
      const specPath = join(dir, 'spec.json');
      writeFileSync(specPath, JSON.stringify({ name: 'x', keys: { list: ['a'] }, request: { url: 'http://127.0.0.1:9/{key}' } }));
      const port = await freePort();
      const out = await runCli(['--db', join(dir, 'sluice.db'), '--redis', `redis://:hunter2secret@127.0.0.1:${port}`, 'run', specPath]);
      expect(out.code).toBe(3);
      expect(out.stderr).toContain('does not answer');
      expect(out.stderr).toContain('REDIS_URL');
      expect(out.stderr).not.toContain('hunter2secret');
    });
  });

  test('an unknown crawl exits 2 and names the crawls that exist, the closest first', async () => {
    await withTempDir(async (dir) => {
      const db = join(dir, 'sluice.db');
      for (const name of ['stocks', 'colours']) {
        const specPath = join(dir, `${name}.json`);
        writeFileSync(specPath, JSON.stringify({ name, keys: { list: ['a'] }, request: { url: 'http://127.0.0.1:9/{key}' } }));
        expect((await runCli(['--db', db, 'crawl', 'create', specPath])).code).toBe(0);
      }
      const out = await runCli(['--db', db, 'status', 'colurs']);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain('no crawl "colurs"');
      expect(out.stderr).toContain('did you mean colours (id 2), stocks (id 1)?');
    });
  });

  test.each([
    ['status'],
    ['status', 'x'],
    ['crawl', 'list'],
    ['export', 'x'],
    ['failed', 'x'],
    ['pause', 'x'],
    ['work', 'x'],
    ['dashboard'],
  ])('`%s` on a missing ledger exits 2 and creates no file or folder', async (...command) => {
    await withTempDir(async (dir) => {
      const db = join(dir, 'typo', 'ledgr.db');
      const out = await runCli(['--db', db, ...command], { cwd: dir });
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(`no ledger at ${db}`);
      expect(existsSync(join(dir, 'typo'))).toBe(false);
    });
  });
});
