import type { CrawlSpec, CrawlSpecInput } from '@sluice/core';
import { checkedSpec } from './specFile';

/**
 * A spec as written: with a preset, `keys` may be left out and `request` may give `baseUrl` and
 * `params` instead of `url`.
 */
export type CrawlSpecDraft = Omit<CrawlSpecInput, 'keys' | 'request'> & {
  preset?: 'alphavantage' | 'colors' | 'generic';
  keys?: CrawlSpecInput['keys'];
  request?: Partial<CrawlSpecInput['request']>;
};

/**
 * Library use: validates a crawl spec written in TypeScript (typed as the spec file's JSON,
 * presets included) and returns it with every default filled in.
 * @throws ConfigError listing every problem with its field path.
 */
export function defineCrawl(spec: CrawlSpecDraft): CrawlSpec {
  return checkedSpec(spec, `crawl ${spec.name ?? ''}`.trim());
}
