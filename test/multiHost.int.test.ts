import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maxInAnyWindow } from '@sluice/limiter';
import { withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import {
  collect,
  createTestNetwork,
  killGroup,
  loopStallMeter,
  netnsUnavailable,
  REPO_ROOT,
  runCli,
  startPostgresServer,
  startRedisServer,
  waitFor,
  withTempDir,
} from '@sluice/testkit';

const KEYS = 50_000;
const PER_SECOND = 2_500;
/** Longest the dead host's in-flight keys may wait before another host runs them again. */
const RERUN_WITHIN_MS = 15_000;
const CLI_BIN = join(REPO_ROOT, 'apps', 'cli', 'bin', 'sluice.cjs');

const unavailable = netnsUnavailable();
const netnsTest = unavailable === null ? test : test.skip;
if (unavailable !== null) process.stderr.write(`multi-host test skipped: ${unavailable}\n`);

async function ledgerCounts(db: string): Promise<{ done: number; failed: number; distinct: number }> {
  const store = await openStore(db);
  try {
    const counts = await store.ledger.recount(1);
    const keys = new Set<string>();
    for await (const r of store.ledger.iterateResults(1)) keys.add(r.key);
    return { ...counts, distinct: keys.size };
  } finally {
    await store.close();
  }
}

async function finishedSoFar(db: string): Promise<number> {
  const store = await openStore(db);
  try {
    return (await store.ledger.progress(1)).done;
  } finally {
    await store.close();
  }
}

/**
 * Two worker hosts (network namespaces) and a hub (Redis, a PostgreSQL cluster of the test's
 * own and the mock API, all on the bridge address): the hosts share nothing but the network.
 */
describe(`several hosts${unavailable === null ? '' : ` (skipped: ${unavailable})`}`, () => {
  netnsTest(
    'a 50,000-key crawl with a global perSecond limit on two hosts; one host is cut off and killed mid-crawl; the other finishes exactly once, re-running the dead host’s in-flight keys within 15 s, no second over the limit',
    async () => {
      await withTempDir((pgDir) =>
        withTempDir(async (dir) => {
          const network = createTestNetwork(2);
          const workers: ChildProcess[] = [];
          try {
            const hub = network.hubAddress;
            const redis = await startRedisServer(dir, { bind: hub });
            const pg = await startPostgresServer(pgDir, { host: hub, clientCidr: `${hub}/${network.prefixLength}` });
            try {
              await withMockApi({ host: hub, latencyMs: 100, recordArrivals: true }, async (mock) => {
                const db = pg.url();
                const specPath = join(dir, 'spec.json');
                const spec = {
                  name: 'colours',
                  keys: { range: { from: 0, to: KEYS - 1, format: 'hex6' } },
                  request: { url: `${mock.url}/id?hex={key}` },
                  limits: { concurrency: 200, perSecond: PER_SECOND },
                  queue: { batchSize: 50, highWater: 40 },
                  validate: { keyField: 'hex.clean' },
                };
                writeFileSync(specPath, JSON.stringify(spec));
                const flags = ['--db', db, '--redis', redis.url, '--prefix', `multihost-${process.pid}`];
                // Created from the hub (this also builds the CLI bundle once, before the hosts start it).
                expect((await runCli([...flags, 'crawl', 'create', specPath])).code).toBe(0);

                const t0 = Date.now();
                // The mock records arrivals in this process, up to a stall of its event loop late.
                const stall = loopStallMeter();
                const started = network.hosts.map((host) => {
                  const child = host.spawn(process.execPath, [CLI_BIN, ...flags, 'work', 'colours', '--json', '--no-progress']);
                  workers.push(child);
                  return { child, result: collect(child) };
                });
                const [doomed, survivor] = started;
                if (!doomed || !survivor) throw new Error('two hosts expected');

                await waitFor(async () => (await finishedSoFar(db)) >= KEYS * 0.25, {
                  timeoutMs: 60_000,
                  intervalMs: 200,
                  what: 'a quarter of the keys',
                });
                const cutAt = Date.now();
                network.hosts[0]?.cutLink();
                killGroup(doomed.child);
                await doomed.result;

                const result = await survivor.result;
                const doneAt = Date.now();
                expect({ code: result.code, stderr: result.stderr.slice(-500) }).toEqual({ code: 0, stderr: expect.any(String) });
                // Every key exactly once in the PostgreSQL ledger.
                expect(await ledgerCounts(db)).toEqual({ done: KEYS, failed: 0, distinct: KEYS });

                const log = mock.arrivalLog();
                // Sends within one second are recorded within one second less the stall (see loopStallMeter).
                const stallMs = stall.stop();
                expect(
                  maxInAnyWindow(
                    log.map((a) => a.at),
                    1000 - stallMs,
                  ),
                ).toBeLessThanOrEqual(PER_SECOND);
                // Keys the dead host had sent but never committed arrive twice: once before the cut,
                // once from the surviving host, soon after.
                const byKey = new Map<string, number[]>();
                for (const a of log) byKey.set(a.key, [...(byKey.get(a.key) ?? []), a.at]);
                const rerun = [...byKey.values()].filter((times) => times.length > 1 && (times[0] as number) < cutAt);
                expect(rerun.length).toBeGreaterThan(0);
                const slowest = Math.max(...rerun.map((times) => (times.find((t) => t >= cutAt) ?? Number.POSITIVE_INFINITY) - cutAt));
                process.stderr.write(
                  `multi-host: cut after ${cutAt - t0} ms, crawl done ${doneAt - t0} ms after the workers started; ` +
                    `${rerun.length} in-flight keys of the dead host re-run, the last ${Math.round(slowest)} ms after the cut\n`,
                );
                expect(slowest).toBeLessThanOrEqual(RERUN_WITHIN_MS);
              });
            } finally {
              for (const child of workers) killGroup(child);
              await redis.stop();
              pg.stop();
            }
          } finally {
            network.destroy();
          }
        }),
      );
    },
    // Bounded: about a minute on an idle 2-core machine; the margin is for a loaded CI runner.
    240_000,
  );
});
