import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '@sluice/testkit';
import { parse } from 'yaml';
import { envOf, execForm, lastValue, readDockerfile, type Stage } from './dockerfile';

/**
 * The image's runtime stage, made without Docker: a temp dir stands for its WORKDIR and gets
 * what the stage's COPY instructions put there, then the test runs exactly its ENTRYPOINT + CMD.
 *
 * The production install is simulated offline: the generated runtime package.json
 * (apps/cli/scripts/runtimePackage.cjs, as in the image) lists the bundle's externals, and each
 * one is copied with the closure of its `dependencies` from the workspace's installed packages
 * (so better-sqlite3 comes with the addon the workspace already compiled; a fresh native build
 * would take minutes). Nothing else of the workspace is reachable: the temp dir is outside the
 * repository and NODE_PATH is not passed on.
 */

const load = createRequire(__filename);
const { writeRuntimePackage } = load(join(REPO_ROOT, 'apps/cli/scripts/runtimePackage.cjs')) as {
  writeRuntimePackage: (dir: string) => string;
};
const { bundle } = load(join(REPO_ROOT, 'apps/cli/scripts/bundle.cjs')) as { bundle: (outfile: string) => Promise<string> };
const { EXTERNALS } = load(join(REPO_ROOT, 'apps/cli/scripts/externals.cjs')) as { EXTERNALS: string[] };

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Node's lookup of package `name` from a package directory: each ancestor's node_modules. */
function findPackage(name: string, from: string): string | null {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
  }
  return null;
}

/** Where the workspace installed an external (pnpm links it into the packages that declare it). */
function workspacePackage(name: string): string {
  for (const top of ['packages', 'apps']) {
    for (const pkg of ['store', 'cli', 'engine']) {
      const found = findPackage(name, join(REPO_ROOT, top, pkg));
      if (found) return found;
    }
  }
  throw new Error(`the workspace has no installed ${name}`);
}

/** Copies `dir` and its production dependencies (recursively) into `target`/node_modules, flat where versions agree. */
function installClosure(dir: string, target: string): void {
  const manifest = readManifest(dir);
  const dest = join(target, 'node_modules', manifest.name);
  if (existsSync(dest)) {
    if (readManifest(dest).version === manifest.version) return;
    throw new Error(`two versions of ${manifest.name} in the closure; the simulation would need nesting`);
  }
  cpSync(dir, dest, { recursive: true, dereference: true, filter: (src) => !src.slice(dir.length).includes('node_modules') });
  const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
  for (const dep of new Set([...Object.keys(manifest.dependencies ?? {}), ...optional])) {
    const found = findPackage(dep, dir);
    if (!found && optional.has(dep)) continue;
    if (!found) throw new Error(`${manifest.name} depends on ${dep}, which the workspace did not install`);
    installClosure(found, target);
  }
}

/** Maps an absolute path of the image onto the temp dir standing for its WORKDIR. */
function inImage(path: string, workdir: string, root: string): string {
  if (path === workdir) return root;
  if (path.startsWith(`${workdir}/`)) return join(root, path.slice(workdir.length + 1));
  throw new Error(`${path} is outside the image's WORKDIR ${workdir}`);
}

/** Makes the runtime stage's files in `root`, one COPY at a time; an unknown COPY fails the test. */
async function makeRuntimeStage(stages: Stage[], root: string): Promise<void> {
  const runtime = stages.at(-1) as Stage;
  const workdir = lastValue(runtime, 'WORKDIR') ?? '/';
  const stageWorkdir = (name: string) => lastValue(stages.find((s) => s.name === name) as Stage, 'WORKDIR') ?? '/';
  for (const copy of runtime.instructions.filter((i) => i.op === 'COPY')) {
    const [source = '', destination = ''] = copy.args;
    const dest = inImage(destination.startsWith('/') ? destination : join(workdir, destination), workdir, root);
    if (copy.flags.from === undefined) {
      cpSync(join(REPO_ROOT, source), dest, { recursive: true });
    } else if (source.replace(/\/$/, '') === '/runtime') {
      // The production install the build stage made from the generated runtime package.json.
      const manifest = JSON.parse(readFileSync(writeRuntimePackage(dest), 'utf8')) as Manifest;
      for (const name of Object.keys(manifest.dependencies ?? {})) installClosure(workspacePackage(name), dest);
    } else if (source === join(stageWorkdir(copy.flags.from), 'apps/cli/dist/sluice.cjs')) {
      await bundle(dest);
    } else {
      throw new Error(`the simulation does not know how to make ${copy.text}`);
    }
  }
}

/** Runs the image's ENTRYPOINT with `args` (default: its CMD) in the simulated stage. */
function runImage(stages: Stage[], root: string, args?: string[]) {
  const runtime = stages.at(-1) as Stage;
  const workdir = lastValue(runtime, 'WORKDIR') ?? '/';
  const [program, ...entry] = execForm(runtime, 'ENTRYPOINT');
  expect(program).toBe('node');
  const argv = [...entry.map((a) => (a.startsWith('/') ? inImage(a, workdir, root) : a)), ...(args ?? execForm(runtime, 'CMD'))];
  const env = envOf(runtime);
  // The image's /data volume becomes a folder of the temp dir.
  const db = join(root, 'data', 'sluice.db');
  return spawnSync(process.execPath, argv, {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: root, NODE_ENV: env.NODE_ENV, SLUICE_DB: env.SLUICE_DB ? db : undefined },
    timeout: 30_000,
  });
}

describe('the Docker image (its runtime stage made without Docker)', () => {
  const stages = readDockerfile();
  let root = '';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'sluice-image-'));
    await makeRuntimeStage(stages, root);
  }, 60_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('ENTRYPOINT + CMD print the usage from a production-only install of the bundle', () => {
    const result = runImage(stages, root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: sluice [options] [command]');
    // Only the externals and their dependencies were installed.
    const manifest = readManifest(root);
    expect(Object.keys(manifest.dependencies ?? {}).sort()).toEqual([...EXTERNALS].sort());
  });

  test('the store finds the migrations from the bundle: `crawl create` of the spec the compose file names makes a ledger', () => {
    const result = runImage(stages, root, ['crawl', 'create', join(REPO_ROOT, 'examples', 'colors-all.json'), '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'colors-all', total: 16_777_216, created: true });
    expect(existsSync(join(root, 'data', 'sluice.db'))).toBe(true);
  });

  test('every command the compose file runs is one the image knows', () => {
    const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { build?: string; command?: string[] }>;
    };
    const commands = Object.values(compose.services)
      .filter((s) => s.build !== undefined && s.command)
      .map((s) => s.command as string[]);
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      // Compose's `${NAME:-default}` becomes its default, as compose would substitute it.
      const args = command.map((a) => a.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1'));
      const result = runImage(stages, root, [...args, '--help']);
      expect({ command: args, status: result.status, stderr: result.stderr }).toEqual({ command: args, status: 0, stderr: '' });
      expect(result.stdout).toContain(`Usage: sluice ${args[0]}`);
    }
  });
});
