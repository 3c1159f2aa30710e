import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { TextDecoder } from 'node:util';
import { parseCsvLine } from './csvLine';
import { ConfigError } from './errors';
import type { KeysSpec } from './spec';
import type { KeyItem } from './types';

/**
 * Key sources turn a `keys` spec into a deterministic sequence of (position, key). Positions
 * are stable across runs, which is what lets the ledger, the producer's cursor and `resume`
 * agree on what is done. Files are streamed; only the set of keys seen (for de-duplication)
 * is held in memory, and ranges are computed, never materialised.
 */
export interface KeySource {
  /** Number of distinct keys. */
  count(): Promise<number>;
  /** Keys in position order, starting at `fromPosition` (default 0). */
  iterate(fromPosition?: number): AsyncIterable<KeyItem>;
  /**
   * Computed sources only (ranges, lists): the keys at positions `fromPosition` to
   * `fromPosition + count - 1` at once, fewer or none past the end. The same keys `iterate`
   * gives, without an asynchronous step (a promise and a result object) per key.
   */
  keysAt?(fromPosition: number, count: number): KeyItem[];
}

/** Longest accepted key, in characters: longer lines are reported, not fetched. */
export const MAX_KEY_LENGTH = 2048;

export function formatRangeKey(n: number, format: 'hex6' | 'decimal'): string {
  return format === 'hex6' ? n.toString(16).toUpperCase().padStart(6, '0') : String(n);
}

function rangeSource(from: number, to: number, format: 'hex6' | 'decimal'): KeySource {
  return {
    count: async () => to - from + 1,
    async *iterate(fromPosition = 0) {
      for (let position = fromPosition; from + position <= to; position++) {
        yield { position, key: formatRangeKey(from + position, format) };
      }
    },
    keysAt(fromPosition, count) {
      const items: KeyItem[] = [];
      for (let position = fromPosition; position < fromPosition + count && from + position <= to; position++) {
        items.push({ position, key: formatRangeKey(from + position, format) });
      }
      return items;
    },
  };
}

function listSource(list: readonly string[]): KeySource {
  const keys = [...new Set(list.map((k) => k.trim()).filter((k) => k.length > 0))];
  return {
    count: async () => keys.length,
    async *iterate(fromPosition = 0) {
      for (let position = fromPosition; position < keys.length; position++) {
        yield { position, key: keys[position] as string };
      }
    },
    keysAt(fromPosition, count) {
      const items: KeyItem[] = [];
      for (let position = fromPosition; position < fromPosition + count && position < keys.length; position++) {
        items.push({ position, key: keys[position] as string });
      }
      return items;
    },
  };
}

interface FileOptions {
  path: string;
  column?: string | undefined;
  where?: Record<string, string> | undefined;
}

/** Longest accepted line of a plain key file, in bytes: a key of MAX_KEY_LENGTH characters of up to 4 UTF-8 bytes, plus padding. */
export const MAX_KEY_LINE_BYTES = MAX_KEY_LENGTH * 4 + 256;
/** Longest accepted line of a CSV key file, in bytes (a row holds other columns too). */
export const MAX_CSV_LINE_BYTES = 64 * 1024;

/**
 * Splits a byte stream into UTF-8 lines (`\n` or `\r\n`) without ever holding more than
 * `maxLineBytes` of one line: readline would buffer a 1 GB line whole, so a line is refused the
 * moment it passes the cap, before the next chunk is read. Invalid UTF-8 and NUL bytes are
 * refused too, each naming the file and line.
 * @throws ConfigError `<name>:<line>: …`.
 */
export async function* splitKeyLines(chunks: AsyncIterable<Buffer | string>, name: string, maxLineBytes: number): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let carry: Buffer = Buffer.alloc(0);
  let lineNo = 0;
  const tooLong = () =>
    new ConfigError(`${name}:${lineNo + 1}: line longer than ${maxLineBytes} bytes (keys are at most ${MAX_KEY_LENGTH} characters)`);
  for await (const chunk of chunks) {
    const buf = carry.length === 0 ? (typeof chunk === 'string' ? Buffer.from(chunk) : chunk) : Buffer.concat([carry, Buffer.from(chunk)]);
    const lastNl = buf.lastIndexOf(10);
    // The unfinished tail is copied: the stream may reuse its buffer for the next chunk.
    carry = Buffer.from(buf.subarray(lastNl + 1));
    if (lastNl >= 0) {
      for (const line of decodeLines(buf.subarray(0, lastNl), name, lineNo, maxLineBytes, decoder)) {
        lineNo++;
        yield line;
      }
    }
    if (carry.length > maxLineBytes + 1) throw tooLong();
  }
  if (carry.length > 0) yield* decodeLines(carry, name, lineNo, maxLineBytes, decoder);
}

/**
 * Decodes complete lines in one go (fast path); only when something is wrong are they walked
 * one by one to name the first bad line.
 */
