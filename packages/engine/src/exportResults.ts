import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Engine } from './engine';
import { csvHeader, csvLine, jsonlLine } from './exportFormats';
import { loadCrawl } from './loadCrawl';

export interface ExportOptions {
  /** `jsonl` (default) or `csv`. */
  format?: 'jsonl' | 'csv';
  /**
   * CSV only: dotted body fields to flatten into columns (e.g. `hex.value`). Default: the whole
   * body in one column. A field no exported row has is reported through the logger's `warn`.
   */
  fields?: string[];
  /** CSV only: prefix formula-like text cells with `'` (see `CsvOptions.csvSafe`). Default false. */
  csvSafe?: boolean;
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
  const csv = { csvSafe: options.csvSafe ?? false };
  const found = fields.map(() => false);
  let rows = 0;
  let chunk = format === 'csv' ? csvHeader(fields, csv) : '';
  const flush = async () => {
    const text = chunk;
    chunk = '';
    if (text && !out.write(text)) await once(out, 'drain');
  };
  for await (const row of engine.store.ledger.iterateResults(crawl.row.id)) {
    chunk += format === 'csv' ? csvLine(row, fields, csv, found) : jsonlLine(row);
    rows++;
    if (chunk.length >= CHUNK_CHARS) await flush();
    if (rows % 10_000 === 0) options.onProgress?.(rows, total);
  }
  await flush();
  options.onProgress?.(rows, total);
  const absent = fields.filter((_, i) => !found[i]);
  if (rows > 0 && absent.length > 0) {
    engine.config.log.warn(
      `field${absent.length === 1 ? '' : 's'} ${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} in none of the ${rows} exported rows, ` +
        `so ${absent.length === 1 ? 'its column is' : 'their columns are'} empty; compare with a body: sluice export ${crawl.row.name} | head -1`,
    );
  }
  return rows;
}
