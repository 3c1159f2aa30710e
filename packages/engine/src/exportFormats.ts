import { getPath } from '@sluice/core';
import type { ResultRow } from '@sluice/store';

/**
 * Reads dotted fields (`hex.value`, `items.0.id`) straight from JSON text, like `getPath` over
 * `JSON.parse`, without parsing the whole body. Why: V8's JSON.parse internalizes short string
 * values into old space, so parsing millions of bodies grew an export's heap by ~100 MB per
 * million rows until the next full GC (see test/export.int.test.ts); slicing allocates only
 * short-lived young strings. Text it does not understand falls back to JSON.parse.
 */
export function readFields(text: string, fields: readonly string[]): unknown[] {
  try {
    const found = new Map<string, [number, number]>();
    const wanted = new Set<string>();
    for (const f of fields) {
      const parts = f.split('.');
      for (let i = 1; i <= parts.length; i++) wanted.add(parts.slice(0, i).join('.'));
    }
    const end = scanValue(text, skipWs(text, 0), '', wanted, found);
    if (skipWs(text, end) !== text.length) throw new SyntaxError('trailing text');
    return fields.map((f) => {
      const span = found.get(f);
      return span ? leafValue(text.slice(span[0], span[1])) : undefined;
    });
  } catch {
    const body: unknown = JSON.parse(text);
    return fields.map((f) => getPath(body, f));
  }
}

function skipWs(text: string, i: number): number {
  // space, tab, newline, carriage return
  for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  return i;
}

/** End (exclusive) of the JSON string starting at `i` (a `"`). */
function stringEnd(text: string, i: number): number {
  for (let j = text.indexOf('"', i + 1); j >= 0; j = text.indexOf('"', j + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return j + 1;
  }
  throw new SyntaxError('unterminated string');
}

/** Decodes a raw JSON value: strings without escapes and numbers without parsing. */
function leafValue(raw: string): unknown {
  if (raw.startsWith('"') && !raw.includes('\\')) return raw.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return JSON.parse(raw);
}

/**
 * Walks the value at `i` (path `path`), recording the span of every wanted path; returns the
 * index after the value. A repeated key overwrites, as in JSON.parse.
 */
function scanValue(text: string, i: number, path: string, wanted: Set<string>, found: Map<string, [number, number]>): number {
  const c = text[i];
  let end: number;
  if (c === '{' || c === '[') {
    const isObject = c === '{';
    const close = isObject ? '}' : ']';
    let j = skipWs(text, i + 1);
    let index = 0;
    if (text[j] === close) end = j + 1;
    else {
      for (;;) {
        let name = String(index++);
        if (isObject) {
          if (text[j] !== '"') throw new SyntaxError('expected a key');
          const keyEnd = stringEnd(text, j);
          const rawKey = text.slice(j, keyEnd);
          name = rawKey.includes('\\') ? (JSON.parse(rawKey) as string) : rawKey.slice(1, -1);
          j = skipWs(text, keyEnd);
          if (text[j] !== ':') throw new SyntaxError('expected :');
          j = skipWs(text, j + 1);
        }
        const childPath = path ? `${path}.${name}` : name;
        j = skipWs(text, scanValue(text, j, childPath, wanted, found));
        if (text[j] === ',') j = skipWs(text, j + 1);
        else if (text[j] === close) {
          end = j + 1;
          break;
        } else throw new SyntaxError('expected , or a closing bracket');
      }
    }
  } else if (c === '"') end = stringEnd(text, i);
  else {
    end = i;
    while (end < text.length && !/[\s,}\]]/.test(text[end] as string)) end++;
    if (end === i) throw new SyntaxError('expected a value');
  }
  if (path && wanted.has(path)) found.set(path, [i, end]);
  return end;
}

/**
 * Row formatters for `sluice export`. JSONL keeps the body as parsed JSON; the stored body was
 * validated as JSON when it was written, so it is spliced in as is unless it spans lines.
 */
export function jsonlLine(row: ResultRow): string {
  const body = /[\n\r\u2028\u2029]/.test(row.body) ? JSON.stringify(JSON.parse(row.body)) : row.body;
  return `{"key":${JSON.stringify(row.key)},"position":${row.position},"status":${row.status},"body":${body},"attempts":${row.attempts},"fetchedAt":${JSON.stringify(new Date(row.fetchedAt).toISOString())}}\n`;
}

/** How CSV cells are written. */
export interface CsvOptions {
  /**
   * Spreadsheet formula-injection guard (OWASP "CSV Injection"): a text cell starting with
   * `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so Excel, LibreOffice
   * and Google Sheets show it as text instead of running it. Numbers stay numbers (a JSON
   * number cannot hold a formula). It changes the data (`-5` as text becomes `'-5`), so it is
   * an option for files meant for spreadsheets. Default false.
   */
  csvSafe?: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** Quotes a CSV cell when it needs it (RFC 4180); with `csvSafe`, defuses formula-like text. */
export function csvCell(value: unknown, options: CsvOptions = {}): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (options.csvSafe && typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV columns: fixed metadata, then either the chosen body fields or the whole body. */
export function csvHeader(fields: readonly string[], options: CsvOptions = {}): string {
  const columns = ['key', 'position', 'status', 'attempts', 'fetchedAt', ...(fields.length > 0 ? fields : ['body'])];
  return `${columns.map((c) => csvCell(c, options)).join(',')}\n`;
}

/**
 * One result as a CSV line. `found[i]` is set when field `i` has a value in this row, so the
 * caller can tell a field that no row has (a typo in `--fields`) from one that is sometimes empty.
 */
export function csvLine(row: ResultRow, fields: readonly string[], options: CsvOptions = {}, found?: boolean[]): string {
  const meta = [row.key, row.position, row.status, row.attempts, new Date(row.fetchedAt).toISOString()];
  const rest = fields.length > 0 ? readFields(row.body, fields) : [row.body];
  if (found && fields.length > 0) for (let i = 0; i < rest.length; i++) if (rest[i] !== undefined) found[i] = true;
  return `${[...meta, ...rest].map((v) => csvCell(v, options)).join(',')}\n`;
}
