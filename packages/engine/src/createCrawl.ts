import { ConfigError, type CrawlSpec, compileUrlTemplate, missingEnv, openKeySource } from '@sluice/core';
import type { Engine } from './engine';
import { checkKeyFile, copyKeyFile } from './keyFile';
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
 * Counting the keys streams the key source once; nothing is written unless it is valid. Keys
 * of a key file are then copied into the ledger (see `keyFile.ts`), so workers anywhere need
 * no file.
 * @throws ConfigError for an empty or unreadable key source, a name clash, a changed
 *   `storage.compress`, or `storage.compress` on a PostgreSQL ledger.
 */
export async function createCrawl(engine: Engine, spec: CrawlSpec, specDir: string): Promise<CreateResult> {
  const { store, log } = { store: engine.store, log: engine.config.log };
  const template = compileUrlTemplate(spec.request.url);
  const credentialEnv = (spec.credentials?.env ?? []).filter((name) => !engine.config.env[name]);
  const missing = [...missingEnv(template, engine.config.env), ...credentialEnv];
  if (missing.length > 0) log.warn(`environment variable(s) ${missing.join(', ')} not set here; workers will need them`);

  if (spec.storage.compress && store.kind === 'postgres') {
    throw new ConfigError(
      'storage.compress: not supported on a PostgreSQL ledger (it stores bodies plain); remove it or use a SQLite ledger',
    );
  }
  const existing = await store.crawls.find(spec.name);
  if (existing && existing.name === spec.name) {
    const stored = toLoadedCrawl(existing);
    const otherKeys = new ConfigError(`crawl "${spec.name}" already exists (id ${existing.id}) with other keys; pick another name`);
    if (JSON.stringify(stored.spec.keys) !== JSON.stringify(spec.keys)) throw otherKeys;
    // A key file is recognised by its hash, not its folder: another host or folder may name it.
    if ((await checkKeyFile(store, existing, spec, specDir)) === 'not-copied') {
      if (existing.specDir !== specDir) throw otherKeys;
      await copyKeyFile(store, existing.id, spec, specDir);
    }
    if (stored.spec.queue.batchSize !== spec.queue.batchSize) {
      throw new ConfigError(`queue.batchSize cannot change for an existing crawl (stored: ${stored.spec.queue.batchSize})`);
    }
    const compressing = await store.crawls.compressesBodies(existing.id);
    if (compressing !== spec.storage.compress) {
      throw new ConfigError(`storage.compress cannot change for an existing crawl (stored: ${compressing})`);
    }
    const specJson = JSON.stringify(spec);
    if (specJson !== existing.spec) await store.crawls.updateSpec(existing.id, specJson);
    return { crawl: toLoadedCrawl({ ...existing, spec: specJson }), created: false };
  }

  const source = await openKeySource(spec.keys, specDir);
  const total = await source.count();
  if (total === 0) throw new ConfigError('keys: the key source has no keys');
  const id = await store.crawls.insert({
    name: spec.name,
    spec: JSON.stringify(spec),
    specDir,
    total,
    compressBodies: spec.storage.compress,
  });
  await copyKeyFile(store, id, spec, specDir);
  const row = await store.crawls.find(id);
  if (!row) throw new Error(`crawl ${id} vanished after insert`);
  return { crawl: toLoadedCrawl(row), created: true };
}
