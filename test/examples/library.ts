/**
 * Library use of Sluice, typed end to end (referenced from docs/library.md).
 * It lives in `test/` because that package depends on `@sluice/engine`; the presets
 * integration test runs it against the mock API, so this example cannot rot.
 *
 *   import { downloadColours } from './library';
 *   const summary = await downloadColours({ dbPath: 'data/sluice.db', redisUrl: 'redis://127.0.0.1:6379' });
 */
import { defineCrawl, openEngine, PermanentError, type RunSummary, run, silentLogger } from '@sluice/engine';

export interface DownloadOptions {
  /** SQLite file of the ledger. */
  dbPath: string;
  /** Redis URL. */
  redisUrl: string;
  /** Prefix of every Redis key. Default `sluice`. */
  prefix?: string;
  /** Where the colour API lives. Default the real one. */
  baseUrl?: string;
  /** Colours to fetch. Default the six primaries and secondaries. */
  keys?: string[];
  /** Stops the run gracefully (committed keys stay). */
  signal?: AbortSignal;
}

interface ColourBody {
  rgb?: { r?: number; g?: number; b?: number };
}

/** A rule the spec cannot express: keep only colours with some red in them. */
export function requireRed(body: unknown, key: string): void {
  const red = (body as ColourBody).rgb?.r;
  if (typeof red !== 'number' || red === 0) throw new PermanentError(`colour ${key} has no red (rgb.r = ${String(red)})`);
}

/** Runs a generic-preset crawl with a custom validator; resumes if run again with the same name. */
export async function downloadColours(options: DownloadOptions): Promise<RunSummary> {
  // defineCrawl checks the spec (presets included) and fills in every default, or throws a
  // ConfigError naming each bad field.
  const spec = defineCrawl({
    name: 'library-colours',
    preset: 'generic',
    keys: { list: options.keys ?? ['FF0000', '00FF00', '0000FF', 'FFFF00', '00FFFF', 'FF00FF'] },
    // defineCrawl's type asks for `url` even with a preset (`baseUrl` + `params` work in JSON specs).
    request: { url: `${options.baseUrl ?? 'https://www.thecolorapi.com/id'}?hex={key}` },
    limits: { concurrency: 5, perSecond: 10 },
    validate: { requiredFields: ['hex.value', 'rgb.r'], keyField: 'hex.clean' },
  });
  const engine = await openEngine({
    dbPath: options.dbPath,
    redisUrl: options.redisUrl,
    prefix: options.prefix ?? 'sluice',
    env: process.env,
    log: silentLogger,
  });
  try {
    // specDir resolves relative key files; this spec has none.
    return await run(engine, spec, process.cwd(), { validate: requireRed, signal: options.signal });
  } finally {
    await engine.close();
  }
}
