import { ConfigError } from '@sluice/core';
import { exportFailures, failureRecord, listFailed } from '@sluice/engine';
import type { CommandContext } from '../context';
import { withEngine } from '../engineFor';
import { openOutput } from '../fileOutput';

export interface FailedOptions {
  /** `text` (default: one tab-separated line per key), `csv` or `jsonl`. */
  format: 'text' | 'csv' | 'jsonl';
  /** A JSON array instead (the `--format text` listing only). */
  json: boolean;
  /** At most this many (text and --json only). */
  limit?: number;
  /** Write to this file instead of stdout. */
  out?: string;
  /** CSV only: defuse formula-like cells. */
  csvSafe: boolean;
}

/**
 * `sluice failed <crawl>`: the failed keys with their reasons, as a listing, or exported in
 * full as CSV or JSON lines (`--format csv|jsonl --out F`), streamed from the ledger.
 */
export async function failedCommand(ref: string, options: FailedOptions, ctx: CommandContext): Promise<number> {
  const exporting = options.format !== 'text';
  if (exporting && options.json) throw new ConfigError('--json: not with --format csv|jsonl (each already is machine-readable)');
  if (exporting && options.limit !== undefined)
    throw new ConfigError('--limit: not with --format csv|jsonl (an export holds every failed key)');
  if (options.csvSafe && options.format !== 'csv') throw new ConfigError('--csv-safe: only with --format csv');
  return withEngine(ctx, async (engine) => {
    const output = openOutput(ctx, options.out);
    let count: number;
    try {
      if (exporting) {
        count = await exportFailures(engine, ref, output.stream, { format: options.format as 'csv' | 'jsonl', csvSafe: options.csvSafe });
      } else {
        const { name, failures } = await listFailed(engine, ref, options.limit);
        count = failures.length;
        if (options.json) output.stream.write(`${JSON.stringify(failures.map(failureRecord), null, 2)}\n`);
        else if (failures.length === 0) output.stream.write(`${name}: no failed keys\n`);
        else {
          for (const f of failures) {
            output.stream.write(`${f.key}\t${f.errorClass}\t${f.status ?? '-'}\t${f.attempts} attempts\t${f.reason}\n`);
          }
        }
      }
      await output.commit();
    } catch (err) {
      await output.discard();
      throw err;
    }
    if (output.file) ctx.log.info(`wrote ${count} failed keys to ${output.file}`);
    return 0;
  });
}
