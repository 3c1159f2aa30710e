import type { CrawlStatus } from '@sluice/engine';
import { formatEta, formatRate, statusText } from './status';

const NOW = Date.parse('2025-01-01T12:00:00Z');

function crawl(extra: Partial<CrawlStatus> = {}): CrawlStatus {
  return {
    id: 3,
    name: 'colours',
    state: 'running',
    total: 1000,
    done: 420,
    failed: 3,
    pending: 577,
    percent: 42,
    enqueuedThrough: 800,
    queue: { waiting: 5, active: 2, delayed: 1 },
    createdAt: '2025-01-01T11:00:00.000Z',
    inFlight: 12,
    throttledUntil: null,
    ratePerSec: { last1m: 210.4, last5m: 0.0833 },
    etaSeconds: 29,
    workersOnline: 2,
    workers: [],
    breaker: 'closed',
    errorsByClass: { TransientError: 3, PermanentError: 1 },
    recentErrors: [{ at: '2025-01-01T11:59:58.000Z', key: '000005', errorClass: 'PermanentError', reason: 'HTTP 404' }],
    lastProgressAt: '2025-01-01T11:59:58.000Z',
    credentials: [],
    adaptiveRate: null,
    health: 'ok',
    ledgerError: null,
    outageSince: null,
    ...extra,
  };
}

describe('status text', () => {
  test('an adaptive rate shows its rate, phase and last cut; none shows no line', () => {
    expect(statusText(crawl(), false, NOW)).not.toContain('adaptive rate');
    const text = statusText(
      crawl({
        adaptiveRate: {
          ratePerSecond: 47.5,
          phase: 'steady',
          lastCutAt: '2025-01-01T11:59:58.000Z',
          lastCutReason: 'throttle',
          limitFoundPerSecond: 49.2,
          cuts: 3,
          increases: 41,
        },
      }),
      false,
      NOW,
    );
    expect(text).toContain(
      '  adaptive rate 47.5/s (steady; limit found 49.2/s; 3 cuts, last 2025-01-01T11:59:58.000Z: throttle; 41 increases)\n',
    );
  });

  test('pool credentials are listed by label (or name) with their state and use per window', () => {
    const text = statusText(
      crawl({
        credentials: [
          { name: 'AV_KEY_1', label: null, state: 'active', used: { perDay: 20 }, remaining: { perDay: 5 }, pausedUntil: null },
          {
            name: 'AV_KEY_2',
            label: 'paid key',
            state: 'paused',
            used: { perDay: 3 },
            remaining: { perDay: 22 },
            pausedUntil: '2025-01-01T12:01:00.000Z',
          },
          { name: 'AV_KEY_3', label: null, state: 'retired', used: {}, remaining: {}, pausedUntil: null },
        ],
      }),
      false,
      NOW,
    );
    expect(text).toContain('    AV_KEY_1 active; perDay 20 used, 5 left\n');
    expect(text).not.toContain('AV_KEY_2');
    expect(text).toContain('    paid key paused until 2025-01-01T12:01:00.000Z; perDay 3 used, 22 left\n');
    expect(text).toContain('    AV_KEY_3 retired\n');
  });

  test('shows every figure, errors grouped by class with their latest example', () => {
    const text = statusText(crawl(), false, NOW);
    expect(text).toContain('colours (id 3): running, 42%, health ok');
    expect(text).toContain('done 420 / 1000 (42%), failed 3, pending 577');
    expect(text).toContain('in flight 12; batches waiting 5, active 2, delayed 1');
    expect(text).toContain('items/s 210 (1m), 0.0833 (5m); ETA 29s; throttled no');
    expect(text).toContain('workers online 2; breaker closed; last progress 2s ago');
    expect(text).toContain('    TransientError ×3\n');
    expect(text).toContain('    PermanentError ×1  latest 000005: HTTP 404');
  });

  test('a crawl finished with failures reads `done with N failed`; a clean one plain `done`', () => {
    expect(statusText(crawl({ state: 'done', done: 997, failed: 3, pending: 0, percent: 99.7 }), false, NOW)).toContain(
      'colours (id 3): done with 3 failed, 99.7%, health ok',
    );
    expect(statusText(crawl({ state: 'done', done: 1000, failed: 0, pending: 0, percent: 100 }), false, NOW)).toContain(
      'colours (id 3): done, 100%',
    );
  });

  test('a progress bar only on a TTY, and never an escape code', () => {
    expect(statusText(crawl(), true, NOW)).toContain(`[${'█'.repeat(12)}${'░'.repeat(18)}] 42%`);
    expect(statusText(crawl(), false, NOW)).not.toContain('█');
    expect(statusText(crawl(), true, NOW)).not.toContain('\x1b[');
  });

  test('Redis unreachable and throttling are spelled out', () => {
    const text = statusText(
      crawl({ queue: null, throttledUntil: '2025-01-01T12:01:00.000Z', errorsByClass: {}, recentErrors: [] }),
      false,
      NOW,
    );
    expect(text).toContain('queue unknown (Redis unreachable)');
    expect(text).toContain('throttled until 2025-01-01T12:01:00.000Z');
    expect(text).toContain('errors: none recently');
  });

  test('rates and ETAs stay readable from 25 a day to thousands a second', () => {
    expect(formatRate(4321.7)).toBe('4322');
    expect(formatRate(12.345)).toBe('12.3');
    expect(formatRate(25 / 86_400)).toBe('0.000289');
    expect(formatRate(0)).toBe('0');
    expect(formatEta(null)).toBe('?');
    expect(formatEta(75)).toBe('1m15s');
    expect(formatEta(3 * 86_400 + 4 * 3600)).toBe('3d04h');
  });
});
