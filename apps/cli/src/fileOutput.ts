import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { CommandContext } from './context';

/** Where a command's rows go: stdout, or a file that appears only once complete. */
export interface Output {
  stream: Writable;
  /** The absolute file path, or null for stdout. */
  file: string | null;
  /** Closes the file and renames it into place (nothing for stdout). */
  commit(): Promise<void>;
  /** Removes a partial file after a failure (nothing for stdout). */
  discard(): Promise<void>;
}

/**
 * Opens `--out` (relative to the command's directory) or stdout. A file is written under
 * `<file>.partial` and renamed at the end, so a reader never sees half a file.
 */
export function openOutput(ctx: CommandContext, out: string | undefined): Output {
  if (!out) return { stream: ctx.stdout, file: null, commit: async () => {}, discard: async () => {} };
  const file = resolve(ctx.cwd, out);
  const stream = createWriteStream(`${file}.partial`);
  return {
    stream,
    file,
    async commit() {
      stream.end();
      await finished(stream);
      await rename(`${file}.partial`, file);
    },
    async discard() {
      stream.destroy();
      await rm(`${file}.partial`, { force: true });
    },
  };
}
