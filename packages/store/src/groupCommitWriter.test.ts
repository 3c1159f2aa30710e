import type { LedgerEntry } from '@sluice/core';
import { createGroupCommitWriter } from './groupCommitWriter';

const entry = (position: number): LedgerEntry => ({
  kind: 'result',
  record: { crawlId: 1, key: `k${position}`, position, status: 200, body: '{}', attempts: 1, fetchedAt: 0, durationMs: 0 },
});

/** A write the test finishes by hand, to see what resolves before and after a commit. */
function manualWrite() {
  const calls: Array<{ positions: number[]; commit: () => void; fail: (err: Error) => void }> = [];
  const write = (entries: readonly LedgerEntry[]) =>
    new Promise<void>((commit, fail) => calls.push({ positions: entries.map((e) => e.record.position), commit, fail }));
  return { calls, write };
}

const settled = (p: Promise<unknown>) =>
  Promise.race([
    p.then(
      () => 'resolved',
      () => 'rejected',
    ),
    new Promise((r) => setImmediate(() => r('pending'))),
  ]);

describe('group commit writer', () => {
  test('an entry resolves only after its transaction committed', async () => {
    const { calls, write } = manualWrite();
    const writer = createGroupCommitWriter({ write, maxBatch: 2 });
    const a = writer.add(entry(0));
    const b = writer.add(entry(1));
    expect(calls.map((c) => c.positions)).toEqual([[0, 1]]);
    expect(await settled(a)).toBe('pending');
    calls[0]!.commit();
    await Promise.all([a, b]);
    expect(writer.committed).toBe(2);
  });

  test('a failed transaction rejects every entry of it and counts none', async () => {
    const { calls, write } = manualWrite();
    const writer = createGroupCommitWriter({ write, maxBatch: 2 });
    const a = writer.add(entry(0));
    const b = writer.add(entry(1));
    calls[0]!.fail(new Error('database away'));
    await expect(a).rejects.toThrow('database away');
    await expect(b).rejects.toThrow('database away');
    expect(writer.committed).toBe(0);
  });

  test('one flush at a time: entries added meanwhile go out together in the next one', async () => {
    const { calls, write } = manualWrite();
    const writer = createGroupCommitWriter({ write, maxBatch: 3 });
    const first = [writer.add(entry(0)), writer.add(entry(1)), writer.add(entry(2))];
    const later = [writer.add(entry(3)), writer.add(entry(4))];
    expect(calls.map((c) => c.positions)).toEqual([[0, 1, 2]]);
    calls[0]!.commit();
    await Promise.all(first);
    await new Promise((r) => setImmediate(r));
    expect(calls.map((c) => c.positions)).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    calls[1]!.commit();
    await Promise.all(later);
    expect(writer.committed).toBe(5);
  });

  test('flush writes what is buffered before the delay and waits for it', async () => {
    const written: number[][] = [];
    const writer = createGroupCommitWriter({
      write: async (entries) => {
        written.push(entries.map((e) => e.record.position));
      },
      maxDelayMs: 60_000,
    });
    const a = writer.add(entry(0));
    const b = writer.add(entry(1));
    await writer.flush();
    expect(written).toEqual([[0, 1]]);
    await Promise.all([a, b]);
  });
  test('onCommit gets the committed entries with what the write resolved', async () => {
    const seen: Array<[number[], string]> = [];
    const writer = createGroupCommitWriter({
      write: async (entries) => `wrote ${entries.length}`,
      onCommit: (entries, written) => seen.push([entries.map((e) => e.record.position), written]),
      maxBatch: 2,
    });
    await Promise.all([writer.add(entry(0)), writer.add(entry(1))]);
    expect(seen).toEqual([[[0, 1], 'wrote 2']]);
  });
  test('with minIntervalMs, a full batch or flush() still writes at once', async () => {
    const written: number[][] = [];
    const writer = createGroupCommitWriter({
      write: async (entries) => {
        written.push(entries.map((e) => e.record.position));
      },
      maxBatch: 2,
      maxDelayMs: 1,
      minIntervalMs: 60_000,
    });
    await writer.add(entry(0));
    // A full batch does not wait out the interval.
    await Promise.all([writer.add(entry(1)), writer.add(entry(2))]);
    const last = writer.add(entry(3));
    await writer.flush();
    await last;
    expect(written).toEqual([[0], [1, 2], [3]]);
  });
});
