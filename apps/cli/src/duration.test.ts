import { parseDurationMs } from './duration';

describe('duration flags', () => {
  test('units and bare seconds', () => {
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('3s')).toBe(3_000);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs('1h')).toBe(3_600_000);
    expect(parseDurationMs('10')).toBe(10_000);
    expect(parseDurationMs('0')).toBe(0);
    expect(parseDurationMs('1.5s')).toBe(1_500);
  });

  test('anything else is refused', () => {
    for (const bad of ['', 's', '-1s', '3 days', '1d', 'abc']) expect(() => parseDurationMs(bad)).toThrow(/duration/);
  });
});
