import { ConfigError } from '@sluice/core';
import { exportResults } from '@sluice/engine';
import { SingleBar } from 'cli-progress';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { openOutput } from '../fileOutput';

export interface ExportCommandOptions {
  format: string;
  out?: string;
  fields?: string;
  /** CSV only: prefix cells starting with = + - @ (tab, CR) with `'`. Default false. */
  csvSafe?: boolean;
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
  if (options.csvSafe && options.format !== 'csv') throw new ConfigError('--csv-safe: only with --format csv');
  return withEngine(ctx, async (engine) => {
    const output = openOutput(ctx, options.out);
    // Rows go to a file, so stderr is free for a bar; never on a pipe (STYLE: bars only on a TTY).
    const bar = output.file && ctx.stderr.isTTY ? exportBar(ctx.stderr) : null;
    let rows: number;
    try {
      rows = await exportResults(engine, ref, output.stream, {
        format: options.format as 'jsonl' | 'csv',
        fields,
        csvSafe: options.csvSafe ?? false,
        ...(bar ? { onProgress: bar.update } : {}),
      });
      bar?.stop();
      await output.commit();
    } catch (err) {
      bar?.stop();
      await output.discard();
      throw err;
    }
    if (output.file) ctx.log.info(`exported ${rows} rows to ${output.file}`);
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
