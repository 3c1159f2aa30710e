import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMockApi } from '@sluice/mock-api';
import { collect, spawnCli, startPostgresServer, startRedisServer, toArray, uniquePrefix, waitFor, withTempDir } from '@sluice/testkit';
import { colourSpec, readLedger } from './helpers';

const TOTAL = 3_000;
/** Generous: real worker processes and a real database restart on a shared machine. */
const WAIT_MS = 90_000;
jest.setTimeout(300_000);

/** The server runs as the `postgres` user, which only root may switch to. */
const asRoot = process.getuid?.() === 0;

function ledgerOf(url: string) {
  return readLedger(url, async (store) => {
    const rows = await toArray(store.ledger.iterateResults(1));
    return {
      progress: await store.ledger.progress(1),
      counts: await store.ledger.recount(1),
      unique: new Set(rows.map((r) => r.key)).size,
    };
  });
}

function doneIn(url: string): Promise<number> {
  return readLedger(url, async (store) => (await store.ledger.progress(1)).done);
}

(asRoot ? describe : describe.skip)('a PostgreSQL server restarted mid-crawl', () => {
  test('workers wait while it is down, continue when it is back, and every key lands exactly once', async () => {
    // The server's own folder: startPostgresServer hands it to the `postgres` user.
    await withTempDir((pgDir) =>
      withTempDir(async (dir) => {
        const pg = await startPostgresServer(pgDir, { host: '127.0.0.1', clientCidr: '127.0.0.1/32' });
        const redis = await startRedisServer(dir);
        let worker: ChildProcess | undefined;
        try {
          await withMockApi({ latencyMs: 3 }, async (mock) => {
            const ledger = pg.url();
            const specPath = join(dir, 'spec.json');
            writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, TOTAL, { limits: { concurrency: 20 }, queue: { batchSize: 50 } })));
            worker = spawnCli(['--db', ledger, '--redis', redis.url, '--prefix', uniquePrefix('pg-restart'), 'run', specPath, '--json']);
            const finished = collect(worker);
            await waitFor(async () => (await doneIn(ledger)) > 300, { timeoutMs: WAIT_MS, what: 'progress before the restart' });

            // Down as in a crash: every connection drops at once, and the server is gone.
            pg.stop();
            const requestsAtStop = mock.stats().requests;
            // The worker goes on fetching while its writes wait for the ledger.
            await waitFor(() => mock.stats().requests >= requestsAtStop + 20, {
              timeoutMs: WAIT_MS,
              what: 'keys fetched while the ledger is down',
            });
            expect(worker.exitCode).toBeNull();
            pg.start();

            const result = await finished;
            expect(result.code).toBe(0);
            expect(JSON.parse(result.stdout)).toMatchObject({ complete: true, done: TOTAL, failed: 0 });
            expect(await ledgerOf(ledger)).toEqual({
              progress: { done: TOTAL, failed: 0 },
              counts: { done: TOTAL, failed: 0 },
              unique: TOTAL,
            });
          });
        } finally {
          if (worker?.pid && worker.exitCode === null) process.kill(worker.pid, 'SIGKILL');
          await redis.stop();
          pg.stop();
        }
      }),
    );
  });
});