function decodeLines(bytes: Buffer, name: string, linesBefore: number, maxLineBytes: number, decoder: TextDecoder): string[] {
  let text: string | null = null;
  if (!bytes.includes(0)) {
    try {
      text = decoder.decode(bytes);
    } catch {
      text = null;
    }
  }
  const lines = text === null ? null : text.split('\n');
  if (lines?.every((line) => line.length <= maxLineBytes / 4 || Buffer.byteLength(line) <= maxLineBytes + 1)) {
    return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  }
  let start = 0;
  for (let n = linesBefore + 1; ; n++) {
    const nl = bytes.indexOf(10, start);
    const raw = bytes.subarray(start, nl < 0 ? bytes.length : nl);
    if (raw.length > maxLineBytes + 1) {
      throw new ConfigError(`${name}:${n}: line longer than ${maxLineBytes} bytes (keys are at most ${MAX_KEY_LENGTH} characters)`);
    }
    if (raw.includes(0)) throw new ConfigError(`${name}:${n}: contains a NUL byte`);
    try {
      decoder.decode(raw);
    } catch {
      throw new ConfigError(`${name}:${n}: not valid UTF-8`);
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  throw new ConfigError(`${name}: unreadable key file`);
}

/**
 * Streams raw keys from a file: plain lines, or one CSV column with optional filters. The file
 * is closed however iteration ends; a consumer that stops early or a bad line would otherwise
 * leave its descriptor open until garbage collection.
 */
async function* rawFileKeys(options: FileOptions): AsyncIterable<string> {
  const input = createReadStream(options.path, { highWaterMark: 64 * 1024 });
  const maxLineBytes = options.column === undefined ? MAX_KEY_LINE_BYTES : MAX_CSV_LINE_BYTES;
  try {
    yield* keysFromLines(splitKeyLines(input as AsyncIterable<Buffer>, options.path, maxLineBytes), options);
  } finally {
    input.destroy();
  }
}

async function* keysFromLines(lines: AsyncIterable<string>, options: FileOptions): AsyncIterable<string> {
  let lineNo = 0;
  let header: string[] | null = null;
  let keyIndex = -1;
  let filters: Array<[number, string]> = [];
  for await (const line of lines) {
    lineNo++;
    if (options.column === undefined) {
      const key = line.trim();
      if (key === '' || key.startsWith('#')) continue;
      if (key.length > MAX_KEY_LENGTH) throw new ConfigError(`${options.path}:${lineNo}: key longer than ${MAX_KEY_LENGTH} characters`);
      yield key;
      continue;
    }
    if (line.trim() === '') continue;
    const cells = parseCsvLine(line);
    if (header === null) {
      header = cells.map((c) => c.trim());
      keyIndex = header.indexOf(options.column);
      if (keyIndex < 0)
        throw new ConfigError(`keys.column: no column "${options.column}" in ${options.path} (found: ${header.join(', ')})`);
      filters = Object.entries(options.where ?? {}).map(([name, value]) => {
        const index = header?.indexOf(name) ?? -1;
        if (index < 0) throw new ConfigError(`keys.where.${name}: no such column in ${options.path}`);
        return [index, value];
      });
      continue;
    }
    if (!filters.every(([index, value]) => (cells[index] ?? '').trim() === value)) continue;
    const key = (cells[keyIndex] ?? '').trim();
    if (key === '') continue;
    if (key.length > MAX_KEY_LENGTH) throw new ConfigError(`${options.path}:${lineNo}: key longer than ${MAX_KEY_LENGTH} characters`);
    yield key;
  }
}

function fileSource(options: FileOptions): KeySource {
  async function* distinct(fromPosition: number): AsyncIterable<KeyItem> {
    const seen = new Set<string>();
    let position = 0;
    for await (const key of rawFileKeys(options)) {
      if (seen.has(key)) continue;
      seen.add(key);
      if (position >= fromPosition) yield { position, key };
      position++;
    }
  }
  return {
    async count() {
      let n = 0;
      for await (const _ of distinct(0)) n++;
      return n;
    },
    iterate: (fromPosition = 0) => distinct(fromPosition),
  };
}

/**
 * Builds the key source for a spec. File paths are resolved against `baseDir` (the spec
 * file's folder).
 * @throws ConfigError when a key file is missing or unreadable.
 */
export async function openKeySource(keys: KeysSpec, baseDir: string): Promise<KeySource> {
  if ('range' in keys) return rangeSource(keys.range.from, keys.range.to, keys.range.format);
  if ('list' in keys) return listSource(keys.list);
  const path = isAbsolute(keys.file) ? keys.file : resolve(baseDir, keys.file);
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ConfigError(`keys.file: ${path} is not a file`);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`keys.file: cannot read ${path}`, undefined, { cause: err });
  }
  return fileSource({ path, column: keys.column, where: keys.where });
}
