import { ConfigError, type CrawlSpec, compileUrlTemplate, missingEnv, openKeySource } from '@sluice/core';
import type { Engine } from './engine';
import { type LoadedCrawl, toLoadedCrawl } from './loadCrawl';

export interface CreateResult {
  crawl: LoadedCrawl;
  /** False when a crawl with this name already existed and was reused. */
  created: boolean;
}

/**
 * Creates a crawl, or returns the existing crawl of the same name. Re-using a name with other
 * keys is refused (positions would no longer mean the same keys); other fields (limits,
 * retry, request) may change between runs and the stored spec is updated.
 * Counting the keys streams the key source once; nothing is written unless it is valid.
 * @throws ConfigError for an empty or unreadable key source, or a name clash.
 */
export async function createCrawl(engine: Engine, spec: CrawlSpec, specDir: string): Promise<CreateResult> {
  const { store, log } = { store: engine.store, log: engine.config.log };
  const template = compileUrlTemplate(spec.request.url);
  const missing = missingEnv(template, engine.config.env);
  if (missing.length > 0) log.warn(`environment variable(s) ${missing.join(', ')} not set here; workers will need them`);

  const existing = await store.crawls.find(spec.name);
  if (existing && existing.name === spec.name) {
    const stored = toLoadedCrawl(existing);
    if (JSON.stringify(stored.spec.keys) !== JSON.stringify(spec.keys) || (existing.specDir !== specDir && 'file' in spec.keys)) {
      throw new ConfigError(`crawl "${spec.name}" already exists (id ${existing.id}) with other keys; pick another name`);
    }
    if (stored.spec.queue.batchSize !== spec.queue.batchSize) {
      throw new ConfigError(`queue.batchSize cannot change for an existing crawl (stored: ${stored.spec.queue.batchSize})`);
    }
    const specJson = JSON.stringify(spec);
    if (specJson !== existing.spec) await store.crawls.updateSpec(existing.id, specJson);
    return { crawl: toLoadedCrawl({ ...existing, spec: specJson }), created: false };
  }

  const source = await openKeySource(spec.keys, specDir);
  const total = await source.count();
  if (total === 0) throw new ConfigError('keys: the key source has no keys');
  const id = await store.crawls.insert({ name: spec.name, spec: JSON.stringify(spec), specDir, total });
  const row = await store.crawls.find(id);
  if (!row) throw new Error(`crawl ${id} vanished after insert`);
  return { crawl: toLoadedCrawl(row), created: true };
}
