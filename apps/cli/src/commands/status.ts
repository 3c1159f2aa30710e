import { type CrawlStatus, status } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';

function statusText(s: CrawlStatus): string {
  const q = s.queue ? `${s.queue.waiting} waiting, ${s.queue.active} active, ${s.queue.delayed} delayed (batches)` : 'Redis unreachable';
  return (
    `${s.name} (id ${s.id}): ${s.state}, ${s.percent}%\n` +
    `  done ${s.done} / ${s.total}, failed ${s.failed}, pending ${s.pending}\n` +
    `  enqueued through ${s.enqueuedThrough}; queue: ${q}\n`
  );
}

/**
 * `sluice status [<crawl>] [--json]`. JSON: an object for one crawl, an array for all.
 */
export async function statusCommand(ref: string | undefined, options: { json: boolean }, ctx: CommandContext): Promise<number> {
  return withEngine(ctx, async (engine) => {
    const all = await status(engine, ref);
    if (options.json) ctx.stdout.write(`${JSON.stringify(ref === undefined ? all : all[0], null, 2)}\n`);
    else if (all.length === 0) ctx.stdout.write('no crawls yet: start one with `sluice run <spec>`\n');
    else ctx.stdout.write(all.map(statusText).join(''));
    return 0;
  });
}
