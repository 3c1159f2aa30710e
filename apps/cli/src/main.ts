import { ExitCode, redactText, SluiceError, toError } from '@sluice/core';
import { CommanderError } from 'commander';
import { buildProgram } from './program';
import { installShutdown } from './shutdown';

/**
 * Entry point of the `sluice` binary. Only here are errors turned into exit codes and one
 * clear line (the stack only with --verbose).
 */
export async function main(argv: string[]): Promise<number> {
  // `sluice export … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.ok);
  });
  const shutdown = installShutdown(process.stderr);
  const result = { code: ExitCode.ok as number };
  const program = buildProgram(
    { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr, signal: shutdown.signal },
    result,
  );
  try {
    await program.parseAsync(argv);
    return result.code;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      return thrown.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const err = toError(thrown);
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    process.stderr.write(`sluice: ${redactText(err.message)}\n`);
    if (verbose && err.stack) process.stderr.write(`${redactText(err.stack)}\n`);
    return err instanceof SluiceError ? err.exitCode : ExitCode.infrastructure;
  }
}

/** Runs the command and exits with its code. */
export function runMain(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
      // Pending timers of libraries must not keep a finished command alive.
      setTimeout(() => process.exit(code), 100).unref();
    },
    (err) => {
      process.stderr.write(`sluice: ${String(err)}\n`);
      process.exit(ExitCode.infrastructure);
    },
  );
}

if (require.main === module) runMain(process.argv);
