import { resolve } from 'node:path';
import { assertSpecEnv, describeLedger, readSpecFile, run } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { ensureRedis } from '../managedRedis';
import { DEFAULT_LOG_INTERVAL_MS } from '../progressLog';
import { outageLogEveryMs, printWorkSummary, progressReporter, workExitCode } from './workOutput';

export interface RunOptions {
  /** Live progress line on a TTY. Default true (`--no-progress` turns it off). */
  progress: boolean;
  /** Requests in flight in this process; overrides the spec. */
  concurrency?: number;
  json: boolean;
  /** How long failed ledger writes are retried before exiting 4. Default: the engine's (60 s). */
  ledgerRetryMs?: number;
  /** Give up (exit 5) after the endpoint stayed unreachable this long. Default: the engine's. */
  maxOutageMs?: number;
  /** Off a TTY, a progress log line this often; 0 turns them off. Default 10000. */
  logIntervalMs?: number;
}

/** `sluice run <spec>`: create or find the crawl, then enqueue and work until it is complete. */
export async function runCommand(specPath: string, options: RunOptions, ctx: CommandContext): Promise<number> {
  const { spec, specDir } = await readSpecFile(resolve(ctx.cwd, specPath), ctx.log);
  // Before the ledger is opened (or created): a refused run writes nothing.
  assertSpecEnv(spec, ctx.env);
  await ensureRedis(ctx);
  return withEngine(ctx, async (engine) => {
    const logIntervalMs = options.logIntervalMs ?? DEFAULT_LOG_INTERVAL_MS;
    const progress = progressReporter(ctx, { bar: options.progress && !options.json, logIntervalMs });
    let summary: Awaited<ReturnType<typeof run>>;
    try {
      summary = await run(engine, spec, specDir, {
        signal: ctx.signal,
        onProgress: progress.onProgress,
        concurrency: options.concurrency,
        ledgerRetryMs: options.ledgerRetryMs,
        maxOutageMs: options.maxOutageMs,
        outageLogEveryMs: outageLogEveryMs(logIntervalMs),
      });
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
