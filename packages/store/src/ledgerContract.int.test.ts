import { join } from 'node:path';
import type { FailureRecord, LedgerEntry, ResultRecord } from '@sluice/core';
import { toArray, withTempDir, withTempPostgres } from '@sluice/testkit';
import Database from 'better-sqlite3';
import pg from 'pg';
import { RESULTS_PAGE_ROWS } from './contract';
import { openStore, type Store } from './index';

/**
 * The ledger contract, run against both backends: a SQLite file and a PostgreSQL database.
 * Each test gets a fresh ledger (`target`) and opens as many stores on it as it needs, the way
 * several worker processes would.
 */
interface Backend {
  name: string;
  withLedger<T>(fn: (target: string) => Promise<T>): Promise<T>;
  /** Rows of drizzle's migration journal table. */
  appliedMigrations(target: string): Promise<number>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    withLedger: (fn) => withTempDir((dir) => fn(join(dir, 'ledger.db'))),
    appliedMigrations: async (target) => {
      const db = new Database(target, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'postgres',
    withLedger: (fn) => withTempPostgres(fn),
    appliedMigrations: async (target) => {
      const client = new pg.Client({ connectionString: target });
      await client.connect();
      try {
        return Number((await client.query('SELECT count(*) AS n FROM drizzle.__drizzle_migrations')).rows[0].n);
      } finally {
        await client.end();
      }
    },
  },
];

const now = 1_800_000_000_000;
const result = (crawlId: number, position: number, extra: Partial<ResultRecord> = {}): LedgerEntry => ({
  kind: 'result',
  record: {
    crawlId,
    key: `k${position}`,
    position,
    status: 200,
    body: `{"p":${position}}`,
    attempts: 1,
    fetchedAt: now,
    durationMs: 5,
    ...extra,
  },
});
const failure = (crawlId: number, position: number, extra: Partial<FailureRecord> = {}): LedgerEntry => ({
  kind: 'failure',
  record: {
    crawlId,
    key: `k${position}`,
    position,
    errorClass: 'PermanentError',
    reason: 'gone',
    status: 404,
    attempts: 1,
    failedAt: now,
    ...extra,
  },
});

async function withStores<T>(target: string, count: number, fn: (stores: Store[]) => Promise<T>): Promise<T> {
  const stores = await Promise.all(Array.from({ length: count }, () => openStore(target)));
  try {
    return await fn(stores);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

async function newCrawl(store: Store, total = 10_000, name = 'c'): Promise<number> {
  return store.crawls.insert({ name, spec: '{}', specDir: '/specs', total });
}

describe.each(backends)('ledger contract ($name)', (backend) => {
  test('a result written twice (in one batch and in two) leaves one row and counts once', async () => {
    await backend.withLedger((target) =>
      withStores(target, 1, async ([store]) => {
        const s = store!;
        const id = await newCrawl(s);
        await s.writeEntries([result(id, 1), result(id, 1, { body: '{"second":true}' })]);
        await s.writeEntries([result(id, 1, { body: '{"third":true}' }), result(id, 2)]);
        expect(await s.ledger.progress(id)).toEqual({ done: 2, failed: 0 });
        expect(await s.ledger.recount(id)).toEqual({ done: 2, failed: 0 });
        const rows = await toArray(s.ledger.iterateResults(id));
        expect(rows.map((r) => [r.key, r.body])).toEqual([
          ['k1', '{"p":1}'],
          ['k2', '{"p":2}'],
        ]);
        expect(rows[0]).toEqual({ key: 'k1', position: 1, status: 200, body: '{"p":1}', attempts: 1, fetchedAt: now, durationMs: 5 });
      }),
    );
  });

  test('a key failing and succeeding in one batch keeps the result only; the write reports the counters; bodies round-trip byte for byte', async () => {
    await backend.withLedger((target) =>
      withStores(target, 1, async ([store]) => {
        const s = store!;
        const id = await newCrawl(s);
        const body = `{"q":"it's \\"quoted\\"","bs":"a\\\\b\\u0041","u":"žluť 🎨","nl":"x\\ny","sql":"'); DROP TABLE results; --"}`;
        const reason = 'can\'t \\ parse: "$x" \');--';
        const committed = await s.writeEntries([failure(id, 1), result(id, 1, { body }), failure(id, 2, { reason })]);
        expect(committed).toEqual(new Map([[id, { done: 1, failed: 1 }]]));
        expect(await s.ledger.progress(id)).toEqual({ done: 1, failed: 1 });
        expect(await s.ledger.recount(id)).toEqual({ done: 1, failed: 1 });
        expect((await toArray(s.ledger.iterateResults(id))).map((r) => r.body)).toEqual([body]);
        expect((await s.ledger.listFailures(id)).map((f) => [f.key, f.reason])).toEqual([['k2', reason]]);
      }),
    );
  });

  test('a result replaces an earlier failure of its key; clearing failures lowers the counter', async () => {
    await backend.withLedger((target) =>
      withStores(target, 1, async ([store]) => {
        const s = store!;
        const id = await newCrawl(s);
        await s.writeEntries([failure(id, 1), failure(id, 2), failure(id, 3)]);
        expect(await s.ledger.progress(id)).toEqual({ done: 0, failed: 3 });
        await s.writeEntries([result(id, 1, { attempts: 2 })]);
        expect(await s.ledger.progress(id)).toEqual({ done: 1, failed: 2 });
        expect((await s.ledger.listFailures(id)).map((f) => f.key)).toEqual(['k2', 'k3']);
        expect(await s.clearFailures(id)).toBe(2);
        expect(await s.ledger.progress(id)).toEqual({ done: 1, failed: 0 });
        expect(await s.ledger.recount(id)).toEqual({ done: 1, failed: 0 });
      }),
    );
  });

  test('failures stream in position order across pages; removing a crawl deletes its rows only, once', async () => {
    await backend.withLedger((target) =>
      withStores(target, 1, async ([store]) => {
        const s = store!;
        const gone = await newCrawl(s, 5_000, 'gone');
        const kept = await newCrawl(s, 10, 'kept');
        const count = RESULTS_PAGE_ROWS * 2 + 3;
        await s.writeEntries(Array.from({ length: count }, (_, i) => failure(gone, count - i)));
        await s.writeEntries([result(gone, 0), result(kept, 0), failure(kept, 1)]);
        await s.logRequests(gone, [now], 60_000);
        const streamed = await toArray(s.ledger.iterateFailures(gone));
        expect(streamed.map((f) => f.position)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
        expect(streamed[0]).toEqual({
          key: 'k1',
          position: 1,
          errorClass: 'PermanentError',
          reason: 'gone',
          status: 404,
          attempts: 1,
          failedAt: now,
        });

        expect(await s.crawls.remove(gone)).toBe(true);
        expect(await s.crawls.remove(gone)).toBe(false);
        expect(await s.crawls.find(gone)).toBeUndefined();
        expect(await s.ledger.recount(gone)).toEqual({ done: 0, failed: 0 });
        expect(await s.ledger.progress(gone)).toEqual({ done: 0, failed: 0 });
        expect(await s.ledger.requestTimesSince(gone, 0)).toEqual([]);
        expect(await toArray(s.ledger.iterateFailures(gone))).toEqual([]);
        expect(await s.ledger.recount(kept)).toEqual({ done: 1, failed: 1 });
        expect((await s.crawls.list()).map((c) => c.name)).toEqual(['kept']);
      }),
    );
  });

  test('a failure never overwrites a result; a repeated failure updates its reason in place', async () => {
    await backend.withLedger((target) =>
      withStores(target, 1, async ([store]) => {
        const s = store!;
        const id = await newCrawl(s);
        await s.writeEntries([result(id, 1)]);
        await s.writeEntries([failure(id, 1), failure(id, 2)]);
        await s.writeEntries([failure(id, 2, { reason: 'still gone', attempts: 3, status: null })]);
        expect(await s.ledger.progress(id)).toEqual({ done: 1, failed: 1 });
        expect(await s.ledger.listFailures(id)).toEqual([
          { key: 'k2', position: 2, errorClass: 'PermanentError', reason: 'still gone', status: null, attempts: 3, failedAt: now },
        ]);
        expect((await s.ledger.finishedPositions(id, 0, 9)).size).toBe(2);
      }),
    );
  });

  test('counters stay exact with several stores writing overlapping keys at once', async () => {
    await backend.withLedger((target) =>
      withStores(target, 4, async (stores) => {
        const id = await newCrawl(stores[0]!);
        const keys = 600;
        // Every writer writes every key (results for even positions, failures for a third of
        // the odd ones and results for the rest), in its own order and batch size.
        await Promise.all(
          stores.map(async (store, w) => {
            const positions = Array.from({ length: keys }, (_, i) => (i * (2 * w + 1) + w * 97) % keys);
            const batch = 20 + w * 15;
            for (let i = 0; i < positions.length; i += batch) {
              const entries = positions.slice(i, i + batch).map((p) => (p % 2 === 1 && p % 3 === 0 ? failure(id, p) : result(id, p)));
              await store.writeEntries(entries);
            }
          }),
        );
        const failedKeys = Array.from({ length: keys }, (_, p) => p).filter((p) => p % 2 === 1 && p % 3 === 0).length;
        const expected = { done: keys - failedKeys, failed: failedKeys };
        expect(await stores[0]!.ledger.recount(id)).toEqual(expected);
        expect(await stores[0]!.ledger.progress(id)).toEqual(expected);
        expect(await stores[1]!.integrityCheck()).toBe('ok');
      }),
    );
  });

  test('results replacing failures from concurrent writers never leave both rows', async () => {
    await backend.withLedger((target) =>
      withStores(target, 3, async (stores) => {
        const id = await newCrawl(stores[0]!);
        const positions = Array.from({ length: 300 }, (_, i) => i);
        await Promise.all([
          stores[0]!.writeEntries(positions.map((p) => failure(id, p))),
          stores[1]!.writeEntries(positions.map((p) => result(id, p))),
          stores[2]!.writeEntries(positions.filter((p) => p % 2 === 0).map((p) => failure(id, p, { reason: 'late' }))),
        ]);
        expect(await stores[0]!.ledger.recount(id)).toEqual({ done: 300, failed: 0 });
        expect(await stores[0]!.ledger.progress(id)).toEqual({ done: 300, failed: 0 });
      }),
    );
  });

  test('the producer cursor moves by compare-and-set: of two producers from one cursor, one wins', async () => {
    await backend.withLedger((target) =>
      withStores(target, 2, async ([a, b]) => {
        const id = await newCrawl(a!);
        expect(await a!.crawls.getCursor(id)).toBe(0);
        const moved = await Promise.all([a!.crawls.advanceCursor(id, 0, 5), b!.crawls.advanceCursor(id, 0, 7)]);
        expect(moved.filter(Boolean)).toHaveLength(1);
        const cursor = await b!.crawls.getCursor(id);
        expect(cursor).toBe(moved[0] ? 5 : 7);
        expect(await a!.crawls.advanceCursor(id, 0, 9)).toBe(false);
        await a!.crawls.setCursor(id, 0);
        expect(await b!.crawls.getCursor(id)).toBe(0);
      }),
    );
  });

  test('crawls are found by id and name; pause flag and spec updates persist', async () => {
    await backend.withLedger((target) =>
      withStores(target, 1, async ([store]) => {
        const s = store!;
        const a = await newCrawl(s, 5, 'alpha');
        const b = await newCrawl(s, 7, 'beta');
        expect((await s.crawls.find(String(a)))?.name).toBe('alpha');
        expect((await s.crawls.find('beta'))?.id).toBe(b);
        expect(await s.crawls.find('nope')).toBeUndefined();
        await s.crawls.setPaused(b, true);
        await s.crawls.updateSpec(b, '{"v":2}');
        expect(await s.crawls.list()).toEqual([
          expect.objectContaining({ id: a, name: 'alpha', total: 5, paused: false, spec: '{}' }),
          expect.objectContaining({ id: b, name: 'beta', total: 7, paused: true, spec: '{"v":2}' }),
        ]);
        // Not `toThrow`: better-sqlite3 builds its error class once per process, in the first test
        // file's realm, so in a later file of the same jest worker its errors are no `Error`.
        await expect(newCrawl(s, 1, 'alpha')).rejects.toHaveProperty('message', expect.any(String));
      }),
    );
  });

  test('the request log returns times since a moment, oldest first, and prunes old ones', async () => {
    await backend.withLedger((target) =>
      withStores(target, 1, async ([store]) => {
        const s = store!;
        const id = await newCrawl(s);
        const t = Date.now();
        await s.logRequests(id, [t - 10_000, t - 5_000, t - 1_000], 60_000);
        await s.logRequests(id, [t - 120_000, t], 60_000);
        expect(await s.ledger.requestTimesSince(id, 0)).toEqual([t - 10_000, t - 5_000, t - 1_000, t]);
        expect(await s.ledger.requestTimesSince(id, t - 2_000)).toEqual([t - 1_000, t]);
        // Pool credentials: each start carries the credential's name, and each can be read alone.
        await s.logRequests(id, [t - 3_000, t - 2_500], 60_000, 'KEY_A');
        await s.logRequests(id, [t - 2_800], 60_000, 'KEY_B');
        expect(await s.ledger.requestTimesSince(id, 0, 'KEY_A')).toEqual([t - 3_000, t - 2_500]);
        expect(await s.ledger.requestTimesSince(id, 0, 'KEY_B')).toEqual([t - 2_800]);
        expect(await s.ledger.requestTimesSince(id, t - 4_000)).toEqual([t - 3_000, t - 2_800, t - 2_500, t - 1_000, t]);
      }),
    );
  });

  test('results stream in position order across pages, with rates and last progress', async () => {
    await backend.withLedger((target) =>
      withStores(target, 1, async ([store]) => {
        const s = store!;
        const id = await newCrawl(s);
        const positions = Array.from({ length: 2_500 }, (_, i) => 2_499 - i);
        await s.writeEntries(positions.map((p) => result(id, p, { fetchedAt: now + p })));
        const rows = await toArray(s.ledger.iterateResults(id));
        expect(rows).toHaveLength(2_500);
        expect(rows.every((r, i) => r.position === i)).toBe(true);
        expect(await s.ledger.resultsSince(id, now + 2_000)).toBe(500);
        expect(await s.ledger.lastProgressAt(id)).toEqual(expect.any(Number));
        expect(await s.ledger.finishedPositions(id, 10, 12)).toEqual(new Set([10, 11, 12]));
      }),
    );
  });

  test('results of a crawl that is not in the ledger are refused, and nothing of their batch is written', async () => {
    await backend.withLedger((target) =>
      withStores(target, 1, async ([store]) => {
        const s = store!;
        const id = await newCrawl(s);
        // Matched by message: better-sqlite3's SqliteError is not always an Error of jest's realm.
        await expect(s.writeEntries([result(id, 1), result(id + 1, 1)])).rejects.toMatchObject({
          message: expect.stringMatching(/foreign key/i),
        });
        expect(await s.ledger.recount(id)).toEqual({ done: 0, failed: 0 });
        expect(await s.ledger.recount(id + 1)).toEqual({ done: 0, failed: 0 });
      }),
    );
  });

  test('migrations applied by many openers at once run once; the ledger id is made once and stays', async () => {
    await backend.withLedger(async (target) => {
      const ids = await withStores(target, 5, async (stores) => stores.map((s) => s.ledgerId));
      expect(new Set(ids).size).toBe(1);
      expect(ids[0]).toMatch(/^[0-9a-f]{16}$/);
      const applied = await backend.appliedMigrations(target);
      expect(applied).toBeGreaterThan(0);
      const again = await withStores(target, 2, async (stores) => stores.map((s) => s.ledgerId));
      expect(again).toEqual([ids[0], ids[0]]);
      expect(await backend.appliedMigrations(target)).toBe(applied);
    });
  });
});

describe('the PostgreSQL flush of the previous release', () => {
  test('sluice_flush(json, …), still called by workers not yet upgraded, writes by the same rules', async () => {
    await withTempPostgres((target) =>
      withStores(target, 1, async ([store]) => {
        const s = store!;
        const id = await newCrawl(s);
        await s.writeEntries([failure(id, 1), failure(id, 2)]);
        const client = new pg.Client({ connectionString: target });
        await client.connect();
        try {
          const rows = [1, 3].map((p) => ({ c: id, k: `k${p}`, p, s: 200, b: `{"old":${p}}`, a: 1, f: now, d: 4 }));
          const { rows: counters } = await client.query('SELECT crawl_id, done, failed FROM sluice_flush($1, $2, $3, $4)', [
            JSON.stringify(rows),
            '[]',
            now,
            [id],
          ]);
          expect(counters).toEqual([{ crawl_id: id, done: 2, failed: 1 }]);
        } finally {
          await client.end();
        }
        expect(await s.ledger.recount(id)).toEqual({ done: 2, failed: 1 });
        expect((await toArray(s.ledger.iterateResults(id))).map((r) => [r.key, r.body, r.durationMs])).toEqual([
          ['k1', '{"old":1}', 4],
          ['k3', '{"old":3}', 4],
        ]);
      }),
    );
  });
});
