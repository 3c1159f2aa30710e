import { existsSync } from 'node:fs';
import { sleep } from '@sluice/core';
import { type CrawlStatus, describeLedger, isPostgresUrl, status } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { type WorkCommandOptions, workCommand } from './work';

/** How often a waiting worker looks at the ledger again. */
export const WAIT_POLL_MS = 5_000;

/** What a waiting worker found in the ledger. */
type Found = { kind: 'no-ledger' } | { kind: 'no-crawl' } | { kind: 'crawl'; crawl: CrawlStatus };

/**
 * The crawl named `ref` (by name or id), read without creating anything: a missing ledger file
 * stays missing, because only `run` and `crawl create` make one.
 */
async function lookUp(ref: string, ctx: CommandContext): Promise<Found> {
  const db = ctx.options.db;
  if (db !== ':memory:' && !isPostgresUrl(db) && !existsSync(db)) return { kind: 'no-ledger' };
  const crawls = await withEngine(ctx, (engine) => status(engine));
  const crawl = crawls.find((c) => c.name === ref || String(c.id) === ref);
  return crawl ? { kind: 'crawl', crawl } : { kind: 'no-crawl' };
}

function waitingMessage(ref: string, found: Found, ctx: CommandContext): string {
  const ledger = describeLedger(ctx.options.db);
  if (found.kind === 'no-ledger') return `no ledger at ${ledger} yet; waiting for \`sluice crawl create\` of crawl ${ref}`;
  if (found.kind === 'no-crawl') return `no crawl "${ref}" in ${ledger} yet; waiting for \`sluice crawl create\``;
  const { crawl } = found;
  return `crawl ${crawl.name} is done (${crawl.done} of ${crawl.total}, ${crawl.failed} failed); waiting for keys to become pending again (\`sluice retry-failed\`)`;
}

/**
 * `sluice work <crawl> --wait`: a worker for a container that a supervisor keeps up. Where plain
 * `work` exits (no such crawl: 2; done: 0 or 1), this one waits and checks the ledger every
 * `pollMs`: it starts working when the crawl is created, and again when keys become pending
 * (after `retry-failed`), so a restart policy never loops it. It returns on SIGINT/SIGTERM with
 * the exit code of its last work session (0 when it never worked); errors (Redis or SQLite
 * unreachable) end it as they end `work`.
 */
export async function waitingWorkCommand(
  ref: string,
  options: WorkCommandOptions,
  ctx: CommandContext,
  pollMs: number = WAIT_POLL_MS,
): Promise<number> {
  let code = 0;
  let announced = '';
  while (!ctx.signal.aborted) {
    const found = await lookUp(ref, ctx);
    if (found.kind === 'crawl' && found.crawl.pending > 0) {
      announced = '';
      code = await workCommand(ref, options, ctx);
      continue;
    }
    // Said once per state, not once per poll: a waiting worker's log stays quiet.
    const message = waitingMessage(ref, found, ctx);
    const state = found.kind === 'crawl' ? `done:${found.crawl.done}:${found.crawl.failed}` : found.kind;
    if (state !== announced) ctx.log.info(message);
    announced = state;
    await sleep(pollMs, ctx.signal);
  }
  return code;
}
