import { getPath } from '@sluice/core';
import type { ResultRow } from '@sluice/store';

/**
 * Row formatters for `sluice export`. JSONL keeps the body as parsed JSON; the stored body was
 * validated as JSON when it was written, so it is spliced in as is unless it spans lines.
 */
export function jsonlLine(row: ResultRow): string {
  const body = /[\n\r\u2028\u2029]/.test(row.body) ? JSON.stringify(JSON.parse(row.body)) : row.body;
  return `{"key":${JSON.stringify(row.key)},"position":${row.position},"status":${row.status},"body":${body},"attempts":${row.attempts},"fetchedAt":${JSON.stringify(new Date(row.fetchedAt).toISOString())}}\n`;
}

/** Quotes a CSV cell when it needs it (RFC 4180). */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV columns: fixed metadata, then either the chosen body fields or the whole body. */
export function csvHeader(fields: readonly string[]): string {
  const columns = ['key', 'position', 'status', 'attempts', 'fetchedAt', ...(fields.length > 0 ? fields : ['body'])];
  return `${columns.map(csvCell).join(',')}\n`;
}

export function csvLine(row: ResultRow, fields: readonly string[]): string {
  const meta = [row.key, row.position, row.status, row.attempts, new Date(row.fetchedAt).toISOString()];
  const rest = fields.length > 0 ? fields.map((f) => getPath(JSON.parse(row.body), f)) : [row.body];
  return `${[...meta, ...rest].map(csvCell).join(',')}\n`;
}
