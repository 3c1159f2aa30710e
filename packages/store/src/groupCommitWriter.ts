import type { LedgerEntry } from '@sluice/core';

/**
 * Group commit: entries from every in-flight key are buffered and written in one transaction
 * per flush, by count (`maxBatch`) or after `maxDelayMs`, whichever comes first. Each `add`
 * resolves only after its entry's transaction committed, so a caller that waits on it before
 * acknowledging a job keeps "commit before ack"; when the transaction fails, every entry of
 * it is rejected (and its job is not acknowledged).
 *
 * One flush runs at a time: entries arriving meanwhile wait for it and go out together in the
 * next one, so batches grow by themselves when the database is slow (PostgreSQL over a
 * network), and two transactions of one writer never contend for the same rows.
 */
export interface GroupCommitWriterOptions<Written = void> {
  /** Writes one batch in one transaction; resolves once it committed (with what the write reports), rejects if it failed. */
  write: (entries: readonly LedgerEntry[]) => Promise<Written>;
  /** Flush when this many entries are buffered. Default 1000. */
  maxBatch?: number;
  /** Flush at most this long after the first buffered entry. Default 5. */
  maxDelayMs?: number;
  /** Called after each committed batch with what `write` resolved (e.g. to notice a crawl just completed). */
  onCommit?: (entries: readonly LedgerEntry[], written: Written) => void;
}

export interface GroupCommitWriter {
  /** Buffers one entry; resolves once it is committed, rejects if its transaction failed. */
  add(entry: LedgerEntry): Promise<void>;
  /** Writes everything buffered now; resolves when nothing is buffered or being written. */
  flush(): Promise<void>;
  /** Entries written so far by this writer (committed). */
  readonly committed: number;
}

interface Pending {
  entry: LedgerEntry;
  resolve: () => void;
  reject: (err: Error) => void;
}

export function createGroupCommitWriter<Written = void>(options: GroupCommitWriterOptions<Written>): GroupCommitWriter {
  const maxBatch = options.maxBatch ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 5;
  let buffer: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  /** The flush being written, if any; it never rejects (its entries do). */
  let writing: Promise<void> | null = null;
  let committed = 0;

  async function writeBatch(batch: Pending[]): Promise<void> {
    const entries = batch.map((p) => p.entry);
    let written: Written;
    try {
      written = await options.write(entries);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(error);
      return;
    }
    committed += batch.length;
    for (const p of batch) p.resolve();
    options.onCommit?.(entries, written);
  }

  function kick(): void {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (writing || buffer.length === 0) return;
    const batch = buffer.length > maxBatch ? buffer.splice(0, maxBatch) : buffer;
    if (batch === buffer) buffer = [];
    writing = writeBatch(batch).finally(() => {
      writing = null;
      // Whatever arrived during the write has waited at least that long: send it now.
      if (buffer.length > 0) kick();
    });
  }

  return {
    add(entry) {
      return new Promise<void>((resolve, reject) => {
        buffer.push({ entry, resolve, reject });
        if (buffer.length >= maxBatch) kick();
        else if (!timer && !writing) timer = setTimeout(kick, maxDelayMs);
      });
    },
    async flush() {
      while (writing || buffer.length > 0) {
        kick();
        await writing;
      }
    },
    get committed() {
      return committed;
    },
  };
}
