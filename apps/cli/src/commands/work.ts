import { work } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { ensureRedis } from '../managedRedis';
import { printWorkSummary, progressReporter, workExitCode } from './workOutput';

export interface WorkCommandOptions {
  progress: boolean;
  concurrency?: number;
  json: boolean;
}

/** `sluice work <crawl>`: one worker process; several may run at once. */
export async function workCommand(ref: string, options: WorkCommandOptions, ctx: CommandContext): Promise<number> {
  await ensureRedis(ctx);
  return withEngine(ctx, async (engine) => {
    const progress = progressReporter(ctx, options.progress && !options.json);
    try {
      const summary = await work(engine, ref, { signal: ctx.signal, onProgress: progress.onProgress, concurrency: options.concurrency });
      progress.stop();
      printWorkSummary(ctx, summary, options.json);
      return workExitCode(summary);
    } finally {
      progress.stop();
    }
  });
}
