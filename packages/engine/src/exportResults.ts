import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Engine } from './engine';
import { csvHeader, csvLine, jsonlLine } from './exportFormats';
import { loadCrawl } from './loadCrawl';

export interface ExportOptions {
  /** `jsonl` (default) or `csv`. */
  format?: 'jsonl' | 'csv';
  /** CSV only: dotted body fields to flatten into columns (e.g. `hex.value`). Default: the whole body in one column. */
  fields?: string[];
  /** Called every 10,000 rows with the count so far. */
  onProgress?: (rows: number, total: number) => void;
}

/**
 * Streams a crawl's results in position order to `out`, honouring backpressure, so memory
 * stays constant whatever the number of rows. Returns the number of rows written.
 */
export async function exportResults(engine: Engine, ref: string | number, out: Writable, options: ExportOptions = {}): Promise<number> {
  const crawl = loadCrawl(engine.store, ref);
  const format = options.format ?? 'jsonl';
  const fields = options.fields ?? [];
  const total = engine.store.ledger.progress(crawl.row.id).done;
  let rows = 0;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  if (format === 'csv') await write(csvHeader(fields));
  for (const row of engine.store.ledger.iterateResults(crawl.row.id)) {
    await write(format === 'csv' ? csvLine(row, fields) : jsonlLine(row));
    rows++;
    if (rows % 10_000 === 0) options.onProgress?.(rows, total);
  }
  options.onProgress?.(rows, total);
  return rows;
}
