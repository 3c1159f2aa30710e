/**
 * The ceiling: what a plain script does on the same workload, with no queue and no crash
 * safety: undici with keep-alive, an in-memory concurrency limit, JSON validation of each
 * body and batched SQLite inserts (one transaction per 1,000 rows). Prints one JSON line.
 *
 * Usage: tsx bench/ceiling.ts <apiUrl> <keys> <concurrency> <dbFile>
 */
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';

async function main() {
  const [apiUrl, keysArg, concurrencyArg, dbFile, query = ''] = process.argv.slice(2);
  if (!apiUrl || !keysArg || !concurrencyArg || !dbFile) throw new Error('usage: ceiling.ts <apiUrl> <keys> <concurrency> <dbFile>');
  const keys = Number(keysArg);
  const concurrency = Number(concurrencyArg);
  const started = Date.now();
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(
    'CREATE TABLE results (key TEXT PRIMARY KEY, position INTEGER NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, fetched_at INTEGER NOT NULL)',
  );
  const insert = db.prepare('INSERT INTO results VALUES (?, ?, ?, ?, ?)');
  const flushRows = db.transaction((rows: Array<[string, number, number, string, number]>) => {
    for (const r of rows) insert.run(...r);
  });
  let rows: Array<[string, number, number, string, number]> = [];
  const dispatcher = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  let next = 0;
  let failed = 0;
  async function lane() {
    for (;;) {
      const position = next++;
      if (position >= keys) return;
      const key = position.toString(16).toUpperCase().padStart(6, '0');
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await request(`${apiUrl}/id?hex=${key}${query}`, { dispatcher });
          const body = await res.body.text();
          if (res.statusCode !== 200 || JSON.parse(body).hex.clean !== key) throw new Error(`bad answer ${res.statusCode}`);
          rows.push([key, position, res.statusCode, body, Date.now()]);
          if (rows.length >= 1000) {
            flushRows(rows);
            rows = [];
          }
          break;
        } catch {
          if (attempt >= 5) {
            failed++;
            break;
          }
        }
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  flushRows(rows);
  const durationMs = Date.now() - started;
  const count = db.prepare('SELECT count(*) AS n FROM results').get() as { n: number };
  db.close();
  await dispatcher.close();
  process.stdout.write(`${JSON.stringify({ rows: count.n, failed, durationMs })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
