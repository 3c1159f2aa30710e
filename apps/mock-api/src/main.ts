import { ExitCode, SluiceError, toError } from '@sluice/core';
import { runMockApiCli } from './cli';

/**
 * Entry point: `npx tsx apps/mock-api/src/main.ts --help`. The only place that touches
 * `process`: signals become one AbortController, errors become one line and an exit code
 * (set `MOCK_API_VERBOSE=1` for the stack).
 */

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());

runMockApiCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, signal: controller.signal }).then(
  () => {
    process.exitCode = ExitCode.ok;
  },
  (thrown: unknown) => {
    const error = toError(thrown);
    const detail = process.env.MOCK_API_VERBOSE === '1' ? (error.stack ?? error.message) : error.message;
    process.stderr.write(`mock-api: ${detail}\n`);
    process.exitCode = error instanceof SluiceError ? error.exitCode : ExitCode.infrastructure;
  },
);
