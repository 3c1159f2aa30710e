import { work } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { ensureRedis } from '../managedRedis';
import { printWorkSummary, progressReporter, workExitCode } from './workOutput';

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
}

/** `sluice work <crawl>`: one worker process; several may run at once. */
export async function workCommand(ref: string, options: WorkCommandOptions, ctx: CommandContext): Promise<number> {
  await ensureRedis(ctx);
  return withEngine(ctx, async (engine) => {
    const progress = progressReporter(ctx, options.progress && !options.json);
    try {
      const summary = await work(engine, ref, {
        signal: ctx.signal,
        onProgress: progress.onProgress,
        concurrency: options.concurrency,
        produce: options.produce,
        ledgerRetryMs: options.ledgerRetryMs,
        maxOutageMs: options.maxOutageMs,
      });
      progress.stop();
      printWorkSummary(ctx, summary, options.json);
      return workExitCode(summary);
    } finally {
      progress.stop();
    }
  });
}
