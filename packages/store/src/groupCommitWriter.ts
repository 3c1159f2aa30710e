import type { LedgerEntry } from '@sluice/core';

/**
 * Group commit: entries from every in-flight key are buffered and written in one transaction
 * per flush, by count (`maxBatch`) or after `maxDelayMs`, whichever comes first. Each `add`
 * resolves only after its entry's transaction committed, so a caller that waits on it before
 * acknowledging a job keeps "commit before ack".
 */
export interface GroupCommitWriterOptions {
  /** Writes one batch in one transaction; throws if the transaction fails. */
  write: (entries: readonly LedgerEntry[]) => void;
  /** Flush when this many entries are buffered. Default 1000. */
  maxBatch?: number;
  /** Flush at most this long after the first buffered entry. Default 5. */
  maxDelayMs?: number;
  /** Called after each committed batch (e.g. to notice a crawl just completed). */
  onCommit?: (entries: readonly LedgerEntry[]) => void;
}

export interface GroupCommitWriter {
  /** Buffers one entry; resolves once it is committed, rejects if its transaction failed. */
  add(entry: LedgerEntry): Promise<void>;
  /** Writes everything buffered now. */
  flush(): Promise<void>;
  /** Entries written so far by this writer (committed). */
  readonly committed: number;
}

interface Pending {
  entry: LedgerEntry;
  resolve: () => void;
  reject: (err: Error) => void;
}

export function createGroupCommitWriter(options: GroupCommitWriterOptions): GroupCommitWriter {
  const maxBatch = options.maxBatch ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 5;
  let buffer: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  let committed = 0;

  const flushNow = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    try {
      options.write(batch.map((p) => p.entry));
      committed += batch.length;
      for (const p of batch) p.resolve();
      options.onCommit?.(batch.map((p) => p.entry));
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(error);
    }
  };

  return {
    add(entry) {
      return new Promise<void>((resolve, reject) => {
        buffer.push({ entry, resolve, reject });
        if (buffer.length >= maxBatch) flushNow();
        else if (!timer) timer = setTimeout(flushNow, maxDelayMs);
      });
    },
    async flush() {
      flushNow();
    },
    get committed() {
      return committed;
    },
  };
}
