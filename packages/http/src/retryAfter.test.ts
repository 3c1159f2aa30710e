import { MAX_RETRY_AFTER_MS, parseRetryAfterMs } from './retryAfter';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('parseRetryAfterMs', () => {
  test('reads delta-seconds as milliseconds, ignoring surrounding whitespace', () => {
    expect(parseRetryAfterMs('3', NOW)).toBe(3000);
    expect(parseRetryAfterMs('  0 ', NOW)).toBe(0);
  });

  test('reads an IMF-fixdate in the future as the time until then', () => {
    expect(parseRetryAfterMs('Wed, 01 May 2024 12:00:30 GMT', NOW)).toBe(30_000);
  });

  test('reads the obsolete RFC 850 and asctime forms as GMT', () => {
    expect(parseRetryAfterMs('Wednesday, 01-May-24 12:00:10 GMT', NOW)).toBe(10_000);
    expect(parseRetryAfterMs('Wed May  1 12:00:20 2024', NOW)).toBe(20_000);
  });

  test('treats a date in the past as "retry now"', () => {
    expect(parseRetryAfterMs('Wed, 01 May 2024 11:00:00 GMT', NOW)).toBe(0);
  });

  test.each(['', 'soon', '-1', '1.5', '3s', '0x10', 'Someday, 99 Foo 2024'])('returns null for garbage %j', (value) => {
    expect(parseRetryAfterMs(value, NOW)).toBeNull();
  });

  test('returns null when the header is missing', () => {
    expect(parseRetryAfterMs(undefined, NOW)).toBeNull();
  });

  test('caps absurd waits at 24 hours', () => {
    expect(parseRetryAfterMs('99999999999', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfterMs('Fri, 01 Jan 2100 00:00:00 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  test('takes the longest usable wait from a repeated header', () => {
    expect(parseRetryAfterMs(['2', 'garbage', '5'], NOW)).toBe(5000);
    expect(parseRetryAfterMs(['garbage'], NOW)).toBeNull();
    expect(parseRetryAfterMs([], NOW)).toBeNull();
  });
});
