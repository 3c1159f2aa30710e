import type { KeyItem } from '@sluice/core';
import type { Db } from './client';

/** What the ledger remembers of a crawl's key file. */
export interface KeyFileRecord {
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  /** Distinct keys copied into the ledger. */
  keys: number;
  storedAt: number;
}

/**
 * A crawl's keys copied from its key file (see `crawl_keys` and `key_files` in the schema).
 * Appends are idempotent by position, so an interrupted copy can simply run again.
 */
export function createKeyFileQueries(db: Db) {
  const sqlite = db.$client;
  const insertKey = sqlite.prepare('INSERT OR IGNORE INTO crawl_keys (crawl_id, position, key) VALUES (?, ?, ?)');
  const append = sqlite.transaction((crawlId: number, items: readonly KeyItem[]) => {
    for (const item of items) insertKey.run(crawlId, item.position, item.key);
  });
  const page = sqlite.prepare('SELECT position, key FROM crawl_keys WHERE crawl_id = ? AND position >= ? ORDER BY position LIMIT ?');
  const upsertRecord = sqlite.prepare(
    `INSERT INTO key_files (crawl_id, sha256, keys, stored_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (crawl_id) DO UPDATE SET sha256 = excluded.sha256, keys = excluded.keys, stored_at = excluded.stored_at`,
  );
  const getRecord = sqlite.prepare('SELECT sha256, keys, stored_at AS storedAt FROM key_files WHERE crawl_id = ?');
  return {
    /** Adds keys at their positions, in one transaction; positions already stored are kept. */
    appendKeys(crawlId: number, items: readonly KeyItem[]): void {
      append(crawlId, items);
    },
    /** Up to `limit` stored keys from `fromPosition` on, in position order. */
    readKeys(crawlId: number, fromPosition: number, limit: number): KeyItem[] {
      return page.all(crawlId, fromPosition, limit) as KeyItem[];
    },
    /** Marks the copy complete: the file's hash and the number of keys. */
    recordKeyFile(crawlId: number, sha256: string, keys: number): void {
      upsertRecord.run(crawlId, sha256, keys, Date.now());
    },
    /** The crawl's key file record, or undefined when its keys were never (fully) copied. */
    keyFile(crawlId: number): KeyFileRecord | undefined {
      return getRecord.get(crawlId) as KeyFileRecord | undefined;
    },
  };
}

export type KeyFileQueries = ReturnType<typeof createKeyFileQueries>;
