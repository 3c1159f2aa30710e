import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrawlStatus } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import { collect, runCli, spawnCli, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { cliFlags, colourSpec } from './helpers';

/** Collects a child's stderr live, so a test can wait for a line while the child runs. */
function liveStderr(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return () => text;
}

function events(stderr: string, event: string): Array<{ msg: string; outageMs?: number }> {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((l) => l.event === event);
}

async function progressOf(dir: string) {
  const store = await openStore(join(dir, 'sluice.db'));
  try {
    return { ...(await store.ledger.progress(1)), integrity: await store.integrityCheck() };
  } finally {
    await store.close();
  }
}

async function stop(child: ChildProcess, closed: Promise<unknown>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await closed;
}

describe('an unreachable endpoint is loud and bounded', () => {
  test('a dead endpoint is logged at once with host and error, shows in status, and the run gives up after --max-outage with exit 5', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('outagedead', async ({ url, prefix }) => {
        const specPath = join(dir, 'spec.json');
        writeFileSync(specPath, JSON.stringify(colourSpec('http://127.0.0.1:1', 200, { limits: { concurrency: 5 } })));
        const flags = cliFlags(dir, url, prefix);
        const child = spawnCli([...flags, '--log-format', 'json', 'run', specPath, '--json', '--max-outage', '30s']);
        const stderr = liveStderr(child);
        const finished = collect(child);
        try {
          const [first] = await waitFor(() => (events(stderr(), 'outage').length > 0 ? events(stderr(), 'outage') : null), {
            timeoutMs: 20_000,
            what: 'the outage to be logged',
          });
          expect(first?.msg).toContain('endpoint 127.0.0.1:1 unreachable');
          expect(first?.msg).toContain('ECONNREFUSED 127.0.0.1:1');
          expect(first?.msg).toContain('gives up after 30 s');
          // The worker is still waiting out its 30 s: both status forms show the outage.
          const s = await waitFor(
            async () => {
              const out = await runCli([...flags, 'status', 'colours', '--json']);
              const st = JSON.parse(out.stdout) as CrawlStatus;
              return st.health === 'outage' ? st : null;
            },
            { timeoutMs: 10_000, what: 'status to show the outage' },
          );
          expect(s.outageSince).not.toBeNull();
          expect(s.breaker).not.toBe('closed');
          expect(s.workersOnline).toBe(1);
          const text = await runCli([...flags, 'status', 'colours']);
          expect(text.stdout).toContain('health outage');
          expect(text.stdout).toContain('endpoint unreachable since');

          const result = await finished;
          expect(result.code).toBe(5);
          expect(result.stderr).toMatch(/sluice: endpoint 127\.0\.0\.1:1 unreachable for \d+ s .*ECONNREFUSED 127\.0\.0\.1:1.*gave up/);
          expect(await progressOf(dir)).toMatchObject({ done: 0, integrity: 'ok' });
        } finally {
          await stop(child, finished);
        }
      }),
    );
  });

  test('after answers, an outage waits and logs its start and end; with --max-outage it gives up with exit 5', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('outagemid', ({ url, prefix }) =>
        withMockApi({ latencyMs: 2 }, async (mock) => {
          const total = 3_000;
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, total, { limits: { concurrency: 5 } })));
          const flags = [...cliFlags(dir, url, prefix), '--log-format', 'json'];

          // Bounded: a storm that never ends, and --max-outage 2s.
          const bounded = spawnCli([...flags, 'run', specPath, '--json', '--max-outage', '2s']);
          const boundedDone = collect(bounded);
          try {
            await waitFor(async () => (await progressOf(dir)).done > 100, { timeoutMs: 30_000, what: 'progress before the storm' });
            mock.startStorm({ status: 502 });
            const result = await boundedDone;
            expect(result.code).toBe(5);
            expect(events(result.stderr, 'outage')[0]?.msg).toContain('502');
            expect(result.stderr).toContain('gave up (--max-outage 2.0 s)');
            const at = await progressOf(dir);
            expect(at.done).toBeLessThan(total);
            expect(at.integrity).toBe('ok');
          } finally {
            mock.stopStorm();
            await stop(bounded, boundedDone);
          }

          // Unbounded: the same crawl waits out a 4 s storm (no give-up after answers) and finishes.
          const waiting = spawnCli([...flags, 'run', specPath, '--json']);
          const waitingDone = collect(waiting);
          try {
            const before = (await progressOf(dir)).done;
            await waitFor(async () => (await progressOf(dir)).done > before + 100, {
              timeoutMs: 30_000,
              what: 'progress before the second storm',
            });
            mock.startStorm({ status: 502, durationMs: 4_000 });
            const result = await waitingDone;
            expect(result.code).toBe(0);
            expect(events(result.stderr, 'outage')[0]?.msg).toContain('waits for it to come back');
            expect(events(result.stderr, 'outage-end').length).toBeGreaterThanOrEqual(1);
            expect(await progressOf(dir)).toMatchObject({ done: total, failed: 0, integrity: 'ok' });
          } finally {
            await stop(waiting, waitingDone);
          }
        }),
      ),
    );
  });
});
