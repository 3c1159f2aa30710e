import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { ConfigError } from '@sluice/core';
import { exportResults } from '@sluice/engine';
import { SingleBar } from 'cli-progress';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';

export interface ExportCommandOptions {
  format: string;
  out?: string;
  fields?: string;
}

/** `sluice export <crawl>`: stream results as JSONL or CSV to stdout or a file. */
export async function exportCommand(ref: string, options: ExportCommandOptions, ctx: CommandContext): Promise<number> {
  if (options.format !== 'jsonl' && options.format !== 'csv')
    throw new ConfigError(`--format: expected jsonl or csv, got ${options.format}`);
  const fields = options.fields
    ? options.fields
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : [];
  if (fields.length > 0 && options.format !== 'csv') throw new ConfigError('--fields: only with --format csv');
  return withEngine(ctx, async (engine) => {
    const file = options.out ? resolve(ctx.cwd, options.out) : null;
    const out = file ? createWriteStream(`${file}.partial`) : ctx.stdout;
    // Rows go to a file, so stderr is free for a bar; never on a pipe (STYLE: bars only on a TTY).
    const bar = file && ctx.stderr.isTTY ? exportBar(ctx.stderr) : null;
    let rows: number;
    try {
      rows = await exportResults(engine, ref, out, {
        format: options.format as 'jsonl' | 'csv',
        fields,
        ...(bar ? { onProgress: bar.update } : {}),
      });
    } finally {
      bar?.stop();
    }
    if (file && out !== ctx.stdout) {
      out.end();
      await finished(out);
      // Written under a temporary name and renamed, so a reader never sees half a file.
      const { rename } = await import('node:fs/promises');
      await rename(`${file}.partial`, file);
      ctx.log.info(`exported ${rows} rows to ${file}`);
    }
    return 0;
  });
}

/** The export progress bar: rows written of the crawl's results. */
function exportBar(stream: NodeJS.WritableStream): { update: (rows: number, total: number) => void; stop: () => void } {
  const bar = new SingleBar({
    stream,
    format: 'export [{bar}] {percentage}% | {value}/{total} rows | ETA {eta_formatted}',
    hideCursor: true,
  });
  let started = false;
  return {
    update(rows, total) {
      if (!started) {
        bar.start(Math.max(total, rows), rows);
        started = true;
      } else {
        bar.setTotal(Math.max(total, rows));
        bar.update(rows);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
