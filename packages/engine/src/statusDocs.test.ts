import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrawlStatus } from './status';
import type { BreakerState, Health } from './statusFigures';

/**
 * The status JSON is documented once, in docs/monitoring.md. This list names every field of
 * `CrawlStatus` exactly once: the compiler rejects a missing or an unknown name, so a field
 * added to the type fails `pnpm typecheck` here until it is listed, and then this test until
 * it is documented.
 */
const STATUS_FIELDS = {
  id: true,
  name: true,
  state: true,
  total: true,
  done: true,
  failed: true,
  pending: true,
  percent: true,
  enqueuedThrough: true,
  queue: true,
  createdAt: true,
  inFlight: true,
  throttledUntil: true,
  ratePerSec: true,
  etaSeconds: true,
  workersOnline: true,
  workers: true,
  breaker: true,
  errorsByClass: true,
  recentErrors: true,
  lastProgressAt: true,
  credentials: true,
  adaptiveRate: true,
  health: true,
  ledgerError: true,
  outageSince: true,
} satisfies Record<keyof CrawlStatus, true>;

/** The values of the fields that are a fixed set of words, each listed once (the compiler checks the sets). */
const FIELD_VALUES: Record<string, string[]> = {
  state: Object.keys({ done: true, running: true, paused: true } satisfies Record<CrawlStatus['state'], true>),
  health: Object.keys({
    ok: true,
    stalled: true,
    idle: true,
    'no-worker': true,
    outage: true,
    'ledger-unwritable': true,
    'redis-unreachable': true,
  } satisfies Record<Health, true>),
  breaker: Object.keys({ closed: true, 'half-open': true, open: true } satisfies Record<BreakerState, true>),
};

const MONITORING_DOC = join(__dirname, '..', '..', '..', 'docs', 'monitoring.md');

/**
 * The field names in the first column of the table under `heading`: every `name` in
 * backticks (a row may document several fields, as `total`, `done`).
 */
function documentedFields(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no "${heading}" heading`);
  const rows: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (line.startsWith('|')) rows.push(line);
    else if (rows.length > 0) break;
  }
  // The first row is the header, the second the alignment row.
  return rows.slice(2).flatMap((row) => {
    const firstCell = row.split('|')[1] ?? '';
    return [...firstCell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
  });
}

/** The meaning cell of the row that documents `field` in the table under `heading`. */
function meaningOf(markdown: string, heading: string, field: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  const row = lines.slice(start + 1).find((line) => line.startsWith('|') && (line.split('|')[1] ?? '').includes(`\`${field}\``));
  return row?.split('|')[2] ?? '';
}

describe('the status JSON documentation', () => {
  test('docs/monitoring.md lists exactly the fields of CrawlStatus, each once', () => {
    const documented = documentedFields(readFileSync(MONITORING_DOC, 'utf8'), '## JSON fields');
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(STATUS_FIELDS).sort());
  });

  test('the documented values of state, health and breaker are exactly those of the type', () => {
    const markdown = readFileSync(MONITORING_DOC, 'utf8');
    for (const [field, values] of Object.entries(FIELD_VALUES)) {
      const documented = [...meaningOf(markdown, '## JSON fields', field).matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      expect({ field, values: [...documented].sort() }).toEqual({ field, values: [...values].sort() });
    }
  });

  test('the table reader finds every name of a row and stops at the table end', () => {
    const markdown = [
      '## JSON fields',
      '',
      '| field | meaning |',
      '| --- | --- |',
      '| `a`, `b` | two (`x` is no field) |',
      '| `c` | one |',
      '',
      '| `d` | another table |',
    ].join('\n');
    expect(documentedFields(markdown, '## JSON fields')).toEqual(['a', 'b', 'c']);
  });
});
