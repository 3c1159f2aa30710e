import { resolve } from 'node:path';
import { assertSpecEnv, describeLedger, readSpecFile, run } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { ensureRedis } from '../managedRedis';
import { printWorkSummary, progressReporter, workExitCode } from './workOutput';

export interface RunOptions {
  /** Live progress line on a TTY. Default true (`--no-progress` turns it off). */
  progress: boolean;
  /** Requests in flight in this process; overrides the spec. */
  concurrency?: number;
  json: boolean;
}

/** `sluice run <spec>`: create or find the crawl, then enqueue and work until it is complete. */
export async function runCommand(specPath: string, options: RunOptions, ctx: CommandContext): Promise<number> {
  const { spec, specDir } = await readSpecFile(resolve(ctx.cwd, specPath), ctx.log);
  // Before the ledger is opened (or created): a refused run writes nothing.
  assertSpecEnv(spec, ctx.env);
  await ensureRedis(ctx);
  return withEngine(ctx, async (engine) => {
    const progress = progressReporter(ctx, options.progress && !options.json);
    let summary: Awaited<ReturnType<typeof run>>;
    try {
      summary = await run(engine, spec, specDir, { signal: ctx.signal, onProgress: progress.onProgress, concurrency: options.concurrency });
    } finally {
      progress.stop();
    }
    if (summary.alreadyComplete && !options.json) {
      ctx.stdout.write(
        `${summary.crawl}: already complete (${summary.done} done, ${summary.failed} failed of ${summary.total}); nothing to do.\n  database ${describeLedger(ctx.options.db)}\n`,
      );
    } else printWorkSummary(ctx, summary, options.json);
    return workExitCode(summary);
  });
}
