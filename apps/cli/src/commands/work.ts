import { work } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { ensureRedis } from '../managedRedis';
import { DEFAULT_LOG_INTERVAL_MS } from '../progressLog';
import { outageLogEveryMs, printWorkSummary, progressReporter, workExitCode } from './workOutput';

export interface WorkCommandOptions {
  progress: boolean;
  /** Compete for the producer lease. Default true (`--no-produce` turns it off). */
  produce: boolean;
  concurrency?: number;
  json: boolean;
  /** How long failed ledger writes are retried before exiting 4. Default: the engine's (60 s). */
  ledgerRetryMs?: number;
  /** Give up (exit 5) after the endpoint stayed unreachable this long. Default: the engine's. */
  maxOutageMs?: number;
  /** Off a TTY, a progress log line this often; 0 turns them off. Default 10000. */
  logIntervalMs?: number;
}

/** `sluice work <crawl>`: one worker process; several may run at once. */
export async function workCommand(ref: string, options: WorkCommandOptions, ctx: CommandContext): Promise<number> {
  await ensureRedis(ctx);
  return withEngine(ctx, async (engine) => {
    const logIntervalMs = options.logIntervalMs ?? DEFAULT_LOG_INTERVAL_MS;
    const progress = progressReporter(ctx, { bar: options.progress && !options.json, logIntervalMs });
    try {
      const summary = await work(engine, ref, {
        signal: ctx.signal,
        onProgress: progress.onProgress,
        concurrency: options.concurrency,
        produce: options.produce,
        ledgerRetryMs: options.ledgerRetryMs,
        maxOutageMs: options.maxOutageMs,
        outageLogEveryMs: outageLogEveryMs(logIntervalMs),
      });
      progress.stop();
      printWorkSummary(ctx, summary, options.json);
      return workExitCode(summary);
    } finally {
      progress.stop();
    }
  });
}
