import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { FailureRow } from '@sluice/store';
import type { Engine } from './engine';
import { type CsvOptions, csvCell } from './exportFormats';
import { loadCrawl } from './loadCrawl';

export interface ExportFailuresOptions extends CsvOptions {
  /** `jsonl` (default) or `csv`. */
  format?: 'jsonl' | 'csv';
}

/** Columns of a failed-key export, in order; JSONL lines hold the same fields. */
export const FAILURE_COLUMNS = ['key', 'position', 'errorClass', 'reason', 'status', 'attempts', 'failedAt'] as const;

/** A failure as exported: `failedAt` in ISO 8601 (as in `sluice failed --json`). */
export function failureRecord(f: FailureRow): Record<(typeof FAILURE_COLUMNS)[number], unknown> {
  return { ...f, failedAt: new Date(f.failedAt).toISOString() };
}

/**
 * Streams a crawl's failed keys (with their last error) in position order to `out`, as JSON
 * lines or CSV, honouring backpressure: a crawl where every key failed exports in constant
 * memory. The file feeds another tool, or a new key list (`cut -d, -f1`). Returns the count.
 */
export async function exportFailures(
  engine: Engine,
  ref: string | number,
  out: Writable,
  options: ExportFailuresOptions = {},
): Promise<number> {
  const crawl = await loadCrawl(engine.store, ref);
  const csv = options.format === 'csv';
  let rows = 0;
  let chunk = csv ? `${FAILURE_COLUMNS.join(',')}\n` : '';
  for await (const failure of engine.store.ledger.iterateFailures(crawl.row.id)) {
    const record = failureRecord(failure);
    chunk += csv ? `${FAILURE_COLUMNS.map((c) => csvCell(record[c], options)).join(',')}\n` : `${JSON.stringify(record)}\n`;
    rows++;
    if (chunk.length >= 16 * 1024) {
      const text = chunk;
      chunk = '';
      if (!out.write(text)) await once(out, 'drain');
    }
  }
  if (chunk && !out.write(chunk)) await once(out, 'drain');
  return rows;
}
