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
  /**
   * Start flushes at least this far apart, unless `maxBatch` entries wait or `flush()` is
   * called: entries arriving meanwhile join the next batch. Default 0 (flush as soon as the
   * previous one committed).
   */
  minIntervalMs?: number;
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

/**
 * The entries of one transaction-to-be and the one promise all their `add` calls return: one
 * promise per flush instead of one (with its resolve and reject functions) per entry, which at
 * thousands of entries a second is garbage the worker need not make.
 */
interface Group {
  entries: LedgerEntry[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { entries: [], done, resolve, reject };
}

export function createGroupCommitWriter<Written = void>(options: GroupCommitWriterOptions<Written>): GroupCommitWriter {
  const maxBatch = options.maxBatch ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 5;
  const minIntervalMs = options.minIntervalMs ?? 0;
  let lastStartMs = Number.NEGATIVE_INFINITY;
  /** Groups not yet handed to `write`, oldest first; only the last one takes new entries, up to `maxBatch`. */
  const groups: Group[] = [];
  let timer: NodeJS.Timeout | null = null;
  /** The flush being written, if any; it never rejects (its entries do). */
  let writing: Promise<void> | null = null;
  let committed = 0;

  async function writeGroup(group: Group): Promise<void> {
    const { entries } = group;
    let written: Written;
    try {
      written = await options.write(entries);
    } catch (err) {
      group.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    committed += entries.length;
    group.resolve();
    options.onCommit?.(entries, written);
  }

  function kick(force = false): void {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (writing) return;
    const first = groups[0];
    if (!first) return;
    const waitMs = lastStartMs + minIntervalMs - performance.now();
    if (!force && waitMs > 0 && first.entries.length < maxBatch) {
      timer = setTimeout(kick, Math.ceil(waitMs));
      return;
    }
    const group = groups.shift() as Group;
    lastStartMs = performance.now();
    writing = writeGroup(group).finally(() => {
      writing = null;
      // Whatever arrived during the write has waited at least that long: send it now.
      if (groups.length > 0) kick();
    });
  }

  return {
    add(entry) {
      let group = groups[groups.length - 1];
      if (!group || group.entries.length >= maxBatch) {
        group = newGroup();
        groups.push(group);
      }
      group.entries.push(entry);
      if (group.entries.length >= maxBatch) kick();
      else if (!timer && !writing) timer = setTimeout(kick, maxDelayMs);
      return group.done;
    },
    async flush() {
      while (writing || groups.length > 0) {
        kick(true);
        await writing;
      }
    },
    get committed() {
      return committed;
    },
  };
}
