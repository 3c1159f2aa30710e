import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMockApi } from '@sluice/mock-api';
import {
  collect,
  freePort,
  runCli,
  spawnCli,
  terminatePostgresConnections,
  toArray,
  uniquePrefix,
  waitFor,
  withOwnRedis,
  withTempDir,
  withTempPostgres,
} from '@sluice/testkit';
import { colourSpec, flushAndResume, readLedger } from './helpers';

const TOTAL = 3_000;
/** Generous: these run real worker processes on a shared machine. */
const PROGRESS_WAIT_MS = 90_000;
jest.setTimeout(300_000);

function writeSpec(dir: string, mockUrl: string): string {
  const specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(colourSpec(mockUrl, TOTAL, { limits: { concurrency: 20 }, queue: { batchSize: 50 } })));
  return specPath;
}

function progressOf(db: string): Promise<number> {
  return readLedger(db, async (store) => {
    const p = await store.ledger.progress(1);
    return p.done + p.failed;
  });
}

/** Every key once, bodies matching their keys, counters equal to the rows. */
function ledgerOf(db: string) {
  return readLedger(db, async (store) => {
    const rows = await toArray(store.ledger.iterateResults(1));
    return {
      counts: await store.ledger.recount(1),
      progress: await store.ledger.progress(1),
      unique: new Set(rows.map((r) => r.key)).size,
      bad: rows.filter((r) => JSON.parse(r.body).hex.clean !== r.key).length,
      integrity: await store.integrityCheck(),
    };
  });
}

describe('the PostgreSQL ledger through the CLI', () => {
  test('a crawl with --db postgres:// stores every key once; after FLUSHALL, resume re-enqueues only missing keys', async () => {
    await withTempDir((dir) =>
      withTempPostgres((db) =>
        withOwnRedis(dir, (redis) =>
          withMockApi({ latencyMs: 3 }, async (mock) => {
            const flags = ['--db', db, '--redis', redis.url, '--prefix', uniquePrefix('pg-flush')];
            const worker = spawnCli([...flags, 'run', writeSpec(dir, mock.url), '--json']);
            const done = collect(worker);
            await waitFor(async () => (await progressOf(db)) > 600, { timeoutMs: PROGRESS_WAIT_MS, what: 'progress before FLUSHALL' });
            await flushAndResume(redis, flags, TOTAL, await progressOf(db));
            const result = await done;
            expect(result.code).toBe(0);
            expect(JSON.parse(result.stdout)).toMatchObject({ complete: true, done: TOTAL, failed: 0 });
            expect(await ledgerOf(db)).toEqual({
              counts: { done: TOTAL, failed: 0 },
              progress: { done: TOTAL, failed: 0 },
              unique: TOTAL,
              bad: 0,
              integrity: 'ok',
            });
            // At most the keys of the batches running at the FLUSHALL, which resume enqueues
            // again: a worker on a PostgreSQL ledger runs 4 batches of 50 here (twice the 2 of
            // a SQLite ledger, see jobConcurrency).
            expect(mock.duplicateKeys()).toBeLessThanOrEqual(4 * 50);

            const status = await runCli([...flags, 'status', 'colours', '--json']);
            expect(JSON.parse(status.stdout)).toMatchObject({ state: 'done', done: TOTAL, pending: 0 });
            const exported = await runCli([...flags, 'export', 'colours', '--format', 'jsonl']);
            expect(exported.code).toBe(0);
            expect(exported.stdout.trim().split('\n')).toHaveLength(TOTAL);
          }),
        ),
      ),
    );
  });

  test('connections cut mid-crawl (a server restart): the worker retries, continues, and nothing is lost or doubled', async () => {
    await withTempDir((dir) =>
      withTempPostgres((db) =>
        withOwnRedis(dir, (redis) =>
          withMockApi({ latencyMs: 3 }, async (mock) => {
            const database = new URL(db).pathname.slice(1);
            const flags = ['--db', db, '--redis', redis.url, '--prefix', uniquePrefix('pg-cut')];
            const worker = spawnCli([...flags, 'run', writeSpec(dir, mock.url), '--json']);
            const done = collect(worker);
            await waitFor(async () => (await progressOf(db)) > 300, { timeoutMs: PROGRESS_WAIT_MS, what: 'progress before the cut' });
            let cut = 0;
            for (let round = 0; round < 3; round++) {
              cut += await terminatePostgresConnections(database);
              const before = await progressOf(db);
              await waitFor(async () => (await progressOf(db)) > before || before >= TOTAL, {
                timeoutMs: PROGRESS_WAIT_MS,
                what: 'progress after a cut',
              });
            }
            expect(cut).toBeGreaterThan(0);
            const result = await done;
            expect(result.code).toBe(0);
            expect(await ledgerOf(db)).toMatchObject({
              counts: { done: TOTAL, failed: 0 },
              progress: { done: TOTAL, failed: 0 },
              unique: TOTAL,
            });
          }),
        ),
      ),
    );
  });

  test('PostgreSQL unreachable or refusing the database at start: exit 3, one line naming host:port/database, never the password', async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
    const port = await freePort();
    const unreachable = await runCli(['--db', `postgres://sluice:${password}@127.0.0.1:${port}/ledger`, 'status', '--json']);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toContain(`127.0.0.1:${port}/ledger`);
    const missing = await runCli(['--db', `postgresql://postgres:${password}@127.0.0.1:5432/sluice_no_such_db`, 'status']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('127.0.0.1:5432/sluice_no_such_db');
    expect(missing.stderr).toContain('does not exist');
    const viaEnv = await runCli(['status', '--json'], { env: { SLUICE_DB: `postgres://sluice:${password}@127.0.0.1:${port}/ledger` } });
    expect(viaEnv.code).toBe(3);
    for (const out of [unreachable, missing, viaEnv]) expect(`${out.stdout}${out.stderr}`).not.toContain(password);
  });
});
