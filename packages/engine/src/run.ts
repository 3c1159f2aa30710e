import type { CrawlSpec } from '@sluice/core';
import { assertRedis } from '@sluice/queue';
import { createCrawl } from './createCrawl';
import type { Engine } from './engine';
import { assertSpecEnv } from './specEnv';
import { type WorkSummary, work } from './work';
import type { WorkOptions } from './workOptions';

export interface RunSummary extends WorkSummary {
  crawlId: number;
  /** True when the crawl was already complete before this run: nothing was fetched. */
  alreadyComplete: boolean;
  /** True when this run created the crawl. */
  created: boolean;
}

/**
 * `sluice run`: create the crawl (or find the one with the same name), then enqueue and work
 * until every key is in the ledger. A complete crawl is left alone; an unfinished one continues.
 * @throws ConfigError, before anything is written, when an `{env.NAME}` of the spec is unset;
 *   InfrastructureError, before anything is written too, when Redis does not answer.
 */
export async function run(engine: Engine, spec: CrawlSpec, specDir: string, options: WorkOptions = {}): Promise<RunSummary> {
  // Every check a worker would make before fetching comes before the first write: a refused
  // run leaves no crawl behind.
  assertSpecEnv(spec, engine.config.env);
  await assertRedis(engine.config.redisUrl);
  const { crawl, created } = await createCrawl(engine, spec, specDir);
  const id = crawl.row.id;
  const p = await engine.store.ledger.progress(id);
  if (p.done + p.failed >= crawl.row.total) {
    return {
      crawlId: id,
      crawl: crawl.row.name,
      total: crawl.row.total,
      done: p.done,
      failed: p.failed,
      finishedHere: 0,
      durationMs: 0,
      complete: true,
      alreadyComplete: true,
      created,
    };
  }
  const summary = await work(engine, id, options);
  return { ...summary, crawlId: id, alreadyComplete: false, created };
}
