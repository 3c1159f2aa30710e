import type { KeyItem } from '@sluice/core';
import type { KeyFileQueries, KeyFileRecord } from '../contract';
import type { Db } from './client';

/** The SQLite side of `KeyFileQueries` (see the contract). */
export function createKeyFileQueries(db: Db): KeyFileQueries {
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
    appendKeys: async (crawlId, items) => {
      append(crawlId, items);
    },
    readKeys: async (crawlId, fromPosition, limit) => page.all(crawlId, fromPosition, limit) as KeyItem[],
    recordKeyFile: async (crawlId, sha256, keys) => {
      upsertRecord.run(crawlId, sha256, keys, Date.now());
    },
    keyFile: async (crawlId) => getRecord.get(crawlId) as KeyFileRecord | undefined,
  };
}
