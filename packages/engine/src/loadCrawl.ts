import { ConfigError, type CrawlSpec, compileUrlTemplate, parseCrawlSpec, type UrlTemplate } from '@sluice/core';
import type { CrawlRow, Store } from '@sluice/store';

/** A stored crawl with its spec parsed and its template compiled. */
export interface LoadedCrawl {
  row: CrawlRow;
  spec: CrawlSpec;
  template: UrlTemplate;
  /** Keys per batch (job). */
  batchSize: number;
  /** Number of batches covering positions 0..total-1. */
  totalBatches: number;
}

export function toLoadedCrawl(row: CrawlRow): LoadedCrawl {
  const spec = parseCrawlSpec(JSON.parse(row.spec), `crawl ${row.name}`);
  const batchSize = spec.queue.batchSize;
  return {
    row,
    spec,
    template: compileUrlTemplate(spec.request.url),
    batchSize,
    totalBatches: Math.ceil(row.total / batchSize),
  };
}

/**
 * Finds a crawl by id or name.
 * @throws ConfigError when there is no such crawl.
 */
export async function loadCrawl(store: Store, ref: string | number): Promise<LoadedCrawl> {
  const row = await store.crawls.find(ref);
  if (!row) throw new ConfigError(`no crawl "${ref}" in ${store.path}`);
  return toLoadedCrawl(row);
}
