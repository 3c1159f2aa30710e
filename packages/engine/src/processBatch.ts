import type { BatchPayload } from '@sluice/core';
import type { GroupCommitWriter, Store } from '@sluice/store';
import { fetchKey, type KeyFetchContext } from './fetchKey';
import { commitEntry, type LedgerGuard } from './ledgerGuard';

/**
 * Runs one batch: skips keys already in the ledger (the batch may be a rerun after a crash),
 * fetches the rest concurrently (the limiter caps requests in flight), hands every final entry
 * to the group-commit writer (retried while `guard` allows), and resolves only when all of them
 * are committed. The caller
 * acknowledges the job after that: commit before ack.
 * @throws the first error of any key (e.g. KeyAbortedError on shutdown); the job then returns
 *   to the queue and committed keys are skipped on its next run.
 */
export async function processBatch(
  payload: BatchPayload,
  store: Store,
  writer: GroupCommitWriter,
  guard: LedgerGuard,
  ctx: KeyFetchContext,
): Promise<number> {
  const first = payload.items[0]?.position;
  const last = payload.items[payload.items.length - 1]?.position;
  if (first === undefined || last === undefined) return 0;
  const finished = await store.ledger.finishedPositions(payload.crawlId, first, last);
  const todo = finished.size === 0 ? payload.items : payload.items.filter((i) => !finished.has(i.position));
  const settled = await Promise.allSettled(todo.map(async (item) => commitEntry(writer, await fetchKey(item, ctx), guard, ctx.signal)));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return todo.length;
}
