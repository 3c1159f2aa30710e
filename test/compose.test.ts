import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@sluice/testkit';
import { parse } from 'yaml';
import { execForm, lastValue, readDockerfile } from './dockerfile';

/**
 * docker-compose.yml and the Dockerfile keep the properties docs/docker.md promises, read from
 * the files (no Docker daemon needed). test/image.int.test.ts runs the image's entry command.
 */

interface Service {
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  container_name?: string;
  restart?: string;
}

const composeText = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText) as { services: Record<string, Service> };
const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};

describe('docker-compose.yml', () => {
  test('redis persists with AOF, never evicts and requires a password', () => {
    const command = service('redis').command?.join(' ') ?? '';
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
    // noeviction alone lets Redis grow until the host's OOM killer ends it.
    expect(command).toMatch(/--maxmemory \$\{REDIS_MAXMEMORY:-\d+[kmg]b\}/);
    expect(command).toMatch(/--requirepass \$\{REDIS_PASSWORD:\?/);
  });

  test('workers scale (no fixed name or host port) and share the SQLite volume with the other services', () => {
    const worker = service('worker');
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    for (const name of ['worker', 'sluice', 'dashboard']) {
      expect(service(name).volumes).toContain('ledger:/data');
      expect(service(name).environment?.SLUICE_DB).toBe('/data/sluice.db');
      expect(service(name).environment?.REDIS_URL).toContain(`${'$'}{REDIS_PASSWORD:?`);
    }
  });

  test('the dashboard requires a token and is published on loopback only', () => {
    const dashboard = service('dashboard');
    expect(dashboard.command).toEqual(['dashboard', '--host', '0.0.0.0', '--port', '8080']);
    // The token comes from the environment (compose's own interpolation syntax, kept literally).
    expect(dashboard.environment?.SLUICE_DASHBOARD_TOKEN).toBe(`${'$'}{SLUICE_DASHBOARD_TOKEN:?set SLUICE_DASHBOARD_TOKEN}`);
    expect(dashboard.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  test('docker compose config accepts the file (where docker compose is installed)', () => {
    if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status !== 0) return;
    const result = spawnSync('docker', ['compose', '-f', join(REPO_ROOT, 'docker-compose.yml'), 'config', '--quiet'], {
      env: { ...process.env, REDIS_PASSWORD: 'test-password', SLUICE_DASHBOARD_TOKEN: '0123456789abcdef0123' },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('the worker waits instead of exiting when its crawl is missing or done, so its restart policy cannot loop it', () => {
    const worker = service('worker');
    expect(worker.command?.[0]).toBe('work');
    expect(worker.command).toContain('--wait');
    expect(worker.command?.[1]).toBe(`${'$'}{SLUICE_CRAWL:-colors-all}`);
    expect(['unless-stopped', 'on-failure', 'always']).toContain(worker.restart);
  });

  test('every file the compose file names exists: the Dockerfile, mounted folders and the specs under them', () => {
    const mounts: [string, string][] = [];
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build !== undefined) expect(existsSync(join(REPO_ROOT, s.build, 'Dockerfile'))).toBe(true);
      for (const volume of s.volumes ?? []) {
        const [host = '', container = ''] = volume.split(':');
        if (!host.startsWith('./')) continue;
        expect({ service: name, host, exists: existsSync(join(REPO_ROOT, host)) }).toEqual({ service: name, host, exists: true });
        mounts.push([container, host]);
      }
    }
    expect(mounts.length).toBeGreaterThan(0);
    // Paths inside mounted folders, in commands and in the usage comments alike.
    const named = [...composeText.matchAll(/(\/[\w.-]+\/[\w./-]+\.(?:json|ya?ml|csv|txt))/g)].map((m) => m[1] as string);
    const inMounts = named.filter((p) => mounts.some(([container]) => p.startsWith(`${container}/`)));
    expect(inMounts).toContain('/specs/colors-all.json');
    for (const path of inMounts) {
      const [container, host] = mounts.find(([c]) => path.startsWith(`${c}/`)) as [string, string];
      expect({ path, exists: existsSync(join(REPO_ROOT, host, path.slice(container.length))) }).toEqual({ path, exists: true });
    }
    // Repository files the comments point at.
    for (const [, file] of composeText.matchAll(/\b((?:docs|examples)\/[\w./-]+\.\w+)/g)) {
      expect({ file, exists: existsSync(join(REPO_ROOT, file as string)) }).toEqual({ file, exists: true });
    }
  });
});

describe('Dockerfile', () => {
  const stages = readDockerfile();
  const runtime = stages.at(-1);
  if (!runtime) throw new Error('Dockerfile has no stage');

  test('the image runs the bundled CLI with node, not the TypeScript sources through tsx', () => {
    const entry = execForm(runtime, 'ENTRYPOINT');
    expect(entry[0]).toBe('node');
    expect(entry[1]).toMatch(/\/dist\/sluice\.cjs$/);
    expect(JSON.stringify(entry)).not.toContain('tsx');
    expect(execForm(runtime, 'CMD')).toEqual(['--help']);
  });

  test('the runtime stage is a separate stage that runs as an unprivileged user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const user = lastValue(runtime, 'USER');
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    // Nothing of the workspace's dev install reaches it: only named files from the build stage.
    for (const copy of runtime.instructions.filter((i) => i.op === 'COPY')) {
      expect(copy.args[0]).not.toBe('.');
    }
  });

  test('dependencies are installed before the sources are copied, with the pinned pnpm', () => {
    const build = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /\bpnpm install\b/.test(i.text)));
    if (!build) throw new Error('no stage runs pnpm install');
    const ops = build.instructions.map((i) => `${i.op} ${i.text}`);
    const install = ops.findIndex((o) => /^RUN pnpm install\b/.test(o));
    const sources = ops.indexOf('COPY . .');
    expect(install).toBeGreaterThanOrEqual(0);
    expect(sources).toBeGreaterThan(install);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { packageManager: string };
    expect(ops.join('\n')).toContain(`npm install -g ${manifest.packageManager}`);
  });

  test('every file the Dockerfile copies from the repository exists', () => {
    for (const stage of stages) {
      for (const copy of stage.instructions.filter((i) => i.op === 'COPY' && i.flags.from === undefined)) {
        for (const source of copy.args.slice(0, -1)) {
          expect({ source, exists: existsSync(join(REPO_ROOT, source)) }).toEqual({ source, exists: true });
        }
      }
    }
  });
});
