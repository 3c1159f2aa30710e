import type { CrawlSpec, CrawlSpecInput } from '@sluice/core';
import { checkedSpec } from './specFile';

/**
 * Library use: validates a crawl spec written in TypeScript (typed as the spec file's JSON,
 * presets included) and returns it with every default filled in.
 * @throws ConfigError listing every problem with its field path.
 */
export function defineCrawl(spec: CrawlSpecInput & { preset?: string }): CrawlSpec {
  return checkedSpec(spec, `crawl ${spec.name ?? ''}`.trim());
}
