import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrawlStatus } from '@sluice/engine';
import { withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import { type CliResult, collect, runCli, spawnCli, waitFor, withRedisPrefix, withTempDir } from '@sluice/testkit';
import { colourSpec } from './helpers';

const CONCURRENCY = 20;
const TOTAL = 20_000;

/**
 * Runs `fn` with a small tmpfs mounted on `dir/ledger`: a real filesystem that fills up, so
 * SQLite reports SQLITE_FULL (`database or disk is full`) as it would on a full disk.
 * `grow(mb)` frees space by enlarging it. Always unmounted afterwards.
 */
async function withSmallDisk<T>(dir: string, sizeKb: number, fn: (mount: string, grow: (mb: number) => void) => Promise<T>): Promise<T> {
  const mount = join(dir, 'ledger');
  mkdirSync(mount);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', mount]);
  try {
    return await fn(mount, (mb) => execFileSync('mount', ['-o', `remount,size=${mb}m`, mount]));
  } finally {
    execFileSync('umount', ['-l', mount]);
  }
}

async function ledgerFacts(dbPath: string) {
  const store = await openStore(dbPath);
  try {
    return { integrity: await store.integrityCheck(), counts: await store.ledger.recount(1), progress: await store.ledger.progress(1) };
  } finally {
    await store.close();
  }
}

/** Waits for a subprocess; one that outlives the test's budget is killed (a loop must not outlive the test). */
async function collectOrKill(child: ChildProcess, timeoutMs = 90_000): Promise<CliResult> {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await collect(child);
  } finally {
    clearTimeout(timer);
  }
}

/** JSON log lines of a run (`--log-format json`). */
function logLines(stderr: string): Array<{ time: string; level: string; msg: string; event?: string }> {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

describe('a ledger that cannot be written (disk full)', () => {
  test('stops fetching at the first failed write, says why, exits 4 after --ledger-retry; the ledger stays sound and resumes once space is freed', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('ledgerfull', ({ url, prefix }) =>
        withMockApi({ latencyMs: 2, recordArrivals: true }, (mock) =>
          withSmallDisk(dir, 1024, async (mount, grow) => {
            const db = join(mount, 'sluice.db');
            const flags = ['--db', db, '--redis', url, '--prefix', prefix, '--log-format', 'json'];
            const specPath = join(dir, 'spec.json');
            writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, TOTAL, { limits: { concurrency: CONCURRENCY } })));

            const child = spawnCli([...flags, 'run', specPath, '--json', '--ledger-retry', '2s']);
            const run = await collectOrKill(child);
            expect(run.code).toBe(4);
            const lines = logLines(run.stderr);
            const failures = lines.filter((l) => l.event === 'ledger-unwritable');
            // One line naming the driver's cause, not one per retry.
            expect(failures).toHaveLength(1);
            expect(failures[0]?.msg).toContain('database or disk is full');
            expect(run.stderr).toContain('sluice: the ledger could not be written');

            // No request was sent after the first failed write but those already in flight.
            const failedAt = Date.parse(failures[0]?.time ?? '');
            const after = mock.arrivals().filter((at) => at > failedAt).length;
            expect(after).toBeLessThanOrEqual(CONCURRENCY);
            // No batch was fetched again and again: every request is a committed key, or one of at
            // most three rounds: those in the failed transaction, those that finished while it was
            // being written, and those their freed slots admitted before the failure closed the hold.
            grow(64);
            const ledger = await ledgerFacts(db);
            expect(ledger.integrity).toBe('ok');
            expect(ledger.counts).toEqual(ledger.progress);
            expect(ledger.progress.done).toBeGreaterThan(0);
            expect(ledger.progress.done).toBeLessThan(TOTAL);
            expect(mock.stats().requests - ledger.progress.done).toBeLessThanOrEqual(3 * CONCURRENCY);

            // Space freed: the same command finishes the crawl.
            const again = await runCli([...flags, 'run', specPath, '--json']);
            expect(again.code).toBe(0);
            const final = await ledgerFacts(db);
            expect(final.integrity).toBe('ok');
            expect(final.counts).toEqual({ done: TOTAL, failed: 0 });
          }),
        ),
      ),
    );
  });

  test('while writes fail, status shows it and nothing is fetched; once space is freed the same worker goes on to the end', async () => {
    await withTempDir((dir) =>
      withRedisPrefix('ledgerheal', ({ url, prefix }) =>
        withMockApi({ latencyMs: 2 }, (mock) =>
          withSmallDisk(dir, 1024, async (mount, grow) => {
            const db = join(mount, 'sluice.db');
            const flags = ['--db', db, '--redis', url, '--prefix', prefix];
            const specPath = join(dir, 'spec.json');
            writeFileSync(specPath, JSON.stringify(colourSpec(mock.url, TOTAL, { limits: { concurrency: CONCURRENCY } })));
            const worker = spawnCli([...flags, 'run', specPath, '--json', '--ledger-retry', '60s']);
            const finished = collect(worker);
            try {
              const held = await waitFor(
                async () => {
                  const out = await runCli([...flags, 'status', 'colours', '--json']);
                  const s = out.code === 0 ? (JSON.parse(out.stdout) as CrawlStatus) : null;
                  // Requests already in flight when the first write failed finish; then none starts.
                  // A heartbeat may be written before they have finished, so wait for the held state.
                  return s?.health === 'ledger-unwritable' && s.inFlight === 0 ? s : null;
                },
                { timeoutMs: 60_000, what: 'status to report the unwritable ledger with nothing in flight' },
              );
              expect(held.ledgerError).toContain('database or disk is full');
              const text = await runCli([...flags, 'status', 'colours']);
              expect(text.stdout).toContain('ledger not writable: database or disk is full');
              // Held: no request while a status call runs.
              const before = mock.stats().requests;
              expect((await runCli([...flags, 'status', 'colours', '--json'])).code).toBe(0);
              expect(mock.stats().requests).toBe(before);

              grow(64);
              const result = await finished;
              expect(result.code).toBe(0);
              expect(result.stderr).toContain('ledger writable again');
              const final = await ledgerFacts(db);
              expect(final.integrity).toBe('ok');
              expect(final.counts).toEqual({ done: TOTAL, failed: 0 });
            } finally {
              if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
              await finished;
            }
          }),
        ),
      ),
    );
  });
});
