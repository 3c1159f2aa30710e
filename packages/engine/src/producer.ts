import type { BatchPayload } from '@sluice/core';
import type { BatchQueue } from '@sluice/queue';
import type { Store } from '@sluice/store';
import { BatchReader } from './batchReader';
import { keySourceFor } from './keyFile';
import type { LoadedCrawl } from './loadCrawl';

/**
 * The streaming producer. Walks the key source from the cursor saved in the ledger, drops
 * keys already in the ledger, and tops the queue up to `highWater` jobs whenever fewer than
 * `lowWater` wait. The cursor is saved after each addBulk, so a killed producer resumes where
 * it stopped; a batch re-added after a crash is deduplicated by its job id while it is in
 * Redis, and loses its finished keys to the look-up here after that.
 */
export interface Producer {
  /**
   * Adds batches if the queue is below its low-water mark. Returns `done` once the cursor has
   * passed the last batch.
   */
  fill(): Promise<'done' | 'more'>;
  /** Batches enqueued by this producer. */
  readonly enqueuedBatches: number;
}

export function createProducer(store: Store, queue: BatchQueue, crawl: LoadedCrawl): Producer {
  const { spec, row, batchSize, totalBatches } = crawl;
  const highWater = spec.queue.highWater;
  const lowWater = spec.queue.lowWater ?? Math.floor(highWater / 2);
  let reader: BatchReader | null = null;
  let enqueued = 0;

  async function readerAt(cursor: number): Promise<BatchReader> {
    // Re-open when another process (or a reconcile) moved the cursor under us.
    if (reader === null || reader.nextBatch !== cursor) {
      reader = new BatchReader(await keySourceFor(store, row, spec), batchSize, cursor);
    }
    return reader;
  }

  // The cursor as last read or written here; null before the first fill.
  let lastCursor: number | null = null;

  return {
    async fill() {
      // Called every 50 ms, and mostly to find the queue full: ask Redis first then, and the
      // ledger (a round trip to PostgreSQL) only when batches are wanted, or while the end was
      // reached, so that `done` is reported and a reset of the cursor noticed.
      const waitingNow = lastCursor !== null && lastCursor < totalBatches ? await queue.waitingCount() : null;
      if (waitingNow !== null && waitingNow > lowWater) return 'more';
      const startCursor = await store.crawls.getCursor(row.id);
      lastCursor = startCursor;
      let cursor = startCursor;
      if (cursor >= totalBatches) return 'done';
      const waiting = waitingNow ?? (await queue.waitingCount());
      if (waiting > lowWater) return 'more';
      const source = await readerAt(cursor);
      const payloads: BatchPayload[] = [];
      let room = highWater - waiting;
      const finishedIn = finishedLookup(store, row.id, batchSize);
      while (room > 0) {
        const next = await source.next();
        if (next === null) {
          cursor = totalBatches;
          break;
        }
        cursor = next.batch + 1;
        const first = next.batch * batchSize;
        const finished = await finishedIn(first, room);
        const items = finished.size === 0 ? next.items : next.items.filter((i) => !finished.has(i.position));
        if (items.length === 0) continue;
        payloads.push({ crawlId: row.id, batch: next.batch, items });
        room--;
      }
      await queue.addBatches(payloads);
      enqueued += payloads.length;
      // Compare-and-set: if a resume moved the cursor meanwhile, its value wins and the
      // batches just added are deduplicated by job id and the ledger.
      if (!(await store.crawls.advanceCursor(row.id, startCursor, cursor))) return 'more';
      lastCursor = cursor;
      return cursor >= totalBatches ? 'done' : 'more';
    },
    get enqueuedBatches() {
      return enqueued;
    },
  };
}

/**
 * The finished positions of the batches one fill reads, asked of the ledger once for the span
 * of batches the fill has room for rather than once per batch (a round trip each to a
 * PostgreSQL ledger). A fill that skips whole finished batches reads past the span and asks
 * for the next one.
 */
function finishedLookup(store: Store, crawlId: number, batchSize: number) {
  let span = { first: 0, last: -1, finished: new Set<number>() };
  return async (first: number, batches: number): Promise<ReadonlySet<number>> => {
    if (first < span.first || first + batchSize - 1 > span.last) {
      const last = first + batches * batchSize - 1;
      span = { first, last, finished: await store.ledger.finishedPositions(crawlId, first, last) };
    }
    return span.finished;
  };
}
