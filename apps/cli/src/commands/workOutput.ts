import { ExitCode } from '@sluice/core';
import { describeLedger, type WorkSummary } from '@sluice/engine';
import type { CommandContext } from '../context';
import { createProgressLine, formatDuration } from '../progressLine';

/** Progress callback for `run`/`work`: a live line on a TTY, nothing otherwise. */
export function progressReporter(ctx: CommandContext, enabled: boolean) {
  if (!enabled || !ctx.stderr.isTTY) return { onProgress: undefined, stop: () => {} };
  const line = createProgressLine(ctx.stderr);
  return { onProgress: line.update, stop: line.stop };
}

/** The closing summary of `run`/`work`, as text or JSON on stdout. */
export function printWorkSummary(ctx: CommandContext, summary: WorkSummary, json: boolean): void {
  const seconds = summary.durationMs / 1000;
  const rate = seconds > 0 ? summary.finishedHere / seconds : 0;
  const database = describeLedger(ctx.options.db);
  if (json) {
    ctx.stdout.write(`${JSON.stringify({ ...summary, itemsPerSec: Math.round(rate), database })}\n`);
    return;
  }
  const state = summary.complete ? 'complete' : 'stopped (run again to continue)';
  ctx.stdout.write(
    `${summary.crawl}: ${state}\n` +
      `  done     ${summary.done} of ${summary.total}\n` +
      `  failed   ${summary.failed}${summary.failed > 0 ? ` (see: sluice export / failures in ${database})` : ''}\n` +
      `  fetched  ${summary.finishedHere} keys in ${formatDuration(seconds)} (${Math.round(rate)} items/s)\n` +
      `  database ${database}\n`,
  );
}

/**
 * Exit code of a `run`/`work` that returned: `interrupted` when it stopped before the crawl was
 * complete (a signal), `finishedWithFailures` when keys failed, `ok` only for a complete crawl
 * without failures. A script can tell a stopped run from a finished one.
 */
export function workExitCode(summary: WorkSummary): number {
  if (!summary.complete) return ExitCode.interrupted;
  return summary.failed > 0 ? ExitCode.finishedWithFailures : ExitCode.ok;
}
