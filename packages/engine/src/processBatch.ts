import type { BatchPayload, KeyItem } from '@sluice/core';
import type { GroupCommitWriter, Store } from '@sluice/store';
import { fetchKey } from './fetchKey';
import type { KeyFetchContext } from './keyFetchContext';
import { type LedgerGuard, retryEntry } from './ledgerGuard';

/**
 * Runs one batch: skips keys already in the ledger (the batch may be a rerun after a crash, or
 * enqueued again by a resume while an earlier run of it was still in flight), fetches the rest
 * concurrently (the limiter caps requests in flight), hands every final entry
 * to the group-commit writer (retried while `guard` allows), and resolves only when all of them
 * are committed. The caller
 * acknowledges the job after that: commit before ack.
 * @throws the first error of any key (e.g. KeyAbortedError on shutdown), once every key has
 *   settled; the job then returns to the queue and committed keys are skipped on its next run.
 */
export async function processBatch(
  payload: BatchPayload,
  store: Store,
  writer: GroupCommitWriter,
  guard: LedgerGuard,
  ctx: KeyFetchContext,
): Promise<number> {
  const todo = await unfinishedItems(payload, store);
  // The first write inline, a failed one retried by retryEntry: each async step per key costs
  // a promise, a suspension and about a kilobyte of garbage.
  const runKey = async (item: KeyItem) => {
    const entry = await fetchKey(item, ctx);
    try {
      await writer.add(entry);
    } catch (err) {
      await retryEntry(writer, entry, guard, ctx.signal, err);
      return;
    }
    guard.succeeded();
  };
  await allKeysSettled(todo, runKey);
  return todo.length;
}

/** The batch's keys not yet in the ledger. */
async function unfinishedItems(payload: BatchPayload, store: Store): Promise<readonly KeyItem[]> {
  const first = payload.items[0]?.position;
  const last = payload.items[payload.items.length - 1]?.position;
  if (first === undefined || last === undefined) return [];
  const finished = await store.ledger.finishedPositions(payload.crawlId, first, last);
  return finished.size === 0 ? payload.items : payload.items.filter((i) => !finished.has(i.position));
}

/**
 * Runs `runKey` for every item at once and settles when all of them have: rejects then with the
 * first error to happen, if any. Promise.allSettled does the same with two functions and a
 * result object per key; this shares two functions among all keys of the batch.
 */
function allKeysSettled(items: readonly KeyItem[], runKey: (item: KeyItem) => Promise<void>): Promise<void> {
  if (items.length === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let left = items.length;
    let failed: { error: unknown } | null = null;
    const settled = () => {
      if (--left > 0) return;
      if (failed) reject(failed.error);
      else resolve();
    };
    const failedKey = (error: unknown) => {
      failed ??= { error };
      settled();
    };
    for (const item of items) runKey(item).then(settled, failedKey);
  });
}
