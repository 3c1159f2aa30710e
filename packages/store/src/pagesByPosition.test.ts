import { RESULTS_PAGE_ROWS } from './contract';
import { pagesByPosition } from './pagesByPosition';

/** A table of `n` rows at positions 0, 2, 4 … read a page at a time, recording each `after` asked. */
function table(n: number) {
  const rows = Array.from({ length: n }, (_, i) => ({ position: i * 2 }));
  const asked: number[] = [];
  const page = (after: number) => {
    asked.push(after);
    return rows.filter((r) => r.position > after).slice(0, RESULTS_PAGE_ROWS);
  };
  return { rows, asked, page };
}

async function readAll(page: (after: number) => Array<{ position: number }>) {
  const seen: number[] = [];
  for await (const rows of pagesByPosition(page)) for (const r of rows) seen.push(r.position);
  return seen;
}

test('pages through every row in position order, each page after the last position of the one before', async () => {
  const t = table(RESULTS_PAGE_ROWS * 2 + 7);
  expect(await readAll(t.page)).toEqual(t.rows.map((r) => r.position));
  expect(t.asked).toEqual([-1, (RESULTS_PAGE_ROWS - 1) * 2, (2 * RESULTS_PAGE_ROWS - 1) * 2]);
});

test('a last page that is exactly full is followed by one empty read, and nothing is yielded for it', async () => {
  const t = table(RESULTS_PAGE_ROWS);
  const pages: number[] = [];
  for await (const rows of pagesByPosition(t.page)) pages.push(rows.length);
  expect(pages).toEqual([RESULTS_PAGE_ROWS]);
  expect(t.asked).toHaveLength(2);
});

test('an empty table is one read and no page', async () => {
  const t = table(0);
  expect(await readAll(t.page)).toEqual([]);
  expect(t.asked).toEqual([-1]);
});
