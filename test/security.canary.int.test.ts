import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard } from '@sluice/dashboard';
import { type MockApiOptions, withMockApi } from '@sluice/mock-api';
import { openStore } from '@sluice/store';
import {
  type CliResult,
  collect,
  freePort,
  runCli,
  spawnCli,
  startRedisServer,
  waitFor,
  withRedisPrefix,
  withTempDir,
  withTempPostgres,
} from '@sluice/testkit';
import { cliFlags } from './helpers';
import { occurrences, redisBytes, sqliteBytes } from './securityHelpers';

const TOTAL = 2_000;
const hex = (n: number) => n.toString(16).toUpperCase().padStart(6, '0');

/** Scripted trouble for some keys; the rest answer normally (subject to the quota). */
function outcomes(canary: string, mockUrl: string): Record<string, unknown[]> {
  const script: Record<string, unknown[]> = {};
  for (let n = 10; n < 40; n++) script[hex(n)] = [{ status: 429, retryAfter: '0' }, 'ok'];
  for (let n = 40; n < 70; n++) script[hex(n)] = [500, 500, 'ok'];
  for (let n = 70; n < 90; n++) script[hex(n)] = ['reset', 'ok'];
  for (let n = 90; n < 100; n++) script[hex(n)] = [404];
  // An API that echoes the request URL, secret included, in its error message: the failure
  // reason must come out redacted.
  for (let n = 100; n < 105; n++) {
    const echoed = `${mockUrl}/id?hex=${hex(n)}&apikey=${canary}`;
    script[hex(n)] = [
      { status: 200, body: JSON.stringify({ 'Error Message': `Invalid call: ${echoed} (key ${encodeURIComponent(canary)})` }) },
    ];
  }
  return script;
}

