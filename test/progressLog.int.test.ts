import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMockApi } from '@sluice/mock-api';
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

const PROGRESS_TEXT =
  /^progress colours: \d+\/\d+ \([\d.]+%\), [\d.]+ items\/s, ETA \S+, failed \d+, in flight \d+, breaker (closed|open|half-open)/;

describe('progress and events in a log nobody watches (stderr not a TTY)', () => {
  test('text: a progress line every --log-interval, and pause, resume and throttle pauses as they happen', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('progresstext', ({ url, prefix }) =>
        withMockApi({ latencyMs: 10, outcomes: { '00000A': [{ status: 429, retryAfter: '1' }, 'ok'] } }, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, 2_000, { limits: { concurrency: 4 } })));
          const flags = cliFlags(dir, url, prefix);
          // Output goes to pipes, as with `sluice run spec > log 2>&1`.
          const child = spawnCli([...flags, 'run', specPath, '--log-interval', '1s']);
          const stderr = liveStderr(child);
          const finished = collect(child);
          try {
            await waitFor(() => (stderr().match(/^progress /gm) ?? []).length >= 1, { timeoutMs: 30_000, what: 'a progress line' });
            expect((await runCli([...flags, 'pause', 'colours'])).code).toBe(0);
            await waitFor(() => stderr().includes('paused (sluice pause or the dashboard): no new requests until resumed'), {
              what: 'the pause event',
            });
            expect((await runCli([...flags, 'resume', 'colours'])).code).toBe(0);
            await waitFor(() => stderr().includes('resumed: requests start again'), { what: 'the resume event' });
            const result = await finished;
            expect(result.code).toBe(0);
            const lines = result.stderr.split('\n');
            const progress = lines.filter((l) => l.startsWith('progress '));
            expect(progress.length).toBeGreaterThanOrEqual(2);
            for (const line of progress) expect(line).toMatch(PROGRESS_TEXT);
            expect(lines.some((l) => l.includes('progress') && l.includes(', paused'))).toBe(true);
            expect(result.stderr).toMatch(/^warn: throttled by the API: every request of the crawl waits [\d.]+ s/m);
            // Text lines carry no JSON appendix.
            expect(result.stderr).not.toContain('{"event"');
          } finally {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await finished;
          }
        }),
      ),
    );
  });

  test('json: progress lines with their figures as fields; --log-interval 0 turns them off', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('progressjson', ({ url, prefix }) =>
        withMockApi({ latencyMs: 10 }, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, 1_500, { limits: { concurrency: 4 } })));
          const flags = [...cliFlags(dir, url, prefix), '--log-format', 'json'];
          const result = await runCli([...flags, 'run', specPath, '--json', '--log-interval', '500ms']);
          expect(result.code).toBe(0);
          const progress = result.stderr
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l))
            .filter((l) => l.event === 'progress');
          expect(progress.length).toBeGreaterThanOrEqual(2);
          for (const p of progress) {
            expect(p).toMatchObject({ level: 'info', crawl: 'colours', total: 1_500, failed: 0, breaker: 'closed', paused: false });
            expect(p.done).toBeGreaterThanOrEqual(0);
            expect(p.percent).toBeLessThanOrEqual(100);
            expect(typeof p.itemsPerSec).toBe('number');
            expect(p).toHaveProperty('etaSeconds');
            expect(typeof p.time).toBe('string');
          }
          // Progress only grows.
          const done = progress.map((p) => p.done as number);
          expect([...done].sort((a, b) => a - b)).toEqual(done);

          const quietSpec = join(dir, 'quiet.json');
          writeFileSync(quietSpec, JSON.stringify(colourSpec(mock.url, 1_500, { name: 'quiet', limits: { concurrency: 4 } })));
          const quiet = await runCli([...flags, 'run', quietSpec, '--json', '--log-interval', '0']);
          expect(quiet.code).toBe(0);
          expect(JSON.parse(quiet.stdout)).toMatchObject({ crawl: 'quiet', complete: true, finishedHere: 1_500 });
          expect(quiet.stderr).not.toContain('"event":"progress"');
        }),
      ),
    );
  });
});
