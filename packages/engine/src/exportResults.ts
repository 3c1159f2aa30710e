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
  /** Called every 10,000 rows with the count so far, and once at the end. */
  onProgress?: (rows: number, total: number) => void;
}

/** Rows are handed to the stream in chunks of about this many characters: one write per row costs more than the row. */
const CHUNK_CHARS = 16 * 1024;

/**
 * Streams a crawl's results in position order to `out`, honouring backpressure, so memory
 * stays constant whatever the number of rows (rows come from the ledger page by page; at most one
 * chunk plus the stream's buffer is held). Returns the number of rows written.
 */
export async function exportResults(engine: Engine, ref: string | number, out: Writable, options: ExportOptions = {}): Promise<number> {
  const crawl = await loadCrawl(engine.store, ref);
  const format = options.format ?? 'jsonl';
  const fields = options.fields ?? [];
  const total = (await engine.store.ledger.progress(crawl.row.id)).done;
  let rows = 0;
  let chunk = format === 'csv' ? csvHeader(fields) : '';
  const flush = async () => {
    const text = chunk;
    chunk = '';
    if (text && !out.write(text)) await once(out, 'drain');
  };
  for await (const row of engine.store.ledger.iterateResults(crawl.row.id)) {
    chunk += format === 'csv' ? csvLine(row, fields) : jsonlLine(row);
    rows++;
    if (chunk.length >= CHUNK_CHARS) await flush();
    if (rows % 10_000 === 0) options.onProgress?.(rows, total);
  }
  await flush();
  options.onProgress?.(rows, total);
  return rows;
}
