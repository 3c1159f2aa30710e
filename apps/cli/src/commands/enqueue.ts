import { enqueue } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { ensureRedis } from '../managedRedis';

/** `sluice enqueue <crawl>`: be the crawl's producer until every key is enqueued. */
export async function enqueueCommand(ref: string, ctx: CommandContext): Promise<number> {
  await ensureRedis(ctx);
  return withEngine(ctx, async (engine) => {
    const { enqueuedThrough } = await enqueue(engine, ref, ctx.signal);
    ctx.log.info(`enqueued through key ${enqueuedThrough}${ctx.signal.aborted ? ' (interrupted; run again to continue)' : ''}`);
    return 0;
  });
}
