import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { ConfigError, type CrawlSpec, compileUrlTemplate, parseCrawlSpec } from '@sluice/core';

/** A spec read from a file, with the folder its relative paths are resolved against. */
export interface SpecFile {
  spec: CrawlSpec;
  specDir: string;
}

/**
 * Reads and validates a JSON or YAML crawl spec. All problems are reported at once.
 * @throws ConfigError for an unreadable file, bad syntax or an invalid spec.
 */
export async function readSpecFile(path: string): Promise<SpecFile> {
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
  return { spec: checkedSpec(data, path), specDir: dirname(full) };
}

/** Validates a spec object, including the URL template. */
export function checkedSpec(data: unknown, source: string): CrawlSpec {
  const spec = parseCrawlSpec(data, source);
  compileUrlTemplate(spec.request.url);
  return spec;
}
