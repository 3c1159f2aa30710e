import { pauseCrawl, resumeCrawl, retryFailed } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';

/** `sluice pause <crawl>`: workers stop starting requests until `resume`. */
export async function pauseCommand(ref: string, ctx: CommandContext): Promise<number> {
  return withEngine(ctx, async (engine) => {
    const { name } = await pauseCrawl(engine, ref);
    ctx.stdout.write(`${name}: paused; in-flight requests finish, no new ones start. Continue with: sluice resume ${name}\n`);
    return 0;
  });
}

/** `sluice resume <crawl>`: un-pause and re-enqueue whatever the ledger lacks. */
export async function resumeCommand(ref: string, options: { json: boolean }, ctx: CommandContext): Promise<number> {
  return withEngine(ctx, async (engine) => {
    const result = await resumeCrawl(engine, ref);
    if (options.json) ctx.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      ctx.stdout.write(
        `${result.name}: resumed; ${result.missing} keys missing from the ledger will be re-enqueued by the workers ` +
          `(start one with: sluice work ${result.name}).\n`,
      );
      if (!result.redis) ctx.log.warn('Redis does not answer; the queue is reconciled when workers reconnect');
    }
    return 0;
  });
}

/** `sluice retry-failed <crawl>`: make failed keys pending again. */
export async function retryFailedCommand(ref: string, options: { json: boolean }, ctx: CommandContext): Promise<number> {
  return withEngine(ctx, async (engine) => {
    const result = await retryFailed(engine, ref);
    if (options.json) ctx.stdout.write(`${JSON.stringify(result)}\n`);
    else
      ctx.stdout.write(
        `${result.name}: ${result.retried} failed keys are pending again; workers fetch them (sluice work ${result.name}).\n`,
      );
    return 0;
  });
}
