import { type LedgerEntry, LedgerUnwritableError, toError } from '@sluice/core';
import type { GroupCommitWriter } from '@sluice/store';
import type { Logger } from './engine';
import { KeyAbortedError } from './keyAborted';
import { PauseGate } from './pauseGate';
import { sleep } from './sleep';

/** Default of `WorkOptions.ledgerRetryMs`: how long failed ledger writes are retried before the worker gives up. */
export const DEFAULT_LEDGER_RETRY_MS = 60_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * Guards invariant 8 (every request spent can land): the first failed ledger write (disk full,
 * read-only file, a lock held too long) closes `hold`, so no new request starts while its
 * result could not be stored; at most the requests already in flight finish. Their entries
 * are retried together (one shared backoff, so the group-commit writer batches them again)
 * until a write succeeds, which opens `hold`, or until `retryMs` has passed since the first
 * failure, which makes the guard fatal: the worker stops and exits with
 * LedgerUnwritableError. Each write is one transaction, so the ledger is never half-written.
 */
export class LedgerGuard {
  /** Closed while ledger writes fail: no request starts. */
  readonly hold = new PauseGate();
  private failingSinceMs = 0;
  private failedTries = 0;
  private nextTryAtMs = 0;
  private cause: string | null = null;
  private fatalError: LedgerUnwritableError | null = null;
  /** Entries whose write failed and that wait for a retry. */
  private retryingEntries = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly retryMs: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The driver's message of the failing write (`database or disk is full`), or null when writes succeed. */
  get error(): string | null {
    return this.cause;
  }

  /** Epoch ms of the first failure of the current episode, or 0. */
  get failingSince(): number {
    return this.failingSinceMs;
  }

  /** Set once the retry time has passed: the worker must stop. */
  get fatal(): LedgerUnwritableError | null {
    return this.fatalError;
  }

  /** Called when the guard starts failing, recovers, or becomes fatal. */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  /** Records a failed write (of any ledger writer in this process). */
  failed(thrown: unknown): void {
    const message = toError(thrown).message;
    const now = this.now();
    if (this.cause === null) {
      this.failingSinceMs = now;
      this.failedTries = 0;
      this.cause = message;
      this.hold.set(true);
      this.log.error(
        `ledger write failed: ${message}; no new requests until it can be written (retrying for ${Math.round(this.retryMs / 1000)} s)`,
        {
          event: 'ledger-unwritable',
          cause: message,
        },
      );
      this.emit();
    }
    // All entries of one failed flush fail at once: back off once per flush, not per entry.
    if (now >= this.nextTryAtMs) {
      this.failedTries++;
      this.nextTryAtMs = now + Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.failedTries - 1));
    }
    if (this.fatalError === null && now - this.failingSinceMs >= this.retryMs) {
      this.fatalError = new LedgerUnwritableError(
        `the ledger could not be written for ${Math.round((now - this.failingSinceMs) / 1000)} s (${message}); stopped fetching. Free space or fix permissions, then run again to continue`,
      );
      this.emit();
    }
  }

  /**
   * Records a successful write: requests may start again, once every entry whose write failed
   * is in too. (A small batch can fit where the failed one did not, e.g. in the WAL space the
   * failed transaction left; that alone proves nothing, and lifting the hold on it would let a
   * nearly full disk flap between holding and fetching.)
   */
  succeeded(): void {
    if (this.cause === null || this.fatalError !== null || this.retryingEntries > 0) return;
    this.log.info(`ledger writable again after ${Math.round((this.now() - this.failingSinceMs) / 1000)} s; fetching resumes`, {
      event: 'ledger-writable',
    });
    this.cause = null;
    this.failingSinceMs = 0;
    this.nextTryAtMs = 0;
    this.hold.set(false);
    this.emit();
  }

  /** Counts an entry into (+1) or out of (-1) the ones waiting for a retry. */
  retrying(delta: 1 | -1): void {
    this.retryingEntries += delta;
  }

  /** How long until the next retry of a failed write. */
  retryInMs(): number {
    return Math.max(0, this.nextTryAtMs - this.now());
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

/**
 * Commits one finished key after its first write (`writer.add`, which the caller awaits
 * inline: the common case costs no async step of its own) failed with `firstError`: the guard
 * records each failure and sets the backoff, and the entry is written again until it commits,
 * the guard turns fatal or `signal` aborts.
 * @throws LedgerUnwritableError once the guard is fatal; KeyAbortedError on shutdown.
 */
export async function retryEntry(
  writer: GroupCommitWriter,
  entry: LedgerEntry,
  guard: LedgerGuard,
  signal: AbortSignal,
  firstError: unknown,
): Promise<void> {
  guard.retrying(1);
  let waiting = true;
  try {
    let error = firstError;
    for (;;) {
      guard.failed(error);
      if (guard.fatal) throw guard.fatal;
      await sleep(guard.retryInMs(), signal);
      if (guard.fatal) throw guard.fatal;
      if (signal.aborted) throw new KeyAbortedError('shutting down', { cause: error });
      try {
        await writer.add(entry);
      } catch (err) {
        error = err;
        continue;
      }
      // Out of the retrying count before `succeeded`, which lifts the hold only when none is left.
      guard.retrying(-1);
      waiting = false;
      guard.succeeded();
      return;
    }
  } finally {
    if (waiting) guard.retrying(-1);
  }
}
