import type { ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
// The root manifest links only @sluice/mock-api, so workspace packages are imported through
// their folder: the package's own entry point (package.json `main`), never its `src/` files.
import { collect, spawnCli } from '@sluice/testkit';

/** How a process ended. `signal` is set when it was killed (SIGKILL from us, normally). */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  at: number;
}

/** One `sluice` process of the run. */
export interface Proc {
  readonly label: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly startedAt: number;
  /** Resolves when the process has exited and its output is closed. */
  readonly exited: Promise<Exit>;
  /** Set once it exited. */
  exit: Exit | null;
  /** True once we sent it SIGKILL: its death is planned. */
  killedByUs: boolean;
}

/**
 * Starts `sluice <args>` through the real CLI entry point; its output goes, when it ends, to
 * `<logDir>/<label>.log` so a failed run can be read afterwards.
 */
export function startSluice(label: string, args: string[], logDir: string): Proc {
  const child = spawnCli(args);
  if (child.pid === undefined) throw new Error(`${label}: could not start sluice ${args.join(' ')}`);
  const startedAt = Date.now();
  const proc: Proc = {
    label,
    pid: child.pid,
    child,
    startedAt,
    exit: null,
    killedByUs: false,
    exited: collect(child).then((r) => {
      const exit: Exit = { code: r.code, signal: child.signalCode, stdout: r.stdout, at: Date.now() };
      proc.exit = exit;
      const header = `=== ${label} pid ${child.pid} started ${new Date(startedAt).toISOString()} ended ${new Date(exit.at).toISOString()} code ${exit.code} signal ${exit.signal}\n`;
      appendFileSync(join(logDir, `${label}.log`), `${header}--- stdout\n${r.stdout}--- stderr\n${r.stderr}\n`);
      return exit;
    }),
  };
  return proc;
}

/** SIGKILL by pid (never by name); resolves once the process is gone. Returns the kill time. */
export async function killByPid(proc: Proc): Promise<number> {
  proc.killedByUs = true;
  const at = Date.now();
  if (proc.exit === null) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // Already gone between the check and the kill: nothing to do.
    }
  }
  await proc.exited;
  return at;
}

/** True when a worker ended by itself because the crawl is complete (exit 0, `complete: true`). */
export function finishedCrawl(exit: Exit): boolean {
  if (exit.code !== 0) return false;
  try {
    const summary = JSON.parse(exit.stdout.trim().split('\n').pop() ?? '') as { complete?: boolean };
    return summary.complete === true;
  } catch {
    return false;
  }
}
