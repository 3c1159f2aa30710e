import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { runMockApiCli } from './cli';

const ROOT = join(__dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = join('apps', 'mock-api', 'src', 'main.ts');

function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(TSX, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the first stdout line matching `pattern`, or rejects if the process exits first. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      seen += chunk;
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${seen}`)));
  });
}

async function collect(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
}

describe('mock-api command', () => {
  it('prints every option with its environment variable on --help', async () => {
    const { code, stdout } = await collect(run(['--help']));
    expect(code).toBe(0);
    for (const text of [
      '--port',
      '--latency-ms',
      '--error-rate',
      '--seed',
      '--outcomes-json',
      '--invalid-symbols',
      '--quota',
      '--quotas',
      '--storm-status',
      '--reset-rate',
      '--slow-body-ms',
      '--body-fault',
      'MOCK_API_PORT',
      'MOCK_API_OUTCOMES',
    ]) {
      expect(stdout).toContain(text);
    }
  });

  it('exits 2 with one line per bad setting', async () => {
    const { code, stderr } = await collect(run(['--latency-ms=-1'], { MOCK_API_ERROR_RATE: 'lots' }));
    expect(code).toBe(2);
    expect(stderr).toContain('--latency-ms / MOCK_API_LATENCY_MS');
    expect(stderr).toContain('--error-rate / MOCK_API_ERROR_RATE');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 listing every bad fault-mode setting', async () => {
    const { code, stderr } = await collect(run(['--quota', 'lots', '--body-fault', 'nope'], { MOCK_API_STORM_STATUS: '42' }));
    expect(code).toBe(2);
    for (const text of ['--quota / MOCK_API_QUOTA', '--body-fault / MOCK_API_BODY_FAULT', '--storm-status / MOCK_API_STORM_STATUS']) {
      expect(stderr).toContain(text);
    }
  });

  it('applies fault-mode flags: a quota with garbage Retry-After', async () => {
    const child = run(['--port', '0', '--quota', '1/60000:503:garbage']);
    try {
      const url = (await waitForLine(child, /^mock-api listening on /)).replace('mock-api listening on ', '').trim();
      const statuses: (number | string | null)[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${url}/id?hex=00000A`);
        statuses.push(res.status, res.headers.get('retry-after'));
        await res.arrayBuffer();
      }
      expect(statuses).toEqual([200, null, 503, 'soon']);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('listens, applies env knobs, and exits 0 on SIGTERM', async () => {
    const child = run(['--port', '0'], { MOCK_API_OUTCOMES: '{"00000A":[503]}' });
    try {
      const line = await waitForLine(child, /^mock-api listening on /);
      const url = line.replace('mock-api listening on ', '').trim();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/id?hex=00000A`);
      expect(res.status).toBe(503);
      await res.arrayBuffer();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

describe('runMockApiCli in-process', () => {
  it('serves until its signal aborts', async () => {
    const controller = new AbortController();
    let announce: (line: string) => void = () => {};
    const announced = new Promise<string>((resolve) => {
      announce = resolve;
    });
    const running = runMockApiCli(['--latency-ms', '0'], {
      env: {},
      stdout: { write: (text: string) => announce(text) },
      signal: controller.signal,
    });
    const url = (await announced).replace('mock-api listening on ', '').trim();
    expect(await fetch(`${url}/query?function=OVERVIEW&symbol=IBM&apikey=k`).then((r) => r.json())).toMatchObject({ Symbol: 'IBM' });
    controller.abort();
    await running;
    await expect(fetch(`${url}/id?hex=000000`)).rejects.toThrow();
  });
});
