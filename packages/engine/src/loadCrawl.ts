import { ConfigError, type CrawlSpec, compileUrlTemplate, parseCrawlSpec, type UrlTemplate } from '@sluice/core';
import type { CrawlRow, Store } from '@sluice/store';
import { closestNames } from './closestNames';

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

/** Crawls named in a "did you mean" hint; the rest are counted. */
const HINTS_SHOWN = 5;

/**
 * Finds a crawl by id or name.
 * @throws ConfigError when there is no such crawl, naming the crawls that do exist (closest first).
 */
export async function loadCrawl(store: Store, ref: string | number): Promise<LoadedCrawl> {
  const row = await store.crawls.find(ref);
  if (!row) throw new ConfigError(`no crawl "${ref}" in ${store.path}${await crawlHint(store, String(ref))}`);
  return toLoadedCrawl(row);
}

/** `; did you mean colours (id 1), stocks (id 2)?`, or that the ledger has none. */
async function crawlHint(store: Store, ref: string): Promise<string> {
  const crawls = await store.crawls.list();
  if (crawls.length === 0) return '; it has no crawls yet';
  const ids = new Map(crawls.map((c) => [c.name, c.id]));
  const names = closestNames(ref, [...ids.keys()]);
  const shown = names.slice(0, HINTS_SHOWN).map((name) => `${name} (id ${ids.get(name)})`);
  const more = names.length > HINTS_SHOWN ? ` and ${names.length - HINTS_SHOWN} more (sluice crawl list)` : '';
  return `; did you mean ${shown.join(', ')}${more}?`;
}
