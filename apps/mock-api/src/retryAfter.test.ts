import { retryAfterHeader } from './retryAfter';

describe('retryAfterHeader', () => {
  const now = Date.UTC(2024, 5, 14, 10, 0, 0, 250);

  it('rounds seconds up, so a client never comes back early', () => {
    expect(retryAfterHeader('seconds', 59_001, now)).toBe('60');
    expect(retryAfterHeader('seconds', 60_000, now)).toBe('60');
    expect(retryAfterHeader('seconds', 1, now)).toBe('1');
  });

  it('rounds an HTTP date up to the next whole second', () => {
    expect(retryAfterHeader('http-date', 2_000, now)).toBe('Fri, 14 Jun 2024 10:00:03 GMT');
  });

  it('sends no header for none, or for a wait without end; "soon" for garbage', () => {
    expect(retryAfterHeader('none', 1_000, now)).toBeUndefined();
    expect(retryAfterHeader('seconds', Number.POSITIVE_INFINITY, now)).toBeUndefined();
    expect(retryAfterHeader('garbage', Number.POSITIVE_INFINITY, now)).toBe('soon');
  });
});
