import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@sluice/testkit';
import { parse } from 'yaml';

/** docker-compose.yml keeps the properties docs/operations.md ("Docker") promises. */

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  container_name?: string;
}

const compose = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
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
});
