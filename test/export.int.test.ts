import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LedgerEntry } from '@sluice/core';
import { checkedSpec, createCrawl, type Engine } from '@sluice/engine';
import { collect, runCli, spawnCli, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { parse } from 'csv-parse';
import { cliFlags, testEngine } from './helpers';

/**
 * `sluice export` streams: its peak RSS stays flat whatever the number of rows. The ledger is
 * filled directly through the store (no HTTP) so a million rows take seconds, then the real CLI
 * exports them as a subprocess whose VmHWM is sampled from /proc.
 */

const BIG = 1_000_000;
const SMALL = 100_000;
const BATCH = 10_000;
const MB = 1024 * 1024;
const FIELDS = 'hex.value,name.value,rgb.r';

const hex = (n: number) => n.toString(16).toUpperCase().padStart(6, '0');
/** Every 1,000th row has a name that needs CSV quoting: a comma, quotes and a newline. */
const nameOf = (position: number) => (position % 1_000 === 7 ? `Name ${hex(position)}, "quoted"\nsecond line` : `Name ${hex(position)}`);
const redOf = (position: number) => position % 256;

function bodyOf(position: number): string {
  const key = hex(position);
  return JSON.stringify({
    hex: { value: `#${key}`, clean: key },
    name: { value: nameOf(position) },
    rgb: { r: redOf(position), g: (position >> 8) % 256, b: 0 },
  });
}

/** Creates a crawl of `count` colour keys and writes a result for each, 10k per transaction. */
async function seed(engine: Engine, name: string, count: number, dir: string): Promise<void> {
  const spec = checkedSpec(
    {
      name,
      keys: { range: { from: 0, to: count - 1, format: 'hex6' } },
      request: { url: 'http://127.0.0.1:9/id?hex={key}' },
      validate: { keyField: 'hex.clean' },
    },
    name,
  );
  const { crawl } = await createCrawl(engine, spec, dir);
  const fetchedAt = Date.now();
  for (let from = 0; from < count; from += BATCH) {
    const entries: LedgerEntry[] = [];
    for (let position = from; position < Math.min(from + BATCH, count); position++) {
      entries.push({
        kind: 'result',
        record: {
          crawlId: crawl.row.id,
          position,
          key: hex(position),
          status: 200,
          body: bodyOf(position),
          attempts: 1,
          fetchedAt,
          durationMs: 1,
        },
      });
    }
    await engine.store.writeEntries(entries);
  }
  expect(await engine.store.ledger.progress(crawl.row.id)).toEqual({ done: count, failed: 0 });
}

/** Reads VmHWM (peak resident set) of a live process, in bytes; null once it has exited. */
function peakRss(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Runs the CLI and returns its result with the highest VmHWM seen while it ran. */
async function runMeasured(args: string[]): Promise<{ code: number | null; stderr: string; peakBytes: number }> {
  const child = spawnCli(args);
  const pid = child.pid as number;
  let peakBytes = 0;
  const sample = () => {
    peakBytes = Math.max(peakBytes, peakRss(pid) ?? 0);
  };
  const timer = setInterval(sample, 25);
  try {
    const result = await collect(child);
    return { code: result.code, stderr: result.stderr, peakBytes };
  } finally {
    clearInterval(timer);
  }
}

const mb = (bytes: number) => Math.round(bytes / MB);

/** Parses the CSV with a real parser and checks every row against what was seeded. */
async function checkCsv(file: string, count: number): Promise<void> {
  const parser = createReadStream(file).pipe(parse({ columns: true }));
  let i = 0;
  let quoted = 0;
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    const key = hex(i);
    if (record.key !== key || record.position !== String(i) || record['name.value'] !== nameOf(i)) {
      throw new Error(`row ${i} differs: ${JSON.stringify(record)}`);
    }
    if (record['hex.value'] !== `#${key}` || record['rgb.r'] !== String(redOf(i)) || record.status !== '200') {
      throw new Error(`row ${i} differs: ${JSON.stringify(record)}`);
    }
    if (record['name.value']?.includes('\n')) quoted++;
    i++;
  }
  expect(i).toBe(count);
  expect(quoted).toBe(count / 1_000);
}

/** Counts JSONL lines and checks sampled ones. */
async function checkJsonl(file: string, count: number): Promise<void> {
  let i = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY })) {
    if (i % 997 === 7) {
      const row = JSON.parse(line) as { key: string; position: number; body: { name: { value: string } } };
      expect(row).toMatchObject({ key: hex(i), position: i, body: { name: { value: nameOf(i) } } });
    }
    i++;
  }
  expect(i).toBe(count);
}

describe('export', () => {
  test('exports 1,000,000 rows as CSV and JSONL in constant memory; the CSV round-trips through a real parser', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('export', async ({ url, prefix }) => {
        const engine = await testEngine(dir, url, prefix);
        try {
          await seed(engine, 'small', SMALL, dir);
          await seed(engine, 'big', BIG, dir);
        } finally {
          await engine.close();
        }
        // The bin rebuilds its bundle when sources are newer; do that now, not while measuring.
        expect((await runCli(['--help'])).code).toBe(0);
        const flags = cliFlags(dir, url, prefix);
        const exportTo = (crawl: string, format: string, file: string) =>
          runMeasured([
            ...flags,
            'export',
            crawl,
            '--format',
            format,
            ...(format === 'csv' ? ['--fields', FIELDS] : []),
            '--out',
            join(dir, file),
          ]);

        const smallCsv = await exportTo('small', 'csv', 'small.csv');
        const bigCsv = await exportTo('big', 'csv', 'big.csv');
        const smallJsonl = await exportTo('small', 'jsonl', 'small.jsonl');
        const bigJsonl = await exportTo('big', 'jsonl', 'big.jsonl');
        for (const r of [smallCsv, bigCsv, smallJsonl, bigJsonl]) expect(r).toMatchObject({ code: 0 });
        console.info(
          `export peak RSS (VmHWM): csv ${SMALL} rows ${mb(smallCsv.peakBytes)} MB, ${BIG} rows ${mb(bigCsv.peakBytes)} MB; ` +
            `jsonl ${SMALL} rows ${mb(smallJsonl.peakBytes)} MB, ${BIG} rows ${mb(bigJsonl.peakBytes)} MB`,
        );
        for (const r of [smallCsv, bigCsv, smallJsonl, bigJsonl]) {
          expect(r.peakBytes).toBeGreaterThan(0);
          expect(r.peakBytes).toBeLessThan(300 * MB);
        }
        // Ten times the rows, (almost) the same peak: nothing grows with the row count.
        expect(bigCsv.peakBytes).toBeLessThan(smallCsv.peakBytes + 50 * MB);
        expect(bigJsonl.peakBytes).toBeLessThan(smallJsonl.peakBytes + 50 * MB);

        await checkCsv(join(dir, 'big.csv'), BIG);
        await checkJsonl(join(dir, 'big.jsonl'), BIG);
      }),
    );
  }, 600_000);
});
