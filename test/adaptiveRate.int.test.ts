import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedSpec, createCrawl, status, work } from '@sluice/engine';
import { type MockApi, withMockApi } from '@sluice/mock-api';
import { collect, runCli, spawnCli, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec, testEngine } from './helpers';

/**
 * `limits.perSecond: "auto"` against the mock API's unannounced limit (at most L served calls in
 * any sliding second, a bare 429 for the rest). Figures are the mock's own counts, sampled over
 * spans of the test's clock; the conditions have deadlines, never a measured speed. The targets
 * (≥ 85 % of L within 30 s of a start well below it, then < 2 % answered 429, a drop of L
 * followed within 10 s) are measured by `pnpm bench:limits --only adaptive`; here the same
 * behaviour is checked with room for a loaded machine, where the mock API (in this process)
 * stalls and records requests bunched, which it then refuses.
 */

/** Served (200) and refused (429) answers so far, with the time they were read. */
interface Sample {
  atMs: number;
  served: number;
  refused: number;
}

function sampleOf(mock: MockApi): Sample {
  const byStatus = mock.stats().responsesByStatus;
  return { atMs: Date.now(), served: byStatus[200] ?? 0, refused: byStatus[429] ?? 0 };
}

/** Served calls per second, and the share answered 429, between two samples. */
function between(from: Sample, to: Sample): { servedPerSecond: number; refusedShare: number; answers: number } {
  const served = to.served - from.served;
  const refused = to.refused - from.refused;
  const seconds = Math.max(0.001, (to.atMs - from.atMs) / 1000);
  return {
    servedPerSecond: served / seconds,
    refusedShare: served + refused > 0 ? refused / (served + refused) : 0,
    answers: served + refused,
  };
}

/** Records a sample every 250 ms; `rate(spanMs)` is the served rate over the last span. */
function sampler(mock: MockApi) {
  const samples: Sample[] = [sampleOf(mock)];
  const timer = setInterval(() => samples.push(sampleOf(mock)), 250);
  return {
    samples,
    now: () => sampleOf(mock),
    /** The served rate over the last `spanMs`, or 0 until that much was sampled. */
    recentRate(spanMs: number): number {
      const last = samples[samples.length - 1] as Sample;
      const from = samples.find((s) => s.atMs >= last.atMs - spanMs - 1);
      return from && last.atMs - from.atMs >= spanMs - 300 ? between(from, last).servedPerSecond : 0;
    },
    stop: () => clearInterval(timer),
  };
}

const autoLimits = (startPerSecond: number) => ({ concurrency: 40, perSecond: 'auto', adaptive: { startPerSecond } });

