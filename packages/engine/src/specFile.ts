import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { ConfigError, type CrawlSpec, compileUrlTemplate, openKeySource, parseCrawlSpec, scanSpecForSecrets } from '@sluice/core';
import type { Logger } from './engine';

/** A spec read from a file, with the folder its relative paths are resolved against. */
export interface SpecFile {
  spec: CrawlSpec;
  specDir: string;
  /** Secret-looking literals found in the spec (each also passed to the logger's `warn`). */
  warnings: string[];
}

/**
 * Where spec warnings go when the caller passes no logger: stderr, as a CLI user must see a
 * literal secret warning whichever command read the spec.
 */
const stderrWarn: Pick<Logger, 'warn'> = {
  warn: (message) => process.stderr.write(`warn: ${message}\n`),
};

/**
 * Reads and validates a JSON or YAML crawl spec. All problems are reported at once.
 * @throws ConfigError for an unreadable file, bad syntax or an invalid spec.
 */
export async function readSpecFile(path: string, log: Pick<Logger, 'warn'> = stderrWarn): Promise<SpecFile> {
  const full = resolve(path);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read spec ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, undefined, { cause: err });
  }
  let data: unknown;
  try {
    // yaml is loaded only for YAML specs: it costs start-up time every other command need not pay.
    data = ['.yaml', '.yml'].includes(extname(full).toLowerCase()) ? (await import('yaml')).parse(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`spec ${path} is not valid ${extname(full).slice(1).toUpperCase() || 'JSON'}: ${(err as Error).message}`);
  }
  const spec = checkedSpec(data, path);
  // After validation, so a broken spec reports its problems and nothing else.
  const warnings = scanSpecForSecrets(spec).map((w) => `${path}: ${w}`);
  for (const warning of warnings) log.warn(warning);
  const specDir = dirname(full);
  await probeKeySource(spec, specDir);
  return { spec, specDir, warnings };
}

/**
 * Reads the first key, so a missing key file, a missing CSV column, a bad first line or an
 * empty source is reported before anything (the database included) is created. The full
 * count comes later.
 */
async function probeKeySource(spec: CrawlSpec, specDir: string): Promise<void> {
  const source = await openKeySource(spec.keys, specDir);
  const iterator = source.iterate(0)[Symbol.asyncIterator]();
  try {
    if ((await iterator.next()).done) throw new ConfigError('keys: the key source has no keys');
  } finally {
    await iterator.return?.();
  }
}

/** Validates a spec object, including the URL template. */
export function checkedSpec(data: unknown, source: string): CrawlSpec {
  const spec = parseCrawlSpec(data, source);
  compileUrlTemplate(spec.request.url);
  return spec;
}