async function progressOf(dbPath: string): Promise<number> {
  const store = await openStore(dbPath);
  try {
    const p = await store.ledger.progress(1);
    return p.done + p.failed;
  } finally {
    await store.close();
  }
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

/** The CLI run in-process with `env`, keeping every output for the scan for secrets. */
function recordingCli(env: Record<string, string>): { cli: (args: string[]) => Promise<CliResult>; outputs: CliResult[] } {
  const outputs: CliResult[] = [];
  const cli = async (args: string[]) => {
    const out = await runCli(args, { env });
    outputs.push(out);
    return out;
  };
  return { cli, outputs };
}

/** Runs `fn` with the base URL of a dashboard over the test's ledger and Redis prefix. */
async function withDashboard<T>(dbPath: string, redisUrl: string, prefix: string, fn: (base: string) => Promise<T>): Promise<T> {
  const dashboard = await startDashboard({
    engineConfig: { dbPath, redisUrl, prefix, env: process.env, log: { info() {}, warn() {}, error() {} } },
    port: 0,
  });
  try {
    return await fn(dashboard.url.replace(/\/$/, ''));
  } finally {
    await dashboard.close();
  }
}

/** The dashboard's crawl list, the crawl, its failures and /metrics, each answered 200. */
async function dashboardPages(base: string, crawl: string): Promise<string[]> {
  const pages: string[] = [];
  for (const path of ['/api/crawls', `/api/crawls/${crawl}`, `/api/crawls/${crawl}/failed`, '/metrics']) {
    const res = await get(`${base}${path}`);
    expect(res.status).toBe(200);
    pages.push(res.text);
  }
  return pages;
}

/** A place a secret could land: its name for the failure message, and its bytes. */
type Place = [string, Buffer | string];

/** Each process's stdout and stderr as one place. */
const processPlaces = (outputs: readonly CliResult[]): Place[] => outputs.map((o, i) => [`process ${i}`, `${o.stdout}\n${o.stderr}`]);

/** Each dashboard page as one place. */
const dashboardPlaces = (pages: readonly string[]): Place[] => pages.map((text, i) => [`dashboard ${i}`, text]);

/**
 * Every place a crawl on a SQLite ledger could leak to: its Redis keys, the ledger file (+WAL)
 * read before anything else opened it and again at the end, process outputs, dashboard pages.
 */
function sqliteCrawlPlaces(seen: {
  redis: Buffer;
  ledgerBytes: Buffer;
  dbPath: string;
  outputs: readonly CliResult[];
  pages: readonly string[];
}): Place[] {
  return [
    ['redis', seen.redis],
    ['sqlite+wal', seen.ledgerBytes],
    ['sqlite after', sqliteBytes(seen.dbPath)],
    ...processPlaces(seen.outputs),
    ...dashboardPlaces(seen.pages),
  ];
}

/** Fails naming the place and the needle for any needle found in any place. */
function expectNowhere(needles: readonly string[], places: readonly Place[]): void {
  for (const [where, bytes] of places) {
    for (const needle of needles) expect({ where, needle, count: occurrences(bytes, needle) }).toEqual({ where, needle, count: 0 });
  }
}

describe('secrets never leave worker memory', () => {
  test('a canary API key appears nowhere: Redis, SQLite (+WAL), logs, exports, status, failed, dashboard', async () => {
    const canary = `canary-${randomBytes(16).toString('hex')}`;
    const needles = [canary, encodeURIComponent(canary), canary.slice(7)];
    await withTempDir((dir) =>
      withRedisPrefix('sec-canary', ({ url, prefix }) =>
        withMockApi({ latencyMs: 2, quota: { limit: 400, windowMs: 1_000, mode: 'body' } }, async (mock) => {
          mock.setOptions({ outcomes: outcomes(canary, mock.url) as MockApiOptions['outcomes'] });
          const dbPath = join(dir, 'sluice.db');
          const specPath = join(dir, 'spec.json');
          writeFileSync(
            specPath,
            JSON.stringify({
              name: 'canary',
              keys: { range: { from: 0, to: TOTAL - 1, format: 'hex6' } },
              request: { url: `${mock.url}/id?hex={key}&apikey={env.TEST_API_KEY}` },
              limits: { concurrency: 20 },
              retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
              validate: { keyField: 'hex.clean' },
              queue: { batchSize: 50 },
              responseRules: { throttleWhenFields: ['error'], throttleBodyPauseMs: 200, permanentWhenFields: ['Error Message'] },
            }),
          );
          const env = { TEST_API_KEY: canary };
          const flags = cliFlags(dir, url, prefix);
          const { cli, outputs } = recordingCli(env);

          expect((await cli([...flags, 'crawl', 'create', specPath])).code).toBe(0);
          const victim = spawnCli([...flags, '--log-format', 'json', 'work', 'canary', '--no-progress'], { env });
          const victimDone = collect(victim);
          await waitFor(async () => (await progressOf(dbPath)) > 400, { timeoutMs: 60_000, what: 'the first worker to make progress' });
          victim.kill('SIGKILL');
          outputs.push(await victimDone);
          const survivor = await cli([...flags, '--log-format', 'json', '--verbose', 'run', specPath, '--no-progress', '--json']);
          expect(survivor.code).toBe(1); // complete, with the 404s and echoed errors failed
          expect(JSON.parse(survivor.stdout)).toMatchObject({ complete: true });

          const stats = mock.stats();
          expect(stats.responsesByStatus['429']).toBeGreaterThan(0);
          expect(stats.responsesByStatus['500']).toBeGreaterThan(0);
          expect(stats.resets).toBeGreaterThan(0);
          expect(stats.throttled).toBeGreaterThan(0);

          // Read the ledger files before anything else opens (and checkpoints) them.
          const ledgerBytes = sqliteBytes(dbPath);
          const redis = await redisBytes(url, prefix);
          expect(redis.keys.length).toBeGreaterThan(0);

          const status = await cli([...flags, 'status', 'canary', '--json']);
          const failed = await cli([...flags, 'failed', 'canary', '--json']);
          const jsonl = await cli([...flags, 'export', 'canary', '--format', 'jsonl']);
          const csv = await cli([...flags, 'export', 'canary', '--format', 'csv']);
          for (const out of [status, failed, jsonl, csv]) expect(out.code).toBe(0);
          const failures = JSON.parse(failed.stdout) as Array<{ key: string; errorClass: string; reason: string; status: number }>;
          expect(failures.filter((f) => f.status === 404)).toHaveLength(10);
          const echoed = failures.filter((f) => f.reason.startsWith('Error Message: Invalid call: http://'));
          expect(echoed).toHaveLength(5);
          for (const f of echoed) expect(f.reason).toContain('apikey=***');

          const store = await openStore(dbPath);
          try {
            expect(await store.ledger.recount(1)).toEqual({ done: TOTAL - 15, failed: 15 });
          } finally {
            await store.close();
          }

          const api = await withDashboard(dbPath, url, prefix, async (base) => {
            const pages = await dashboardPages(base, 'canary');
            expect(pages[2]).toContain('apikey=***');
            const pause = await fetch(`${base}/api/crawls/canary/pause`);
            expect(pause.status).toBe(405);
            return pages;
          });

          expectNowhere(needles, sqliteCrawlPlaces({ redis: redis.bytes, ledgerBytes, dbPath, outputs, pages: api }));
        }),
      ),
    );
  });

  test('pool credentials the API echoes (throttle notes, data, errors) appear nowhere: Redis, SQLite, logs, exports, status, dashboard', async () => {
    const names = ['AV_KEY_1', 'AV_KEY_2', 'AV_KEY_3'];
    const values = names.map(() => `canary-${randomBytes(16).toString('hex')}`);
    const env = Object.fromEntries(names.map((n, i) => [n, values[i] as string]));
    const needles = values.flatMap((v) => [v, encodeURIComponent(v), v.slice(7)]);
    const symbols = Array.from({ length: 60 }, (_, i) => `S${i}`);
    await withTempDir((dir) =>
      withRedisPrefix('sec-canary-pool', ({ url, prefix }) =>
        // Every key may send 3 a second; Sluice believes 5, so throttle notes quoting the key come back.
        withMockApi({ keyQuotas: [{ limit: 3, windowMs: 1_000, mode: 'body' }], invalidApiKeys: [values[2] as string] }, async (mock) => {
          const echo = `served for ${values[0]} and ${values[1]}`;
          mock.setOptions({
            outcomes: {
              ECHO: [{ status: 200, body: JSON.stringify({ Symbol: 'ECHO', Name: echo }) }],
              ERR: [{ status: 200, body: JSON.stringify({ 'Error Message': `bad call with apikey=${values[0]} (${echo})` }) }],
            },
          });
          const dbPath = join(dir, 'sluice.db');
          const specPath = join(dir, 'spec.json');
          writeFileSync(
            specPath,
            JSON.stringify({
              name: 'canary-pool',
              preset: 'alphavantage',
              keys: { list: [...symbols, 'ECHO', 'ERR'] },
              request: { baseUrl: `${mock.url}/query` },
              credentials: { env: names, limits: { perSecond: 5, perMinute: 0, perDay: 0 } },
              responseRules: { throttleBodyPauseMs: 200 },
              queue: { batchSize: 16 },
            }),
          );
          const flags = cliFlags(dir, url, prefix);
          const { cli, outputs } = recordingCli(env);
          const run = await cli([...flags, '--log-format', 'json', '--verbose', 'run', specPath, '--no-progress', '--json']);
          expect(run.code).toBe(1); // complete, with ERR failed
          expect(JSON.parse(run.stdout)).toMatchObject({ complete: true, done: 61, failed: 1 });
          const perKey = mock.apiKeyStats();
          expect((perKey[values[0] as string]?.throttled ?? 0) + (perKey[values[1] as string]?.throttled ?? 0)).toBeGreaterThan(0);
          expect(perKey[values[2] as string]?.rejected).toBe(1);

          const ledgerBytes = sqliteBytes(dbPath);
          const redis = await redisBytes(url, prefix);
          expect(redis.keys.some((k) => k.includes('credential:AV_KEY_1'))).toBe(true);
          const status = await cli([...flags, 'status', 'canary-pool', '--json']);
          expect(JSON.parse(status.stdout).credentials.map((c: { state: string }) => c.state)).toContain('retired');
          const failed = await cli([...flags, 'failed', 'canary-pool', '--json']);
          const jsonl = await cli([...flags, 'export', 'canary-pool', '--format', 'jsonl']);
          expect(jsonl.stdout).toContain('served for *** and ***');
          const csv = await cli([...flags, 'export', 'canary-pool', '--format', 'csv']);
          for (const out of [status, failed, jsonl, csv]) expect(out.code).toBe(0);

          const api = await withDashboard(dbPath, url, prefix, (base) => dashboardPages(base, 'canary-pool'));
          expect(api[3]).toContain('sluice_credential_state{crawl="canary-pool",credential="AV_KEY_3",state="retired"} 1');

          expectNowhere(needles, sqliteCrawlPlaces({ redis: redis.bytes, ledgerBytes, dbPath, outputs, pages: api }));
        }),
      ),
    );
  });

  test('a Redis password works end to end and is never printed; rediss:// is accepted and redacted', async () => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const redisDir = mkdtempSync(join(tmpdir(), 'sluice-pw-redis-'));
    const server = await startRedisServer(redisDir, { password });
    const redisUrl = server.url;
    const port = server.port;
    try {
      await withTempDir((dir) =>
        withMockApi({}, async (mock) => {
          const specPath = join(dir, 'spec.json');
          writeFileSync(
            specPath,
            JSON.stringify({
              name: 'pw',
              keys: { range: { from: 0, to: 199, format: 'hex6' } },
              request: { url: `${mock.url}/id?hex={key}` },
            }),
          );
          const flags = ['--db', join(dir, 'sluice.db'), '--redis', redisUrl, '--prefix', 'sec-pw'];
          const outs = [
            await runCli([...flags, 'run', specPath, '--no-progress']),
            await runCli([...flags, '--log-format', 'json', '--verbose', 'status', 'pw']),
            await runCli([...flags, 'status', 'pw', '--json']),
            await runCli([...flags, 'failed', 'pw', '--json']),
            await runCli(['--db', join(dir, 'sluice.db'), 'status', 'pw'], { env: { REDIS_URL: redisUrl, SLUICE_PREFIX: 'sec-pw' } }),
          ];
          expect(outs[0]?.code).toBe(0);
          expect(JSON.parse(outs[2]?.stdout ?? '{}')).toMatchObject({ done: 200, state: 'done' });
          const wrong = await runCli([
            '--db',
            join(dir, 'sluice.db'),
            '--redis',
            `redis://:wrong-${password}@127.0.0.1:${port}`,
            'status',
            'pw',
            '--json',
          ]);
          outs.push(wrong);
          const tlsPort = await freePort();
          const tls = await runCli([
            '--db',
            join(dir, 'sluice.db'),
            '--redis',
            `rediss://:${password}@127.0.0.1:${tlsPort}`,
            'run',
            specPath,
          ]);
          expect(tls.code).toBe(3);
          expect(tls.stderr).toContain('rediss://');
          outs.push(tls);
          for (const out of outs) {
            expect(`${out.stdout}${out.stderr}`).not.toContain(password);
            expect(out.stderr).not.toContain('\n    at ');
          }
        }),
      );
    } finally {
      await server.stop();
      rmSync(redisDir, { recursive: true, force: true });
    }
  });

  test('a postgres:// URL password appears nowhere: logs, status, failed, export, dashboard, Redis, errors', async () => {
    const canary = `pgcanary-${randomBytes(12).toString('hex')}`;
    await withTempDir((dir) =>
      withTempPostgres((plainUrl) =>
        withRedisPrefix('sec-pg', ({ url, prefix }) =>
          withMockApi({ outcomes: { '000007': [404] } }, async (mock) => {
            // The test server trusts loopback, so any password is accepted: what matters is where it shows.
            const db = new URL(plainUrl);
            db.password = canary;
            const dbUrl = db.toString();
            const specPath = join(dir, 'spec.json');
            writeFileSync(
              specPath,
              JSON.stringify({
                name: 'pgsec',
                keys: { range: { from: 0, to: 199, format: 'hex6' } },
                request: { url: `${mock.url}/id?hex={key}` },
                validate: { keyField: 'hex.clean' },
              }),
            );
            const flags = ['--db', dbUrl, '--redis', url, '--prefix', prefix];
            const outs = [
              await runCli([...flags, '--log-format', 'json', '--verbose', 'run', specPath, '--no-progress', '--json']),
              await runCli([...flags, 'run', specPath, '--no-progress']),
              await runCli([...flags, 'status', 'pgsec', '--json']),
              await runCli(['--redis', url, '--prefix', prefix, '--verbose', 'status', 'pgsec'], { env: { SLUICE_DB: dbUrl } }),
              await runCli([...flags, 'failed', 'pgsec', '--json']),
              await runCli([...flags, 'export', 'pgsec', '--format', 'csv']),
              await runCli([...flags, 'status', 'no-such-crawl']),
            ];
            expect(outs[0]?.code).toBe(1); // complete, one 404
            expect(JSON.parse(outs[0]?.stdout ?? '{}')).toMatchObject({ complete: true, done: 199, failed: 1 });
            expect(JSON.parse(outs[2]?.stdout ?? '{}')).toMatchObject({ done: 199, failed: 1, state: 'done' });
            expect(outs[6]?.code).toBe(2);
            const refusedDb = new URL(dbUrl);
            refusedDb.pathname = '/sluice_no_such_db';
            refusedDb.port = String(await freePort());
            for (const target of [refusedDb.toString(), dbUrl.replace(/\/[^/]*$/, '/sluice_no_such_db')]) {
              const refused = await runCli(['--db', target, '--verbose', 'status']);
              expect(refused.code).toBe(3);
              outs.push(refused);
            }

            const api = await withDashboard(dbUrl, url, prefix, async (base) => {
              const page = await get(`${base}/`);
              expect(page.status).toBe(200);
              return [page.text, ...(await dashboardPages(base, 'pgsec')), (await get(`${base}/api/crawls/nope`)).text];
            });
            const redis = await redisBytes(url, prefix);
            expect(redis.keys.length).toBeGreaterThan(0);

            expectNowhere([canary], [['redis', redis.bytes], ...processPlaces(outs), ...dashboardPlaces(api)]);
          }),
        ),
      ),
    );
  });

  test('an API echoing the request back in its error text: no form of any secret survives (URL-serialized, form, JSON, Basic, cut)', async () => {
    const tag = randomBytes(6).toString('hex');
    // A quote (the URL serializer sends %27), a space (+ in a form), +, /, é, brackets.
    const urlSecret = `it's q-${tag} +/é(x)!`;
    const headerSecret = `hdr-${tag}"\\value`;
    const password = `pw-${tag}:with colon`;
    const basic = Buffer.from(`alice:${password}`).toString('base64');
    const secrets = [urlSecret, headerSecret, password, basic];
    const { server, url: echoUrl } = await startEchoServer();
    try {
      await withTempDir((dir) =>
        withRedisPrefix('sec-echo', async ({ url, prefix }) => {
          const dbPath = join(dir, 'sluice.db');
          const specPath = join(dir, 'spec.json');
          writeFileSync(
            specPath,
            JSON.stringify({
              name: 'echo',
              keys: { list: ECHO_KEYS },
              request: {
                url: `${echoUrl}/q?sym={key}&apikey={env.ECHO_URL_SECRET}`,
                headers: { Authorization: 'Basic {env.ECHO_BASIC}', 'X-Api-Key': '{env.ECHO_HEADER_SECRET}' },
              },
              retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
              responseRules: { permanentWhenFields: ['Error Message'] },
            }),
          );
          const env = { ECHO_URL_SECRET: urlSecret, ECHO_HEADER_SECRET: headerSecret, ECHO_BASIC: basic };
          const flags = cliFlags(dir, url, prefix);
          const run = await runCli([...flags, '--log-format', 'json', '--verbose', 'run', specPath, '--no-progress', '--json'], { env });
          expect(run.code).toBe(1); // complete, every echo failed
          const status = await runCli([...flags, 'status', 'echo', '--json'], { env });
          const failed = await runCli([...flags, 'failed', 'echo', '--json'], { env });
          const failures = JSON.parse(failed.stdout) as Array<{ key: string; errorClass: string; reason: string }>;
          expect(failures.map((f) => f.key).sort()).toEqual([...ECHO_KEYS].sort());
          for (const f of failures) {
            expect({ key: f.key, errorClass: f.errorClass, masked: f.reason.includes('***') }).toEqual({
              key: f.key,
              errorClass: 'PermanentError',
              masked: true,
            });
            expect(f.reason.length).toBeLessThanOrEqual(300);
          }
          expect(JSON.parse(status.stdout)).toMatchObject({
            failed: ECHO_KEYS.length,
            errorsByClass: { PermanentError: ECHO_KEYS.length },
          });

          expectNowhere(secrets.flatMap(secretNeedles), [
            ['redis', (await redisBytes(url, prefix)).bytes],
            ['sqlite+wal', sqliteBytes(dbPath)],
            ...processPlaces([run, status, failed]),
          ]);
        }),
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** One key per way of echoing the request; the server answers each with an "Error Message" body. */
const ECHO_KEYS = ['url', 'decoded', 'form', 'json', 'basic', 'basicDecoded', 'doubled', 'cutAt200', 'cutAt300'];

/** A loopback API that puts the request it received (URL, headers) into its error message. */
async function startEchoServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://echo');
    const apikey = target.searchParams.get('apikey') ?? '';
    const auth = String(req.headers.authorization ?? '');
    const credential = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8');
    const echoes: Record<string, string> = {
      url: `Invalid call: GET ${req.url}`,
      decoded: `Invalid API key ${apikey} for ${decodeURIComponent(req.url ?? '')}`,
      form: `Invalid form ${new URLSearchParams({ apikey, header: String(req.headers['x-api-key']) }).toString()}`,
      json: `Invalid headers ${JSON.stringify(req.headers)}`,
      basic: `Rejected Authorization: ${auth}`,
      basicDecoded: `Rejected user ${credential} (password ${credential.slice(credential.indexOf(':') + 1)})`,
      doubled: `Invalid call ${encodeURIComponent(req.url ?? '')}`,
      // "Error Message: " is 15 characters: these put the key across the old and the new cut.
      cutAt200: `${'.'.repeat(200 - 15 - 6)}${apikey} ${String(req.headers['x-api-key'])}`,
      cutAt300: `${'.'.repeat(300 - 15 - 6)}${apikey} ${String(req.headers['x-api-key'])}`,
    };
    const message = echoes[target.searchParams.get('sym') ?? ''] ?? 'unknown';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ 'Error Message': message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Forms of a secret that must not appear anywhere, and every 8-character piece of it. */
function secretNeedles(secret: string): string[] {
  const serialized = new URL(`http://h/?k=${encodeURIComponent(secret)}`).search.slice(3);
  const forms = [
    secret,
    encodeURIComponent(secret),
    serialized,
    new URLSearchParams({ k: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString('base64').slice(0, -4),
  ];
  const pieces = Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8)).filter((p) => !/^[.\s]*$/.test(p));
  return [...new Set([...forms, ...pieces])];
}