describe('adaptive rate (perSecond "auto")', () => {
  test('finds an unannounced limit from far below, then keeps 429s under 2 %, and follows a drop', async () => {
    const limit = 50;
    const dropped = 20;
    await withTempDir((dir) =>
      withRedisPrefix('adaptive', ({ url, prefix }) =>
        withMockApi({ unannouncedPerSecond: limit, trackKeys: false }, async (mock) => {
          const engine = await testEngine(dir, url, prefix);
          const stop = new AbortController();
          const meter = sampler(mock);
          let running: Promise<unknown> = Promise.resolve();
          try {
            const spec = checkedSpec(colourSpec(mock.url, 20_000, { limits: autoLimits(4), queue: { batchSize: 20 } }), 't');
            const { crawl } = await createCrawl(engine, spec, dir);
            running = work(engine, crawl.row.id, { signal: stop.signal, progressIntervalMs: 200 });

            // The crawl comes to run at ≥ 85 % of L (served, over a whole 2 s).
            await waitFor(() => meter.recentRate(2_000) >= 0.85 * limit, { timeoutMs: 60_000, intervalMs: 250, what: '85 % of the limit' });
            // After convergence: few answers are 429 (counted by the mock).
            const converged = meter.now();
            await waitFor(() => meter.now().atMs - converged.atMs >= 6_000, { timeoutMs: 20_000, intervalMs: 100, what: '6 s of crawl' });
            const settled = between(converged, meter.now());
            expect(settled.answers).toBeGreaterThan(100);
            expect(settled.refusedShare).toBeLessThan(0.05);
            expect(settled.servedPerSecond).toBeGreaterThanOrEqual(0.7 * limit);
            const seen = (await status(engine, crawl.row.id))[0]?.adaptiveRate;
            expect(seen).toMatchObject({ phase: 'steady' });
            expect(seen?.ratePerSecond).toBeGreaterThanOrEqual(0.7 * limit);

            // The server comes under load: L drops. The shared rate follows, to at or under it…
            mock.setOptions({ unannouncedPerSecond: dropped });
            await waitFor(async () => ((await status(engine, crawl.row.id))[0]?.adaptiveRate?.ratePerSecond ?? Infinity) <= dropped, {
              timeoutMs: 20_000,
              intervalMs: 200,
              what: 'the adaptive rate to follow the drop',
            });
            // …and, once the answers to requests sent before that have come back, the crawl goes on
            // at the new limit with few refusals.
            const cutDown = meter.now();
            await waitFor(() => meter.now().atMs - cutDown.atMs >= 2_000, { timeoutMs: 20_000, intervalMs: 100, what: '2 s of crawl' });
            const followed = meter.now();
            await waitFor(() => meter.now().atMs - followed.atMs >= 4_000, { timeoutMs: 20_000, intervalMs: 100, what: '4 s of crawl' });
            const after = between(followed, meter.now());
            expect(after.refusedShare).toBeLessThan(0.05);
            expect(after.servedPerSecond).toBeGreaterThanOrEqual(0.6 * dropped);

            stop.abort();
            const summary = (await running) as { failed: number };
            // Throttled keys were retried without using an attempt: none failed.
            expect(summary.failed).toBe(0);
          } finally {
            meter.stop();
            stop.abort();
            await running.catch(() => {});
            await engine.close();
          }
        }),
      ),
    );
  }, 150_000);

  test('two `sluice work` processes share one controller: together they converge, and status shows the shared rate', async () => {
    const limit = 40;
    await withTempDir((dir) =>
      withRedisPrefix('adaptive2p', ({ url, prefix }) =>
        withMockApi({ unannouncedPerSecond: limit, trackKeys: false }, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, 20_000, { limits: autoLimits(4), queue: { batchSize: 20 } })));
          const flags = cliFlags(dir, url, prefix);
          expect((await runCli([...flags, 'crawl', 'create', specPath])).code).toBe(0);
          const meter = sampler(mock);
          const workers = [spawnCli([...flags, 'work', 'colours', '--json']), spawnCli([...flags, 'work', 'colours', '--json'])];
          const done = workers.map(collect);
          try {
            await waitFor(() => meter.recentRate(2_000) >= 0.85 * limit, { timeoutMs: 60_000, intervalMs: 250, what: '85 % of the limit' });
            const converged = meter.now();
            await waitFor(() => meter.now().atMs - converged.atMs >= 5_000, { timeoutMs: 20_000, intervalMs: 100, what: '5 s of crawl' });
            const settled = between(converged, meter.now());
            // One controller: two processes each at the whole rate would draw twice the limit.
            expect(settled.refusedShare).toBeLessThan(0.05);
            const shown = await runCli([...flags, 'status', 'colours', '--json']);
            const parsed = JSON.parse(shown.stdout);
            expect(parsed.workersOnline).toBe(2);
            expect(parsed.adaptiveRate.ratePerSecond).toBeGreaterThan(0.7 * limit);
            expect(parsed.adaptiveRate.ratePerSecond).toBeLessThan(1.2 * limit);
          } finally {
            meter.stop();
            for (const w of workers) if (w.pid !== undefined && w.exitCode === null) process.kill(w.pid, 'SIGTERM');
          }
          const results = await Promise.all(done);
          const summaries = results.map((r) => JSON.parse(r.stdout));
          // Both processes fetched keys, and no key failed for its 429s.
          for (const s of summaries) expect(s.finishedHere).toBeGreaterThan(0);
          for (const s of summaries) expect(s.failed).toBe(0);
        }),
      ),
    );
  }, 150_000);
});
