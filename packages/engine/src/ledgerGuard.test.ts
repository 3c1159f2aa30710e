import type { Logger } from './engine';
import { LedgerGuard } from './ledgerGuard';

function setup(retryMs = 60_000) {
  let t = 1_000_000;
  const lines: Array<{ level: string; message: string }> = [];
  const log: Logger = {
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
  };
  const guard = new LedgerGuard(retryMs, log, () => t);
  return { guard, lines, advance: (ms: number) => (t += ms) };
}

const full = new Error('database or disk is full');

describe('ledger guard', () => {
  test('the first failed write holds requests and is logged once with its cause', () => {
    const s = setup();
    s.guard.failed(full);
    s.guard.failed(full);
    s.advance(1_000);
    s.guard.failed(full);
    expect(s.guard.hold.paused).toBe(true);
    expect(s.guard.error).toBe('database or disk is full');
    expect(s.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(s.lines[0]?.message).toContain('ledger write failed: database or disk is full');
  });

  test('retries back off per flush, doubling from 250 ms up to 5 s', () => {
    const s = setup();
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      s.guard.failed(full);
      // Every other entry of the same flush waits for the same moment.
      s.guard.failed(full);
      delays.push(s.guard.retryInMs());
      s.advance(s.guard.retryInMs());
    }
    expect(delays).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
  });

  test('the hold lifts only once every failed entry is in, not on a smaller write that happened to fit', () => {
    const s = setup();
    s.guard.retrying(1);
    s.guard.failed(full);
    s.guard.succeeded();
    expect(s.guard.hold.paused).toBe(true);
    s.guard.retrying(-1);
    s.guard.succeeded();
    expect(s.guard.hold.paused).toBe(false);
    expect(s.guard.error).toBeNull();
    expect(s.lines.at(-1)?.message).toContain('ledger writable again');
  });

  test('fatal once the writes kept failing for the retry time', () => {
    const s = setup(2_000);
    s.guard.failed(full);
    s.advance(1_999);
    s.guard.failed(full);
    expect(s.guard.fatal).toBeNull();
    s.advance(1);
    s.guard.failed(full);
    expect(s.guard.fatal?.exitCode).toBe(4);
    expect(s.guard.fatal?.message).toContain('database or disk is full');
    s.guard.succeeded();
    expect(s.guard.hold.paused).toBe(true);
  });
});
