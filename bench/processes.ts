import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'undici';

export const ROOT = resolve(__dirname, '..');
const TSX_LOADER = ['--import', 'tsx'];
/** Preloaded into every timed process: its exact CPU at exit and when its first API request started (cpuProbe.cjs). */
const CPU_PROBE = ['--require', join(ROOT, 'bench/cpuProbe.cjs')];

/** Peak resident set size of a live process, in bytes (VmHWM), or 0 once it is gone. */
export function peakRssBytes(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a live process has used so far, in ms, or 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** Linux's USER_HZ, 100 on every common configuration. */
const CLOCK_TICKS_PER_S = 100;

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  peakRssBytes: number;
  /** CPU time (user + system) of the process, as it reported at exit (sampled every 100 ms if it could not). */
  cpuMs: number;
  /**
   * CPU time the process had used when it created its first request to `apiOrigin` (its
   * start-up), or null when not asked for or no such request was made.
   */
  startupCpuMs: number | null;
}

export interface RunOptions {
  /** Called every 100 ms while the process runs. */
  onTick?: () => void;
  /** The API's origin (`http://127.0.0.1:port`): the first request to it ends the start-up. */
  apiOrigin?: string;
}

/**
 * Runs a TypeScript entry point in one node process (tsx as a loader, so the measured pid is
 * the process doing the work) and samples its peak RSS until it exits.
 */
export function runTs(script: string, args: string[], options: RunOptions = {}): Promise<Finished> {
  return runWith([...TSX_LOADER, join(ROOT, script), ...args], options);
}

/** Runs a plain JavaScript entry point (e.g. the `sluice` bin) the same way. */
export function runNode(script: string, args: string[], options: RunOptions = {}): Promise<Finished> {
  return runWith([join(ROOT, script), ...args], options);
}

function runWith(nodeArgs: string[], { onTick, apiOrigin }: RunOptions): Promise<Finished> {
  const probeDir = mkdtempSync(join(tmpdir(), 'sluice-bench-cpu-'));
  const probeFile = join(probeDir, 'cpu.json');
  const env = { ...process.env, BENCH_CPU_OUT: probeFile, ...(apiOrigin ? { BENCH_API_ORIGIN: apiOrigin } : {}) };
  const started = performance.now();
  const child = spawn(process.execPath, [...CPU_PROBE, ...nodeArgs], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  let cpu = 0;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const sampler = setInterval(() => {
    if (child.pid) {
      peak = Math.max(peak, peakRssBytes(child.pid));
      cpu = Math.max(cpu, cpuMs(child.pid));
    }
    onTick?.();
  }, 100);
  return new Promise((resolveDone) => {
    child.on('exit', (code) => {
      clearInterval(sampler);
      const wallMs = performance.now() - started;
      child.on('close', () => {
        const probe = readProbe(probeFile);
        rmSync(probeDir, { recursive: true, force: true });
        resolveDone({
          code,
          stdout,
          stderr,
          wallMs,
          peakRssBytes: peak,
          cpuMs: probe?.cpuMs ?? cpu,
          startupCpuMs: probe?.firstRequestCpuMs ?? null,
        });
      });
    });
  });
}

function readProbe(file: string): { cpuMs: number; firstRequestCpuMs: number | null } | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { cpuMs: number; firstRequestCpuMs: number | null };
  } catch {
    // A process killed before its exit handlers ran: the sampled figure stands.
    return null;
  }
}

/** Starts the mock API as its own process and resolves with its URL. */
export async function startMockProcess(latencyMs: number): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [...TSX_LOADER, join(ROOT, 'apps/mock-api/src/main.ts'), '--port', '0', '--latency-ms', String(latencyMs), '--no-track-keys'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match?.[1]) resolveUrl(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`mock API exited with ${code}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Sends `requests` colour requests to a fresh mock API before anything is timed, so the side
 * measured first does not also pay for the mock's JIT warm-up.
 */
export async function warmUpMock(apiUrl: string, requests = 20_000, concurrency = 100): Promise<void> {
  const dispatcher = new Agent({ connections: concurrency });
  let next = 0;
  const lane = async () => {
    while (next < requests) {
      const key = (next++).toString(16).toUpperCase().padStart(6, '0');
      const res = await request(`${apiUrl}/id?hex=${key}`, { dispatcher });
      await res.body.dump();
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    await dispatcher.close();
  }
}
