import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { waitFor } from '@sluice/testkit';
import { createSharedLimiter } from './sharedLimiter';
import { hammer, withLimiterClients } from './testSupport';
import { type LimiterLimits, maxInAnyWindow } from './windows';

const REPO_ROOT = resolve(__dirname, '../../..');
const LIMITS: LimiterLimits = { perSecond: 40, perMinute: 100, perHour: 0, perDay: 0, concurrency: 0 };

/** A real worker process running `hammerProcess.ts`, with its output collected. */
function startHammer(options: object): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'hammerProcess.ts'), JSON.stringify(options)], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

describe('shared limiter across real processes', () => {
  test('2 child processes and this one never exceed 40/s or 100/min together', async () => {
    await withLimiterClients('limiter-procs', 1, async ({ url, scope, clients: [redis] }) => {
      const durationMs = 3_500;
      const hammers = [1, 2].map(() => startHammer({ url, scope, limits: LIMITS, callers: 10, durationMs }));
      const admits: number[] = [];
      const limiter = createSharedLimiter({ redis: redis!, scope, limits: LIMITS, onAdmit: (t) => admits.push(t) });
      try {
        await waitFor(() => hammers.every((h) => h.output().includes('ready\n')), { timeoutMs: 30_000, what: 'child processes ready' });
        for (const h of hammers) h.child.stdin?.write('go\n');
        await Promise.all(Array.from({ length: 10 }, () => hammer(limiter, AbortSignal.timeout(durationMs))));
        const codes = await Promise.race([
          Promise.all(hammers.map((h) => h.exited)),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('children did not exit')), 30_000).unref()),
        ]);
        expect(codes).toEqual([0, 0]);
        const perChild = hammers.map(
          (h) =>
            (
              JSON.parse(
                h
                  .output()
                  .split('\n')
                  .find((l) => l.startsWith('{')) ?? '{}',
              ) as { admits: number[] }
            ).admits,
        );
        const all = [...admits, ...perChild.flat()];
        const report = {
          parent: admits.length,
          children: perChild.map((a) => a.length),
          max1s: maxInAnyWindow(all, 1_000),
          max60s: maxInAnyWindow(all, 60_000),
        };
        console.info(`3 processes, 40/s + 100/min: ${JSON.stringify(report)}`);
        expect(report.max1s).toBeLessThanOrEqual(40);
        expect(report.max60s).toBeLessThanOrEqual(100);
        expect(all).toHaveLength(100);
        for (const count of report.children) expect(count).toBeGreaterThan(0);
      } finally {
        limiter.close();
        for (const h of hammers) if (h.child.exitCode === null) h.child.kill('SIGKILL');
      }
    });
  });
});
