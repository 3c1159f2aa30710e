import { randomBytes } from 'node:crypto';
import type { Db } from './client';

/**
 * Reads the ledger's random id, making it on first open. Ledgers created before the id existed
 * get one the first time they are opened after the upgrade. `INSERT OR IGNORE` keeps the first
 * id when several processes open a new ledger at the same moment.
 */
export function ensureLedgerId(db: Db): string {
  const sqlite = db.$client;
  sqlite
    .prepare('INSERT OR IGNORE INTO ledger_meta (singleton, ledger_id, created_at) VALUES (1, ?, ?)')
    .run(randomBytes(8).toString('hex'), Date.now());
  return sqlite.prepare('SELECT ledger_id FROM ledger_meta WHERE singleton = 1').pluck().get() as string;
}
