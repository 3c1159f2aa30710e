import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './errors';
import { formatRangeKey, type KeySource, MAX_KEY_LENGTH, MAX_KEY_LINE_BYTES, openKeySource, splitKeyLines } from './keySources';
import type { KeysSpec } from './spec';
import type { KeyItem } from './types';

async function collect(items: AsyncIterable<KeyItem>): Promise<KeyItem[]> {
  const out: KeyItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

function keysOf(items: KeyItem[]): string[] {
  return items.map((item) => item.key);
}

describe('formatRangeKey', () => {
  test('range keys format hex6 with upper-case zero-padded digits', () => {
    expect(formatRangeKey(0, 'hex6')).toBe('000000');
    expect(formatRangeKey(10, 'hex6')).toBe('00000A');
    expect(formatRangeKey(0x00ff0a, 'hex6')).toBe('00FF0A');
    expect(formatRangeKey(0xabcdef, 'hex6')).toBe('ABCDEF');
    expect(formatRangeKey(0xffffff, 'hex6')).toBe('FFFFFF');
  });

  test('range keys format decimal as plain digits without padding', () => {
    expect(formatRangeKey(0, 'decimal')).toBe('0');
    expect(formatRangeKey(42, 'decimal')).toBe('42');
    expect(formatRangeKey(99_999, 'decimal')).toBe('99999');
  });
});

describe('range key source', () => {
  const range = (from: number, to: number, format: 'hex6' | 'decimal'): Promise<KeySource> =>
    openKeySource({ range: { from, to, format } }, '/nonexistent');

  test('a hex6 range yields every number in order, first and last included', async () => {
    const source = await range(250, 260, 'hex6');
    expect(await source.count()).toBe(11);
    const items = await collect(source.iterate());
    expect(items).toHaveLength(11);
    expect(items[0]).toEqual({ position: 0, key: '0000FA' });
    expect(items[10]).toEqual({ position: 10, key: '000104' });
    expect(items.map((i) => i.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('a decimal range yields plain numbers with positions counted from `from`', async () => {
    const source = await range(5, 7, 'decimal');
    expect(await source.count()).toBe(3);
    expect(await collect(source.iterate())).toEqual([
      { position: 0, key: '5' },
      { position: 1, key: '6' },
      { position: 2, key: '7' },
    ]);
  });

  test('a single-number range has one key', async () => {
    const source = await range(0xffffff, 0xffffff, 'hex6');
    expect(await source.count()).toBe(1);
    expect(await collect(source.iterate())).toEqual([{ position: 0, key: 'FFFFFF' }]);
  });

  test('iterating from a position resumes exactly where a full iteration would be', async () => {
    const source = await range(100, 119, 'decimal');
    const all = await collect(source.iterate());
    expect(await collect(source.iterate(13))).toEqual(all.slice(13));
    expect(await collect(source.iterate(19))).toEqual([{ position: 19, key: '119' }]);
  });

  test('iterating from the end or beyond yields nothing', async () => {
    const source = await range(0, 9, 'decimal');
    expect(await collect(source.iterate(10))).toEqual([]);
    expect(await collect(source.iterate(1000))).toEqual([]);
  });

  test('the full hex6 space is counted and resumed without materialising it', async () => {
    const source = await range(0, 0xffffff, 'hex6');
    expect(await source.count()).toBe(16_777_216);
    expect(await collect(source.iterate(16_777_214))).toEqual([
      { position: 16_777_214, key: 'FFFFFE' },
      { position: 16_777_215, key: 'FFFFFF' },
    ]);
  });
});

describe('list key source', () => {
  const list = (keys: string[]): Promise<KeySource> => openKeySource({ list: keys }, '/nonexistent');

  test('trims keys, drops blanks and duplicates, and keeps first-seen order', async () => {
    const source = await list(['  IBM', 'MSFT', 'IBM ', '', '   ', 'AAPL', 'MSFT', 'ibm']);
    expect(await source.count()).toBe(4);
    expect(await collect(source.iterate())).toEqual([
      { position: 0, key: 'IBM' },
      { position: 1, key: 'MSFT' },
      { position: 2, key: 'AAPL' },
      { position: 3, key: 'ibm' },
    ]);
  });

  test('iterating from a position yields the same positions as a full iteration', async () => {
    const source = await list(['a', 'b', 'a', 'c', 'd']);
    const all = await collect(source.iterate());
    expect(await collect(source.iterate(2))).toEqual(all.slice(2));
    expect(await collect(source.iterate(2))).toEqual([
      { position: 2, key: 'c' },
      { position: 3, key: 'd' },
    ]);
    expect(await collect(source.iterate(4))).toEqual([]);
  });
});

describe('keysAt of computed sources', () => {
  test.each<[string, KeysSpec]>([
    ['a range', { range: { from: 250, to: 272, format: 'hex6' } }],
    ['a list', { list: ['a', 'b', 'a', 'c', 'd', 'e', 'f', ' ', 'g'] }],
  ])('%s: every slice holds the same keys iterate gives, none past the end', async (_name, spec) => {
    const source = await openKeySource(spec, '/nonexistent');
    const all = await collect(source.iterate());
    for (const [from, count] of [
      [0, 5],
      [5, 5],
      [3, 100],
      [all.length - 1, 5],
      [all.length, 5],
      [all.length + 10, 5],
    ] as const) {
      expect(source.keysAt?.(from, count)).toEqual(all.slice(from, from + count));
    }
  });
});

describe('file key source', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-keys-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function writeKeys(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text, 'utf8');
    return path;
  }

  const LISTING_STATUS = [
    'symbol,name,exchange,assetType,ipoDate,delistingDate,status',
    'A,Agilent Technologies Inc,NYSE,Stock,1999-11-18,null,Active',
    'AAA,Listed Funds Trust - AAF First Priority CLO Bond ETF,NYSE ARCA,ETF,2020-09-09,null,Active',
    'AAPL,Apple Inc,NASDAQ,Stock,1980-12-12,null,Active',
    'BRK-A,"Berkshire Hathaway Inc, Class A",NYSE,Stock,1980-03-17,null,Active',
    'OLDCO,"Old ""Quoted"" Co",NYSE,Stock,1990-01-01,2020-01-01,Delisted',
    '',
    'A,Agilent Technologies Inc,NYSE,Stock,1999-11-18,null,Active',
    'SPY,SPDR S&P 500 ETF Trust,NYSE ARCA,ETF,1993-01-22,null,Active',
    ' IBM ,International Business Machines Corp,NYSE,Stock,1962-01-02,null,Active',
    '',
  ].join('\r\n');

  test('one key per line: skips blanks, # comments and duplicates, trims spaces and CRLF', async () => {
    const path = writeKeys(
      'symbols.txt',
      '# stock symbols\r\nIBM\r\n\r\n  MSFT  \r\nIBM\r\n\tAAPL\r\n   # indented comment\r\nmsft\r\nMSFT\r\nTSLA',
    );
    const source = await openKeySource({ file: path }, '/nonexistent');
    expect(await source.count()).toBe(5);
    expect(await collect(source.iterate())).toEqual([
      { position: 0, key: 'IBM' },
      { position: 1, key: 'MSFT' },
      { position: 2, key: 'AAPL' },
      { position: 3, key: 'msft' },
      { position: 4, key: 'TSLA' },
    ]);
  });

  test('iterating from a position yields the same positions as a full iteration', async () => {
    const path = writeKeys('keys.txt', 'a\nb\na\n# c\nc\n\nb\nd\ne\n');
    const source = await openKeySource({ file: path }, dir);
    const all = await collect(source.iterate());
    expect(keysOf(all)).toEqual(['a', 'b', 'c', 'd', 'e']);
    for (let from = 0; from <= all.length; from++) {
      expect(await collect(source.iterate(from))).toEqual(all.slice(from));
    }
  });

  test('positions are stable across separate opens of the same file', async () => {
    const path = writeKeys('keys.txt', 'x\ny\nx\nz\n');
    const first = await collect((await openKeySource({ file: path }, dir)).iterate());
    const second = await collect((await openKeySource({ file: path }, dir)).iterate());
    expect(second).toEqual(first);
  });

  test('a relative path is resolved against the base directory', async () => {
    mkdirSync(join(dir, 'keys'));
    writeKeys('keys/symbols.txt', 'IBM\nMSFT\n');
    const source = await openKeySource({ file: 'keys/symbols.txt' }, dir);
    expect(keysOf(await collect(source.iterate()))).toEqual(['IBM', 'MSFT']);
  });

  test('an empty file has no keys', async () => {
    const source = await openKeySource({ file: writeKeys('empty.txt', '') }, dir);
    expect(await source.count()).toBe(0);
    expect(await collect(source.iterate())).toEqual([]);
  });

  test('a key of exactly MAX_KEY_LENGTH characters is accepted', async () => {
    const key = 'k'.repeat(MAX_KEY_LENGTH);
    const source = await openKeySource({ file: writeKeys('long.txt', `${key}\n`) }, dir);
    expect(await collect(source.iterate())).toEqual([{ position: 0, key }]);
  });

  test('an over-long key is a ConfigError naming the file and line', async () => {
    const path = writeKeys('long.txt', `IBM\n${'k'.repeat(MAX_KEY_LENGTH + 1)}\n`);
    const source = await openKeySource({ file: path }, dir);
    const err = await rejection(source.count());
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`${path}:2: key longer than ${MAX_KEY_LENGTH} characters`);
  });

  test('an over-long key in a CSV column is a ConfigError too', async () => {
    const path = writeKeys('long.csv', `symbol,name\nIBM,x\n${'k'.repeat(MAX_KEY_LENGTH + 1)},y\n`);
    const source = await openKeySource({ file: path, column: 'symbol' }, dir);
    const err = await rejection(collect(source.iterate()));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(`${path}:3:`);
  });

  // Counting descriptors needs /proc (Linux); elsewhere the test is skipped.
  const testWithFds = existsSync('/proc/self/fd') ? test : test.skip;
  const openFds = (): number => readdirSync('/proc/self/fd').length;

  testWithFds('stopping early or failing on a bad line closes the file', async () => {
    const many = Array.from({ length: 50_000 }, (_, i) => `key${i}`).join('\n');
    const good = await openKeySource({ file: writeKeys('many.txt', many) }, dir);
    const bad = await openKeySource({ file: writeKeys('bad.txt', `a\n${'k'.repeat(MAX_KEY_LENGTH + 1)}\n${many}`) }, dir);
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      for await (const item of good.iterate()) {
        expect(item.position).toBe(0);
        break;
      }
      await expect(bad.count()).rejects.toBeInstanceOf(ConfigError);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(openFds() - before).toBeLessThan(5);
  });

  test('a missing file is a ConfigError naming the resolved path', async () => {
    const err = await rejection(openKeySource({ file: 'nope.txt' }, dir));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`keys.file: cannot read ${join(dir, 'nope.txt')}`);
    expect((err as ConfigError).cause).toBeDefined();
  });

  test('a directory is a ConfigError', async () => {
    const err = await rejection(openKeySource({ file: dir }, '/'));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`keys.file: ${dir} is not a file`);
  });

  test('a CSV column is read by header name, with quoted cells and duplicates dropped', async () => {
    const path = writeKeys('listing_status.csv', LISTING_STATUS);
    const source = await openKeySource({ file: path, column: 'symbol' }, dir);
    expect(await source.count()).toBe(7);
    expect(keysOf(await collect(source.iterate()))).toEqual(['A', 'AAA', 'AAPL', 'BRK-A', 'OLDCO', 'SPY', 'IBM']);
  });

  test('a quoted column holding commas and escaped quotes is read whole', async () => {
    const path = writeKeys('listing_status.csv', LISTING_STATUS);
    const source = await openKeySource({ file: path, column: 'name' }, dir);
    const names = keysOf(await collect(source.iterate()));
    expect(names).toContain('Berkshire Hathaway Inc, Class A');
    expect(names).toContain('Old "Quoted" Co');
  });

  test('a quoted header is matched by its unquoted name', async () => {
    const path = writeKeys('quoted.csv', '"id","symbol"\n1,"IBM"\n2,"MSFT"\n');
    const source = await openKeySource({ file: path, column: 'symbol' }, dir);
    expect(keysOf(await collect(source.iterate()))).toEqual(['IBM', 'MSFT']);
  });

  test('where filters keep only rows matching every column (active stocks of LISTING_STATUS)', async () => {
    const path = writeKeys('listing_status.csv', LISTING_STATUS);
    const keys: KeysSpec = { file: path, column: 'symbol', where: { assetType: 'Stock', status: 'Active' } };
    const source = await openKeySource(keys, dir);
    expect(await source.count()).toBe(4);
    expect(await collect(source.iterate())).toEqual([
      { position: 0, key: 'A' },
      { position: 1, key: 'AAPL' },
      { position: 2, key: 'BRK-A' },
      { position: 3, key: 'IBM' },
    ]);
    expect(await collect(source.iterate(2))).toEqual([
      { position: 2, key: 'BRK-A' },
      { position: 3, key: 'IBM' },
    ]);
  });

  test('rows with an empty key cell are skipped', async () => {
    const path = writeKeys('gaps.csv', 'symbol,status\nIBM,Active\n,Active\n"",Active\nMSFT,Active\n');
    const source = await openKeySource({ file: path, column: 'symbol' }, dir);
    expect(keysOf(await collect(source.iterate()))).toEqual(['IBM', 'MSFT']);
  });

  test('a missing column is a ConfigError listing the columns found', async () => {
    const path = writeKeys('listing_status.csv', LISTING_STATUS);
    const source = await openKeySource({ file: path, column: 'ticker' }, dir);
    const err = await rejection(source.count());
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(
      `keys.column: no column "ticker" in ${path} (found: symbol, name, exchange, assetType, ipoDate, delistingDate, status)`,
    );
  });

  test('a where filter on a missing column is a ConfigError naming the filter', async () => {
    const path = writeKeys('listing_status.csv', LISTING_STATUS);
    const source = await openKeySource({ file: path, column: 'symbol', where: { sector: 'Tech' } }, dir);
    const err = await rejection(collect(source.iterate()));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`keys.where.sector: no such column in ${path}`);
  });
});

