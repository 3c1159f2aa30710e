import type { Logger, ProgressSnapshot } from '@sluice/engine';
import { createProgressLog, progressFields, progressText } from './progressLog';

const snapshot = (extra: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  crawl: 'colours',
  total: 6000,
  done: 1190,
  failed: 10,
  ratePerSec: 240,
  inFlight: 20,
  throttledUntil: 0,
  paused: false,
  breaker: 'closed',
  outageSince: 0,
  ledgerError: null,
  ...extra,
});

describe('progress log lines', () => {
  test('text names done/total, %, items/s, ETA, failed and the breaker', () => {
    const text = progressText(progressFields(snapshot(), 1_000_000));
    expect(text).toBe('progress colours: 1200/6000 (20%), 240 items/s, ETA 20s, failed 10, in flight 20, breaker closed');
  });

  test('throttles, pauses, outages and ledger trouble show in the line', () => {
    const now = 1_000_000;
    const text = progressText(
      progressFields(
        snapshot({
          throttledUntil: now + 30_000,
          paused: true,
          breaker: 'open',
          outageSince: now - 45_000,
          ledgerError: 'database or disk is full',
        }),
        now,
      ),
    );
    expect(text).toContain(
      'breaker open, paused, throttled 30s, endpoint unreachable for 45s, ledger not writable: database or disk is full',
    );
  });

  test('one line per interval, with the figures as fields', () => {
    let t = 0;
    const lines: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const log: Logger = { info: (message, fields) => lines.push({ message, fields }), warn() {}, error() {} };
    const onProgress = createProgressLog(log, 10_000, () => t);
    for (t = 0; t <= 25_000; t += 500) onProgress(snapshot());
    expect(lines).toHaveLength(2);
    expect(lines[0]?.fields).toMatchObject({
      event: 'progress',
      done: 1190,
      total: 6000,
      percent: 20,
      itemsPerSec: 240,
      etaSeconds: 20,
      failed: 10,
    });
  });
});
