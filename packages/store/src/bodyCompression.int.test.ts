import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerEntry } from '@sluice/core';
import Database from 'better-sqlite3';
import { SAMPLE_BODIES } from './bodyCodec';
import { openStore, type Store } from './store';

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

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bodies-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function newCrawl(store: Store, name: string, compressBodies: boolean): number {
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
  test('the first bodies stay plain, later ones are compressed, and every read returns them as received', () => {
    withDir((dir) => {
      const path = join(dir, 'ledger.db');
      const store = openStore(path);
      try {
        const crawlId = newCrawl(store, 'packed', true);
        for (let from = 0; from < 400; from += 50) {
          store.writeEntries(Array.from({ length: 50 }, (_, i) => result(crawlId, from + i)));
        }
        const raw = rawRows(path, crawlId);
        expect(raw.slice(0, SAMPLE_BODIES).every((r) => r.bodyZ === null && r.body !== '')).toBe(true);
        const packed = raw.filter((r) => r.bodyZ !== null);
        expect(packed.length).toBeGreaterThanOrEqual(400 - SAMPLE_BODIES - 50);
        expect(packed.every((r) => r.body === '')).toBe(true);

        const read = [...store.ledger.iterateResults(crawlId)];
        expect(read.map((r) => r.body)).toEqual(Array.from({ length: 400 }, (_, i) => body(i)));
        expect(Object.keys(read[300] ?? {})).not.toContain('bodyZ');
        expect(store.ledger.progress(crawlId)).toEqual({ done: 400, failed: 0 });
      } finally {
        store.close();
      }
    });
  });

  test('a crawl without storage.compress stores every body plain beside a compressing one', () => {
    withDir((dir) => {
      const path = join(dir, 'ledger.db');
      const store = openStore(path);
      try {
        const packed = newCrawl(store, 'packed', true);
        const plain = newCrawl(store, 'plain', false);
        for (let from = 0; from < 300; from += 100) {
          store.writeEntries([
            ...Array.from({ length: 100 }, (_, i) => result(packed, from + i)),
            ...Array.from({ length: 100 }, (_, i) => result(plain, from + i)),
          ]);
        }
        expect(rawRows(path, plain).every((r) => r.bodyZ === null)).toBe(true);
        expect(rawRows(path, packed).some((r) => r.bodyZ !== null)).toBe(true);
        expect(store.crawls.compressesBodies(packed)).toBe(true);
        expect(store.crawls.compressesBodies(plain)).toBe(false);
        expect([...store.ledger.iterateResults(plain)].map((r) => r.body)).toEqual(
          [...store.ledger.iterateResults(packed)].map((r) => r.body),
        );
      } finally {
        store.close();
      }
    });
  });

  test('two connections writing one crawl (two worker processes) agree on one dictionary; a third reads everything', () => {
    withDir((dir) => {
      const path = join(dir, 'ledger.db');
      const a = openStore(path);
      const b = openStore(path);
      try {
        const crawlId = newCrawl(a, 'shared', true);
        for (let from = 0; from < 600; from += 60) {
          const writer = (from / 60) % 2 === 0 ? a : b;
          writer.writeEntries(Array.from({ length: 60 }, (_, i) => result(crawlId, from + i)));
        }
      } finally {
        a.close();
        b.close();
      }
      const reader = openStore(path);
      try {
        expect([...reader.ledger.iterateResults(sharedCrawlId(reader))].map((r) => r.body)).toEqual(
          Array.from({ length: 600 }, (_, i) => body(i)),
        );
      } finally {
        reader.close();
      }
    });
  });
});

function sharedCrawlId(store: Store): number {
  const row = store.crawls.find('shared');
  if (!row) throw new Error('no crawl');
  return row.id;
}
