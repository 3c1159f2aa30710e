/**
 * `pnpm demo`: starts the mock colour API on a free port and runs a 100,000-colour crawl
 * against it through the real `sluice run`, with the default database (./data/sluice.db) and
 * Redis (redis://127.0.0.1:6379, started for you if absent and redis-server is installed).
 * Run it again and it says the crawl is already complete.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startMockApi } from '@sluice/mock-api';

const root = resolve(__dirname, '..');
const count = Number(process.env.DEMO_KEYS ?? 100_000);

async function main(): Promise<number> {
  const mock = await startMockApi({ trackKeys: false });
  process.stderr.write(`mock colour API on ${mock.url}\n`);
  const specDir = join(root, 'data', 'demo');
  mkdirSync(specDir, { recursive: true });
  const specPath = join(specDir, 'colours-demo.json');
  writeFileSync(
    specPath,
    `${JSON.stringify(
      {
        name: 'colours-demo',
        keys: { range: { from: 0, to: count - 1, format: 'hex6' } },
        request: { url: `${mock.url}/id?hex={key}` },
        limits: { concurrency: 100, perSecond: 0 },
        retry: { attempts: 5, baseDelayMs: 200, maxDelayMs: 30000 },
        validate: { keyField: 'hex.clean' },
      },
      null,
      2,
    )}\n`,
  );
  const child = spawn(process.execPath, [join(root, 'apps', 'cli', 'bin', 'sluice.cjs'), 'run', specPath, ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  await mock.close();
  if (code <= 1) {
    process.stderr.write(
      '\nnext: pnpm sluice status colours-demo | pnpm sluice export colours-demo --format csv --fields hex.value,name.value | head\n',
    );
  }
  return code;
}

main().then((code) => process.exit(code));
