import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerEntry } from '@sluice/core';
import { toArray, withTempDir } from '@sluice/testkit';
import Database from 'better-sqlite3';
import { SAMPLE_BODIES } from '../bodyCodec';
import type { Store } from '../contract';
import { migrationsFolder } from '../migrationsFolder';
import { applyMigrations } from './migrator';
import { openSqliteStore as openStore } from './store';

const body = (position: number) =>
  JSON.stringify({
    hex: { clean: position.toString(16).padStart(6, '0') },
    image: `https://api.example/id?format=svg&hex=${position}`,
    n: position / 7,
  });

const result = (crawlId: number, position: number): LedgerEntry => ({
  kind: 'result',
  record: { crawlId, position, key: `k${position}`, status: 200, body: body(position), attempts: 1, fetchedAt: Date.now(), durationMs: 1 },
});

function newCrawl(store: Store, name: string, compressBodies: boolean): Promise<number> {
  return store.crawls.insert({ name, spec: '{}', specDir: '.', total: 1000, compressBodies });
}

/** Rows as stored, read with a plain driver connection (what a user's `sqlite3` would see). */
function rawRows(path: string, crawlId: number): { body: string; bodyZ: Buffer | null }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT body, body_z AS bodyZ FROM results WHERE crawl_id = ? ORDER BY position').all(crawlId) as {
      body: string;
      bodyZ: Buffer | null;
    }[];
  } finally {
    db.close();
  }
}

describe('compressed bodies in the ledger', () => {
  test('the first bodies stay plain, later ones are compressed, and every read returns them as received', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'ledger.db');
      const store = openStore(path);
      try {
        const crawlId = await newCrawl(store, 'packed', true);
        for (let from = 0; from < 400; from += 50) {
          await store.writeEntries(Array.from({ length: 50 }, (_, i) => result(crawlId, from + i)));
        }
        const raw = rawRows(path, crawlId);
        expect(raw.slice(0, SAMPLE_BODIES).every((r) => r.bodyZ === null && r.body !== '')).toBe(true);
        const packed = raw.filter((r) => r.bodyZ !== null);
        expect(packed.length).toBeGreaterThanOrEqual(400 - SAMPLE_BODIES - 50);
        expect(packed.every((r) => r.body === '')).toBe(true);

        const read = await toArray(store.ledger.iterateResults(crawlId));
        expect(read.map((r) => r.body)).toEqual(Array.from({ length: 400 }, (_, i) => body(i)));
        expect(Object.keys(read[300] ?? {})).not.toContain('bodyZ');
        expect(await store.ledger.progress(crawlId)).toEqual({ done: 400, failed: 0 });
      } finally {
        await store.close();
      }
    });
  });

  test('a crawl without storage.compress stores every body plain beside a compressing one', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'ledger.db');
      const store = openStore(path);
      try {
        const packed = await newCrawl(store, 'packed', true);
        const plain = await newCrawl(store, 'plain', false);
        for (let from = 0; from < 300; from += 100) {
          await store.writeEntries([
            ...Array.from({ length: 100 }, (_, i) => result(packed, from + i)),
            ...Array.from({ length: 100 }, (_, i) => result(plain, from + i)),
          ]);
        }
        expect(rawRows(path, plain).every((r) => r.bodyZ === null)).toBe(true);
        expect(rawRows(path, packed).some((r) => r.bodyZ !== null)).toBe(true);
        expect(await store.crawls.compressesBodies(packed)).toBe(true);
        expect(await store.crawls.compressesBodies(plain)).toBe(false);
        expect((await toArray(store.ledger.iterateResults(plain))).map((r) => r.body)).toEqual(
          (await toArray(store.ledger.iterateResults(packed))).map((r) => r.body),
        );
      } finally {
        await store.close();
      }
    });
  });

  test('two connections writing one crawl (two worker processes) agree on one dictionary; a third reads everything', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'ledger.db');
      const a = openStore(path);
      const b = openStore(path);
      try {
        const crawlId = await newCrawl(a, 'shared', true);
        for (let from = 0; from < 600; from += 60) {
          const writer = (from / 60) % 2 === 0 ? a : b;
          await writer.writeEntries(Array.from({ length: 60 }, (_, i) => result(crawlId, from + i)));
        }
      } finally {
        await a.close();
        await b.close();
      }
      const reader = openStore(path);
      try {
        expect((await toArray(reader.ledger.iterateResults(await sharedCrawlId(reader)))).map((r) => r.body)).toEqual(
          Array.from({ length: 600 }, (_, i) => body(i)),
        );
      } finally {
        await reader.close();
      }
    });
  });

  test('a ledger made before compressed storage migrates in place and keeps its rows', async () => {
    await withTempDir(async (dir) => {
      // The migrations as they were before `0006_body_compression`.
      const before = join(dir, 'migrations');
      cpSync(migrationsFolder('sqlite'), before, { recursive: true });
      const journalPath = join(before, 'meta', '_journal.json');
      const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
      const index = journal.entries.findIndex((e) => e.tag === '0006_body_compression');
      expect(index).toBeGreaterThan(0);
      writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, index) }));
      const path = join(dir, 'ledger.db');
      const old = new Database(path);
      try {
        applyMigrations(old, before);
        old.exec(`INSERT INTO crawls (id, name, spec, spec_dir, total, created_at) VALUES (1, 'old', '{}', '.', 10, 0);
          INSERT INTO crawl_progress (crawl_id, done, failed) VALUES (1, 1, 0);
          INSERT INTO results (crawl_id, key, position, status, body, attempts, fetched_at, duration_ms)
            VALUES (1, 'k0', 0, 200, '{"old":true}', 1, 0, 1);`);
      } finally {
        old.close();
      }
      const store = await openStore(path);
      try {
        expect((await toArray(store.ledger.iterateResults(1))).map((r) => r.body)).toEqual(['{"old":true}']);
        expect(await store.crawls.compressesBodies(1)).toBe(false);
        const packed = await newCrawl(store, 'packed', true);
        await store.writeEntries(Array.from({ length: 200 }, (_, i) => result(packed, i)));
        await store.writeEntries(Array.from({ length: 50 }, (_, i) => result(packed, 200 + i)));
        expect(rawRows(path, packed).some((r) => r.bodyZ !== null)).toBe(true);
        expect((await toArray(store.ledger.iterateResults(packed))).map((r) => r.body)).toEqual(
          Array.from({ length: 250 }, (_, i) => body(i)),
        );
        expect(await store.integrityCheck()).toBe('ok');
      } finally {
        await store.close();
      }
    });
  });
});

async function sharedCrawlId(store: Store): Promise<number> {
  const row = await store.crawls.find('shared');
  if (!row) throw new Error('no crawl');
  return row.id;
}
