import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';

/** Samples Redis `used_memory` and keeps the peak. */
export class RedisMemorySampler {
  peakBytes = 0;
  private readonly redis: Redis;
  private busy = false;

  constructor(url: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1 });
  }

  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const info = await this.redis.info('memory');
      const match = /used_memory:(\d+)/.exec(info);
      if (match) this.peakBytes = Math.max(this.peakBytes, Number(match[1]));
    } catch {
      // A missed sample is fine; the next one counts.
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    this.redis.disconnect();
  }
}

/** Checkpoints the WAL into the main file and returns (file bytes, rows) of a table. */
export function sqliteBytesPerRow(file: string, table: string): { bytes: number; rows: number; perRow: number } {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const rows = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  db.close();
  const bytes = statSync(file).size;
  return { bytes, rows, perRow: rows > 0 ? bytes / rows : 0 };
}

/** What the ledger holds: rows, distinct positions and their range (exactly once: rows = distinct = keys, 0 … keys - 1). */
export function ledgerCounts(file: string): { rows: number; distinctPositions: number; min: number; max: number } {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(
        'SELECT count(*) AS rows, count(DISTINCT position) AS distinctPositions, min(position) AS min, max(position) AS max FROM results',
      )
      .get() as { rows: number; distinctPositions: number; min: number; max: number };
  } finally {
    db.close();
  }
}
