/**
 * Test fixture, not part of the package: one worker process for `processes.int.test.ts`.
 * Run as `node --import tsx hammerProcess.ts '<json options>'`. Prints `ready`, waits for a
 * `go` line on stdin, hammers acquire with `callers` loops for `durationMs`, then prints one
 * JSON line `{"admits":[redis ms, ...]}` and exits.
 */
import { createInterface } from 'node:readline';
import type { CrawlScope } from '@sluice/queue';
import { createSharedLimiter } from './sharedLimiter';
import { hammer, testClient } from './testSupport';
import type { LimiterLimits } from './windows';

interface HammerOptions {
  url: string;
  scope: CrawlScope;
  limits: LimiterLimits;
  callers: number;
  durationMs: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as HammerOptions;
  const redis = testClient(options.url);
  const admits: number[] = [];
  const limiter = createSharedLimiter({ ...options, redis, holderId: `pid${process.pid}`, onAdmit: (t) => admits.push(t) });
  await redis.ping();
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of lines) if (line.trim() === 'go') break;
  lines.close();
  const signal = AbortSignal.timeout(options.durationMs);
  await Promise.all(Array.from({ length: options.callers }, () => hammer(limiter, signal)));
  limiter.close();
  process.stdout.write(`${JSON.stringify({ admits })}\n`);
  await redis.quit();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
