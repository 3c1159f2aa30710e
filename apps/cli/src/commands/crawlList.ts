import { type CrawlListEntry, listCrawls } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { stateLabel } from '../stateLabel';

/** A table with a header, each column as wide as its widest cell. */
export function crawlListText(entries: readonly CrawlListEntry[]): string {
  if (entries.length === 0) return 'no crawls yet: start one with `sluice run <spec>`\n';
  const rows = [
    ['NAME', 'ID', 'STATE', 'DONE/TOTAL', 'CREATED'],
    ...entries.map((e) => [e.name, String(e.id), stateLabel(e.state, e.failed), `${e.done}/${e.total}`, e.createdAt]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}

/** `sluice crawl list [--json]`: every crawl of the ledger, from the ledger alone. */
export async function crawlListCommand(options: { json: boolean }, ctx: CommandContext): Promise<number> {
  return withEngine(ctx, async (engine) => {
    const entries = await listCrawls(engine);
    ctx.stdout.write(options.json ? `${JSON.stringify(entries, null, 2)}\n` : crawlListText(entries));
    return 0;
  });
}
