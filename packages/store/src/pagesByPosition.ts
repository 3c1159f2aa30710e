import { RESULTS_PAGE_ROWS } from './contract';

/**
 * Reads a crawl's rows in position order, one page of `RESULTS_PAGE_ROWS` at a time, each page
 * starting after the last position of the one before (keyset pagination: every page is an
 * index range scan, however deep into the crawl). `page(after)` returns the rows with a
 * position above `after`, in order, at most a page of them.
 */
export async function* pagesByPosition<T extends { position: number }>(page: (after: number) => T[] | Promise<T[]>): AsyncGenerator<T[]> {
  for (let after = -1; ; ) {
    const rows = await page(after);
    if (rows.length > 0) yield rows;
    const last = rows[rows.length - 1];
    if (rows.length < RESULTS_PAGE_ROWS || last === undefined) return;
    after = last.position;
  }
}