describe('key file safety', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-keys-safety-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function errorFor(name: string, bytes: Buffer): Promise<ConfigError> {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    const source = await openKeySource({ file: path } as KeysSpec, dir);
    const err = await rejection(collect(source.iterate()));
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }

  test('invalid UTF-8 is refused naming the file and line', async () => {
    const err = await errorFor('latin1.txt', Buffer.concat([Buffer.from('AAA\nBBB\n'), Buffer.from([0x43, 0xff, 0xfe, 0x0a])]));
    expect(err.message).toBe(`${join(dir, 'latin1.txt')}:3: not valid UTF-8`);
  });

  test('a NUL byte is refused naming the file and line', async () => {
    const err = await errorFor('nul.txt', Buffer.from('AAA\nB\u0000B\n'));
    expect(err.message).toBe(`${join(dir, 'nul.txt')}:2: contains a NUL byte`);
  });

  test('a 1 MB single line is refused naming the line', async () => {
    const err = await errorFor('long.txt', Buffer.from(`ok\n${'x'.repeat(1024 * 1024)}\n`));
    expect(err.message).toContain(`${join(dir, 'long.txt')}:2: line longer than`);
  });

  test('multi-byte characters split across chunks, CRLF and a last line without newline survive', async () => {
    const text = Buffer.from('é€😀\r\nplain\r\nlast');
    const chunks = [...text].map((b) => Buffer.from([b]));
    async function* gen() {
      yield* chunks;
    }
    const lines: string[] = [];
    for await (const line of splitKeyLines(gen(), 'mem', 100)) lines.push(line);
    expect(lines).toEqual(['é€😀', 'plain', 'last']);
  });

  test('an endless line is refused after the first chunk past the cap, without buffering the rest', async () => {
    let chunksRead = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    async function* oneGigabyteLine() {
      for (let i = 0; i < 16 * 1024; i++) {
        chunksRead++;
        yield chunk;
      }
    }
    const err = await rejection(
      (async () => {
        for await (const _ of splitKeyLines(oneGigabyteLine(), 'huge', MAX_KEY_LINE_BYTES));
      })(),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('huge:1: line longer than');
    expect(chunksRead).toBe(1);
  });

  test('a 20 MB file of short lines streams with bounded memory (slow under the jest sandbox, ~1 s for 50 MB in plain node)', async () => {
    const path = join(dir, 'big.txt');
    const block = Buffer.from(
      Array.from({ length: 100_000 }, (_, i) => `K${String(i).padStart(30, '0')}`)
        .join('\n')
        .concat('\n'),
    );
    const parts: Buffer[] = [];
    let size = 0;
    while (size < 20 * 1024 * 1024) {
      parts.push(block);
      size += block.length;
    }
    writeFileSync(path, Buffer.concat(parts));
    parts.length = 0;
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let lines = 0;
    const { createReadStream } = await import('node:fs');
    for await (const _ of splitKeyLines(createReadStream(path) as AsyncIterable<Buffer>, path, MAX_KEY_LINE_BYTES)) {
      lines++;
      if (lines % 100_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(lines).toBe(Math.ceil((20 * 1024 * 1024) / block.length) * 100_000);
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  });
});
