import type { KeyItem, KeySource } from '@sluice/core';

/** One aligned batch of positions [batch * size, (batch + 1) * size) with its keys. */
export interface RawBatch {
  batch: number;
  items: KeyItem[];
}

/**
 * Reads a key source as aligned batches, from a starting batch on. Alignment makes a batch's
 * identity (and job id) the same on every run, whatever was finished in between.
 */
export class BatchReader {
  /** Set for streamed sources (files); computed ones are read a batch at a time by `keysAt`. */
  private readonly iterator: AsyncIterator<KeyItem> | null;
  private lookahead: KeyItem | null = null;
  private exhausted = false;

  constructor(
    private readonly source: KeySource,
    private readonly batchSize: number,
    /** The batch this reader starts at. */
    readonly startBatch: number,
  ) {
    this.iterator = source.keysAt ? null : source.iterate(startBatch * batchSize)[Symbol.asyncIterator]();
    this.nextBatch = startBatch;
  }

  /** The batch the next call to `next()` returns. */
  nextBatch: number;

  /** The next batch, or null once the source is exhausted. */
  async next(): Promise<RawBatch | null> {
    const batch = this.nextBatch;
    if (this.source.keysAt) {
      // Positions of a computed source run 0 … count - 1: a batch's keys are one slice.
      const items = this.source.keysAt(batch * this.batchSize, this.batchSize);
      if (items.length === 0) return null;
      this.nextBatch = batch + 1;
      return { batch, items };
    }
    const end = (batch + 1) * this.batchSize;
    const items: KeyItem[] = [];
    for (;;) {
      const item = this.lookahead ?? (await this.pull());
      this.lookahead = null;
      if (item === null) break;
      if (item.position >= end) {
        this.lookahead = item;
        break;
      }
      items.push(item);
    }
    if (items.length === 0 && this.exhausted && this.lookahead === null) return null;
    this.nextBatch = batch + 1;
    return { batch, items };
  }

  private async pull(): Promise<KeyItem | null> {
    if (this.exhausted || this.iterator === null) return null;
    const step = await this.iterator.next();
    if (step.done) {
      this.exhausted = true;
      return null;
    }
    return step.value;
  }
}
