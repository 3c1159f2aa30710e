import { ConfigError } from '@sluice/core';
import { deleteCrawl, loadCrawl } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';

export interface CrawlDeleteOptions {
  /** Confirms the deletion; without it nothing is deleted. */
  yes: boolean;
  /** Delete even while workers are online, or Redis does not answer (ledger rows only). */
  force: boolean;
  json: boolean;
}

/**
 * `sluice crawl delete <crawl> --yes [--force]`: removes the crawl's ledger rows and every Redis
 * key of it. Without `--yes` it says what would go and exits 2, deleting nothing.
 */
export async function crawlDeleteCommand(ref: string, options: CrawlDeleteOptions, ctx: CommandContext): Promise<number> {
  return withEngine(ctx, async (engine) => {
    if (!options.yes) {
      const { row } = await loadCrawl(engine.store, ref);
      const p = await engine.store.ledger.progress(row.id);
      throw new ConfigError(
        `crawl delete removes crawl ${row.name} (id ${row.id}) for good: ${p.done} results, ${p.failed} failures and its Redis keys. ` +
          `Add --yes to confirm: sluice crawl delete ${row.name} --yes`,
      );
    }
    const result = await deleteCrawl(engine, ref, { force: options.force });
    if (options.json) ctx.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const keys = result.redis ? `${result.redisKeys} Redis keys` : 'no Redis keys (Redis did not answer)';
      ctx.stdout.write(`deleted crawl ${result.name} (id ${result.id}): its ledger rows and ${keys}\n`);
    }
    return 0;
  });
}
