import type { Store } from '@sluice/store';
import { hexKey } from './recovery';

export interface LedgerFigures {
  uniqueKeys: number;
  resultRows: number;
  failureRows: number;
  counterDone: number;
  counterFailed: number;
  invalidBodies: number;
  integrity: string;
  /** `fetchedAt` of each asked-for position that has a result row. */
  fetchedAt: Map<number, number>;
}

/**
 * Scans the whole ledger once: unique keys, bodies (`hex.clean` must equal the key and the key
 * must be the one of its position), row counts against the maintained counters, integrity,
 * and the `fetchedAt` of the `wanted` positions (the keys worker kills left pending).
 */
export async function verifyLedger(store: Store, crawlId: number, wanted: ReadonlySet<number>): Promise<LedgerFigures> {
  const fetchedAt = new Map<number, number>();
  const keys = new Set<string>();
  let invalidBodies = 0;
  for await (const row of store.ledger.iterateResults(crawlId)) {
    keys.add(row.key);
    if (wanted.has(row.position)) fetchedAt.set(row.position, row.fetchedAt);
    let clean: unknown;
    try {
      clean = (JSON.parse(row.body) as { hex?: { clean?: unknown } }).hex?.clean;
    } catch {
      clean = undefined;
    }
    if (clean !== row.key || row.key !== hexKey(row.position)) invalidBodies++;
  }
  const rows = await store.ledger.recount(crawlId);
  const counters = await store.ledger.progress(crawlId);
  return {
    uniqueKeys: keys.size,
    resultRows: rows.done,
    failureRows: rows.failed,
    counterDone: counters.done,
    counterFailed: counters.failed,
    invalidBodies,
    integrity: await store.integrityCheck(),
    fetchedAt,
  };
}
