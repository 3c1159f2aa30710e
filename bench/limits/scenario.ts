/**
 * One run of `pnpm bench:limits`: its own redis-server and temp dir, the mock API in this
 * process (recording arrivals), a colour crawl created with the real CLI, and two
 * `sluice work` processes stopped with SIGTERM after a fixed time (or when they finish).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type ApiKeyStats, type MockApi, type OutcomeScripts, type QuotaOptions, startMockApi } from '@sluice/mock-api';
import { collect, runCli, spawnCli, startRedisServer } from '@sluice/testkit';

export const WORKERS = 2;
/** `sluice work`'s exit code when a signal stopped it before the crawl was complete. */
const EXIT_INTERRUPTED = 6;
export const CONCURRENCY = 50;

export interface ScenarioOptions {
  name: string;
  /** `limits` of the spec besides `concurrency` (e.g. `{ perSecond: 200 }`, or `{ perSecond: 'auto' }`). */
  limits: Record<string, unknown>;
  keys: number;
  /** SIGTERM the workers this long after they were started. */
  runMs: number;
  outcomes?: OutcomeScripts;
  /** Called once the workers are spawned, e.g. to schedule a storm; returns a clean-up. */
  during?: (mock: MockApi) => () => void;
  /** A credential pool: variable names (given random values) and each one's limits. Default none. */
  credentials?: { env: string[]; limits: Record<string, number> };
  /** The mock API's quotas per API key. Default none. */
  keyQuotas?: QuotaOptions[];
  /** The mock API's unannounced limit (served calls in any sliding second, a bare 429 for the rest). Default none. */
  unannouncedPerSecond?: number;
}

export interface ScenarioResult {
  /** Arrival times at the mock API, ascending epoch ms (same clock as `clockMs`). */
  arrivals: number[];
  /** Arrival time and key of each request, oldest first. */
  log: Array<{ at: number; key: string }>;
  /** When the workers were told to stop (or had all exited), epoch ms. */
  stoppedAt: number;
  /** True when the workers finished the crawl before the deadline. */
  finished: boolean;
  done: number;
  failed: number;
  /** Non-zero worker exit codes, with their stderr tails. */
  problems: string[];
  /**
   * Longest event-loop stall of this process (where the mock API records arrivals) while the
   * workers ran, in ms: requests reaching the mock during a stall are all recorded when it
   * ends, so windows measured at the mock are only as exact as this.
   */
  mockLoopDelayMaxMs: number;
  /** What the mock saw per pool credential, by variable name (empty without a pool). */
  credentials: Record<string, ApiKeyStats>;
}

/** The mock API's clock: epoch ms with sub-ms resolution, as arrivals are recorded. */
export const clockMs = () => performance.timeOrigin + performance.now();

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), `sluice-bench-limits-${options.name}-`));
  const redis = await startRedisServer(dir);
  const mock = await startMockApi({
    recordArrivals: true,
    outcomes: options.outcomes ?? {},
    keyQuotas: options.keyQuotas ?? [],
    unannouncedPerSecond: options.unannouncedPerSecond ?? 0,
  });
  const names = options.credentials?.env ?? [];
  const env = Object.fromEntries(names.map((n) => [n, `bench-${randomBytes(8).toString('hex')}`]));
  try {
    const specPath = join(dir, 'spec.json');
    writeFileSync(
      specPath,
      JSON.stringify({
        name: options.name,
        keys: { range: { from: 0, to: options.keys - 1, format: 'hex6' } },
        request: { url: `${mock.url}/id?hex={key}${options.credentials ? '&apikey={credential}' : ''}` },
        limits: { concurrency: CONCURRENCY, ...options.limits },
        ...(options.credentials ? { credentials: options.credentials } : {}),
        validate: { keyField: 'hex.clean' },
      }),
    );
    const flags = ['--db', join(dir, 'sluice.db'), '--redis', redis.url, '--prefix', 'benchlimits'];
    const created = await runCli([...flags, 'crawl', 'create', specPath], { env });
    if (created.code !== 0) throw new Error(`crawl create exited ${created.code}: ${created.stderr.trim()}`);

    const workArgs = [...flags, 'work', options.name, '--no-progress', '--json', '-c', String(CONCURRENCY)];
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const children: ChildProcess[] = Array.from({ length: WORKERS }, () => spawnCli(workArgs, { env }));
    const exits = children.map((c) => collect(c));
    const cleanup = options.during?.(mock) ?? (() => {});
    const allExited = Promise.all(exits).then(() => 'finished' as const);
    const deadline = new Promise<'deadline'>((r) => setTimeout(() => r('deadline'), options.runMs).unref());
    const outcome = await Promise.race([allExited, deadline]);
    const stoppedAt = clockMs();
    loopDelay.disable();
    if (outcome === 'deadline') for (const c of children) if (c.pid && c.exitCode === null) process.kill(c.pid, 'SIGTERM');
    const results = await Promise.all(exits);
    cleanup();

    // A worker stopped by the deadline's SIGTERM exits 6 (interrupted): that is how it should end.
    const expected = (code: number | null) => code === 0 || (outcome === 'deadline' && code === EXIT_INTERRUPTED);
    const problems = results.filter((r) => !expected(r.code)).map((r) => `worker exited ${r.code}: ${r.stderr.trim().slice(-300)}`);
    const status = await runCli([...flags, 'status', options.name, '--json'], { env });
    const figures = JSON.parse(status.stdout) as { done: number; failed: number };
    const log = mock.arrivalLog();
    const perKey = mock.apiKeyStats();
    return {
      arrivals: log.map((a) => a.at).sort((a, b) => a - b),
      log,
      stoppedAt,
      finished: outcome === 'finished',
      done: figures.done,
      failed: figures.failed,
      problems,
      mockLoopDelayMaxMs: loopDelay.max / 1e6,
      credentials: Object.fromEntries(
        names.flatMap((n): Array<[string, ApiKeyStats]> => {
          const stats = perKey[env[n] as string];
          return stats ? [[n, stats]] : [];
        }),
      ),
    };
  } finally {
    await mock.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
