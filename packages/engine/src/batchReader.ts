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
  private readonly iterator: AsyncIterator<KeyItem>;
  private lookahead: KeyItem | null = null;
  private exhausted = false;

  constructor(
    source: KeySource,
    private readonly batchSize: number,
    /** The batch this reader starts at. */
    readonly startBatch: number,
  ) {
    this.iterator = source.iterate(startBatch * batchSize)[Symbol.asyncIterator]();
    this.nextBatch = startBatch;
  }

  /** The batch the next call to `next()` returns. */
  nextBatch: number;

  /** The next batch, or null once the source is exhausted. */
  async next(): Promise<RawBatch | null> {
    const batch = this.nextBatch;
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
    if (this.exhausted) return null;
    const step = await this.iterator.next();
    if (step.done) {
      this.exhausted = true;
      return null;
    }
    return step.value;
  }
}
