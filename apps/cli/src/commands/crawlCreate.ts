import { resolve } from 'node:path';
import { createCrawl, readSpecFile } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';

/** `sluice crawl create <spec>`: stores the crawl and prints its id (nothing is enqueued). */
export async function crawlCreateCommand(specPath: string, options: { json: boolean }, ctx: CommandContext): Promise<number> {
  const { spec, specDir } = await readSpecFile(resolve(ctx.cwd, specPath), ctx.log);
  return withEngine(ctx, async (engine) => {
    const { crawl, created } = await createCrawl(engine, spec, specDir);
    if (options.json) {
      ctx.stdout.write(`${JSON.stringify({ id: crawl.row.id, name: crawl.row.name, total: crawl.row.total, created })}\n`);
    } else {
      ctx.stdout.write(`${crawl.row.id}\n`);
      ctx.log.info(`${created ? 'created' : 'found existing'} crawl ${crawl.row.name} (id ${crawl.row.id}, ${crawl.row.total} keys)`);
    }
    return 0;
  });
}
