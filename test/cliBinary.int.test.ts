import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, withTempDir } from '@sluice/testkit';

const CLI_DIR = join(REPO_ROOT, 'apps', 'cli');
const VERSION = (JSON.parse(readFileSync(join(CLI_DIR, 'package.json'), 'utf8')) as { version: string }).version;

/** Runs a command to completion and returns its exit code and output. */
function sh(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const out = spawnSync(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8' });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

/**
 * The files a user without dev dependencies has: the bin script, the bundle, the manifest,
 * the runtime dependency (better-sqlite3, linked to the built addon) and the migrations.
 * No sources and no esbuild.
 */
function productionLayout(root: string): string {
  const cli = join(root, 'apps', 'cli');
  mkdirSync(join(cli, 'node_modules'), { recursive: true });
  cpSync(join(CLI_DIR, 'bin'), join(cli, 'bin'), { recursive: true });
  cpSync(join(CLI_DIR, 'dist'), join(cli, 'dist'), { recursive: true });
  cpSync(join(CLI_DIR, 'package.json'), join(cli, 'package.json'));
  cpSync(join(REPO_ROOT, 'migrations'), join(root, 'migrations'), { recursive: true });
  symlinkSync(realpathSync(join(CLI_DIR, 'node_modules', 'better-sqlite3')), join(cli, 'node_modules', 'better-sqlite3'), 'dir');
  return join(cli, 'bin', 'sluice.cjs');
}

describe('the sluice binary', () => {
  beforeAll(async () => {
    // Brings the bundle up to date (the checkout's bin script rebuilds it when sources are newer).
    expect((await runCli(['--version'])).code).toBe(0);
  });

  test('--version prints the version from package.json', async () => {
    const out = await runCli(['--version']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toBe(VERSION);
  });

  test.each([['status'], ['crawl', 'list'], ['export']])('`%s --help` lists the global options', async (...command) => {
    const out = await runCli([...command, '--help']);
    expect(out.code).toBe(0);
    const global = out.stdout.slice(out.stdout.indexOf('Global Options:'));
    expect(global.length).toBeGreaterThan(20);
    for (const flag of ['--db', '--redis', '--prefix', '--log-format', '--verbose']) expect(global).toContain(flag);
  });

  test('runs from a copy without sources or dev dependencies, from another directory', async () => {
    await withTempDir(async (dir) => {
      const bin = productionLayout(join(dir, 'install'));
      const elsewhere = join(dir, 'elsewhere');
      mkdirSync(elsewhere);
      writeFileSync(
        join(elsewhere, 'spec.json'),
        JSON.stringify({ name: 'c', keys: { list: ['a', 'b'] }, request: { url: 'http://127.0.0.1:9/{key}' } }),
      );
      expect(sh(process.execPath, [bin, '--version'], { cwd: elsewhere }).stdout.trim()).toBe(VERSION);
      const created = sh(process.execPath, [bin, '--db', 'l.db', 'crawl', 'create', 'spec.json'], { cwd: elsewhere });
      expect(created.stderr).toContain('created crawl c (id 1, 2 keys)');
      expect(created.code).toBe(0);
      const listed = sh(process.execPath, [bin, '--db', 'l.db', 'crawl', 'list', '--json'], { cwd: elsewhere });
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'c', total: 2 }]);
    });
  });

  test('without a bundle and without esbuild it says how to build one', async () => {
    await withTempDir(async (dir) => {
      const bin = productionLayout(join(dir, 'install'));
      rmSync(join(dir, 'install', 'apps', 'cli', 'dist'), { recursive: true });
      const out = sh(process.execPath, [bin, '--version'], { cwd: dir });
      expect(out.code).toBe(3);
      expect(out.stderr).toContain('pnpm build');
    });
  });

  test('`npm link` in apps/cli puts a working `sluice` on the PATH', async () => {
    await withTempDir(async (dir) => {
      const prefix = join(dir, 'global');
      // A private global prefix: the machine's own global packages are left alone.
      const env = { npm_config_prefix: prefix };
      const linked = sh('npm', ['link', '--offline', '--no-audit', '--no-fund'], { cwd: CLI_DIR, env });
      expect(linked.code).toBe(0);
      const which = sh('sh', ['-c', 'command -v sluice && sluice --version'], {
        cwd: dir,
        env: { PATH: `${join(prefix, 'bin')}:${process.env.PATH}` },
      });
      expect(which.stdout).toBe(`${join(prefix, 'bin', 'sluice')}\n${VERSION}\n`);
    });
  });
});
