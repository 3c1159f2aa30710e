import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrawlStatus } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { type BatchQueue, crawlScope, createRedis, HEARTBEAT_TTL_MS, openBatchQueue } from '@sluice/queue';
import { openStore } from '@sluice/store';
import { collect, runCli, spawnCli, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec } from './helpers';

async function statusJson(flags: string[]): Promise<CrawlStatus> {
  const out = await runCli([...flags, 'status', 'colours', '--json']);
  if (out.code !== 0) throw new Error(`status exited ${out.code}: ${out.stderr}`);
  return JSON.parse(out.stdout) as CrawlStatus;
}

/** Stops a child that is still running (SIGKILL by pid) and waits for it. */
async function stop(child: ChildProcess, closed: Promise<unknown>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await closed;
}

describe('sluice status', () => {
  test('status --json matches the ledger and the queue during a crawl and after it', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('status', ({ url, prefix }) =>
        withMockApi({ latencyMs: 20, outcomes: { '000005': [404], '000009': [404] } }, async (mock) => {
          const total = 3_000;
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, total, { limits: { concurrency: 2 } })));
          const flags = cliFlags(dir, url, prefix);
          const runner = spawnCli([...flags, 'run', specPath, '--json', '--no-progress']);
          const finished = collect(runner);
          const store = await openStore(join(dir, 'sluice.db'));
          try {
            // During: a worker online, keys finishing, a complete 10 s rate bucket behind us.
            const during = await waitFor(
              async () => {
                const s = await statusJson(flags);
                return s.state === 'running' && s.workersOnline >= 1 && s.ratePerSec.last1m > 0 ? s : null;
              },
              { timeoutMs: 40_000, intervalMs: 500, what: 'a running crawl with a measured rate' },
            );
            const crawlId = during.id;
            const before = await store.ledger.progress(crawlId);
            const s = await statusJson(flags);
            const after = await store.ledger.progress(crawlId);
            expect(s.total).toBe(total);
            expect(s.done).toBeGreaterThanOrEqual(before.done);
            expect(s.done).toBeLessThanOrEqual(after.done);
            expect(s.done).toBeLessThan(total);
            expect(s.pending).toBe(total - s.done - s.failed);
            expect(s.workers.map((w) => w.pid)).toContain(runner.pid);
            expect(s.inFlight).toBeGreaterThanOrEqual(0);
            expect(s.inFlight).toBeLessThanOrEqual(2);
            expect(s.queue).not.toBeNull();
            expect((s.queue?.waiting ?? 0) + (s.queue?.active ?? 0)).toBeGreaterThan(0);
            expect(s.etaSeconds).toBeGreaterThan(0);
            expect(s.health).toBe('ok');
            expect(Date.parse(s.lastProgressAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
            expect(s.breaker).toBe('closed');

            const result = await finished;
            expect(result.code).toBe(1); // two permanent failures
            const ledger = await store.ledger.recount(crawlId);
            expect(ledger).toEqual({ done: total - 2, failed: 2 });

            const done = await waitFor(
              async () => {
                const x = await statusJson(flags);
                return x.ratePerSec.last1m > 0 ? x : null;
              },
              { timeoutMs: 20_000, intervalMs: 500, what: 'the rate of the finished crawl' },
            );
            expect(done).toMatchObject({ state: 'done', pending: 0, done: ledger.done, failed: ledger.failed, total, percent: 99.9 });
            expect(done).toMatchObject({ workersOnline: 0, inFlight: 0, etaSeconds: 0, health: 'idle' });
            expect(done.errorsByClass.PermanentError).toBe(2);
            expect(done.recentErrors.map((e) => e.key).sort()).toEqual(['000005', '000009']);
            const redis = createRedis(url, 'test-status');
            const row = await store.crawls.find(crawlId);
            if (!row) throw new Error('the crawl vanished');
            const queue = openBatchQueue(redis, crawlScope({ prefix, ledgerId: store.ledgerId, crawlId, name: row.name }));
            try {
              expect(done.queue).toEqual(await queue.liveCount());
              expect(done.queue).toEqual({ waiting: 0, active: 0, delayed: 0 });
            } finally {
              await queue.close();
              redis.disconnect();
            }
          } finally {
            await store.close();
            await stop(runner, finished);
          }
        }),
      ),
    );
  });

  test('status --watch without a TTY prints plain timestamped blocks and exits 0 on SIGINT', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('statuswatch', async ({ url, prefix }) => {
        const specPath = join(dir, 'spec.json');
        writeFileSync(specPath, JSON.stringify(colourSpec('http://127.0.0.1:9', 50)));
        const flags = cliFlags(dir, url, prefix);
        expect((await runCli([...flags, 'crawl', 'create', specPath])).code).toBe(0);

        const text = spawnCli([...flags, 'status', 'colours', '--watch', '--interval', '200']);
        const json = spawnCli([...flags, 'status', '--json', '--watch', '--interval', '200']);
        const textDone = collect(text);
        const jsonDone = collect(json);
        let textOut = '';
        let jsonOut = '';
        text.stdout?.on('data', (d: Buffer) => {
          textOut += d.toString();
        });
        json.stdout?.on('data', (d: Buffer) => {
          jsonOut += d.toString();
        });
        try {
          await waitFor(() => (textOut.match(/^--- \d{4}-\d\d-\d\dT.+Z ---$/gm) ?? []).length >= 2, { what: 'two text blocks' });
          await waitFor(() => jsonOut.split('\n').filter(Boolean).length >= 2, { what: 'two JSON lines' });
          text.kill('SIGINT');
          json.kill('SIGINT');
          const [t, j] = await Promise.all([textDone, jsonDone]);
          expect(t.code).toBe(0);
          expect(j.code).toBe(0);
          expect(t.stdout).not.toContain('\x1b[');
          expect(t.stdout).toContain('colours (id 1): running, 0%, health no-worker');
          expect(t.stdout).toContain('no worker: start one with `sluice work colours`');
          expect(t.stdout).toContain('done 0 / 50 (0%), failed 0, pending 50');
          const lines = j.stdout.split('\n').filter(Boolean);
          for (const line of lines) {
            const all = JSON.parse(line) as CrawlStatus[];
            expect(all).toHaveLength(1);
            expect(all[0]).toMatchObject({ name: 'colours', total: 50, pending: 50, workersOnline: 0, health: 'no-worker' });
          }
        } finally {
          await stop(text, textDone);
          await stop(json, jsonDone);
        }
      }),
    );
  });

  test('a worker killed with SIGKILL leaves status within its heartbeat TTL (≤ 5 s), and status then says no worker', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('statusdead', ({ url, prefix }) =>
        withMockApi({ latencyMs: 50 }, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, 5_000, { limits: { concurrency: 2 } })));
          const flags = cliFlags(dir, url, prefix);
          const worker = spawnCli([...flags, 'run', specPath, '--json']);
          const finished = collect(worker);
          const redis = createRedis(url, 'test-status-dead');
          try {
            const alive = await waitFor(
              async () => {
                const s = await statusJson(flags);
                return s.workersOnline === 1 && s.done > 0 ? s : null;
              },
              { timeoutMs: 30_000, what: 'the worker online and fetching' },
            );
            expect(alive.health).toBe('ok');
            // The heartbeat expires at most 5 s after it was written: a dead worker leaves
            // status by then (asserted on the key's own expiry, not on a clock).
            const [key] = await redis.keys(`${prefix}*:sluice:worker:*`);
            expect(key).toBeDefined();
            const ttlMs = await redis.pttl(key as string);
            expect(ttlMs).toBeGreaterThan(0);
            expect(ttlMs).toBeLessThanOrEqual(HEARTBEAT_TTL_MS);
            expect(HEARTBEAT_TTL_MS).toBeLessThanOrEqual(5_000);

            worker.kill('SIGKILL');
            await finished;
            const gone = await waitFor(
              async () => {
                const s = await statusJson(flags);
                return s.workersOnline === 0 ? s : null;
              },
              { timeoutMs: 10_000, intervalMs: 200, what: 'the dead worker to leave status' },
            );
            expect(gone).toMatchObject({ state: 'running', health: 'no-worker', inFlight: 0 });
            expect(gone.pending).toBeGreaterThan(0);
            const text = await runCli([...flags, 'status', 'colours']);
            expect(text.stdout).toContain('health no-worker');
            expect(text.stdout).toContain('no worker: start one with `sluice work colours`');
          } finally {
            redis.disconnect();
            await stop(worker, finished);
          }
        }),
      ),
    );
  });

  test('a queue paused with BullMQ directly (as bull-board does) shows as paused, and workers hold their requests', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('statusbullpause', ({ url, prefix }) =>
        withMockApi({ latencyMs: 20 }, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, 20_000, { limits: { concurrency: 2 } })));
          const flags = cliFlags(dir, url, prefix);
          const worker = spawnCli([...flags, 'run', specPath, '--json']);
          const finished = collect(worker);
          const redis = createRedis(url, 'test-status-bullpause');
          let queue: BatchQueue | null = null;
          try {
            await waitFor(async () => (await statusJson(flags)).done > 0, { timeoutMs: 30_000, what: 'progress' });
            // The ledger exists now: its id names the crawl's queue.
            const store = await openStore(join(dir, 'sluice.db'));
            const ledgerId = store.ledgerId;
            await store.close();
            queue = openBatchQueue(redis, crawlScope({ prefix, ledgerId, crawlId: 1, name: 'colours' }));
            await queue.queue.pause();
            const paused = await statusJson(flags);
            expect(paused).toMatchObject({ state: 'paused', health: 'idle' });
            // The worker adopts the pause: nothing in flight, and no request while another
            // status call runs (a whole CLI start, about a second).
            await waitFor(async () => (await statusJson(flags)).inFlight === 0, { timeoutMs: 10_000, what: 'the worker to hold requests' });
            const settled = mock.stats().requests;
            expect((await statusJson(flags)).state).toBe('paused');
            expect(mock.stats().requests).toBe(settled);
            const resumed = await runCli([...flags, 'resume', 'colours']);
            expect(resumed.code).toBe(0);
            expect((await statusJson(flags)).state).toBe('running');
            await waitFor(() => mock.stats().requests > settled, { timeoutMs: 10_000, what: 'requests again after resume' });
          } finally {
            await queue?.close();
            redis.disconnect();
            await stop(worker, finished);
          }
        }),
      ),
    );
  });
});
