import { CircuitBreaker } from './circuitBreaker';

const policy = { failureRatio: 0.5, minAttempts: 4, consecutiveFailures: 100, windowMs: 10_000, maxOpenMs: 5_000 };

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('circuit breaker', () => {
  test('stays closed and charges attempts while failures are rare', () => {
    const c = clock();
    const b = new CircuitBreaker(policy, c.now);
    for (let i = 0; i < 10; i++) b.success(false);
    expect(b.failure(false)).toBe(true);
    expect(b.current).toBe('closed');
  });

  test('opens on a storm of failures and refunds the failure that opened it', () => {
    const c = clock();
    const b = new CircuitBreaker(policy, c.now);
    expect(b.failure(false)).toBe(true);
    expect(b.failure(false)).toBe(true);
    expect(b.failure(false)).toBe(true);
    expect(b.failure(false)).toBe(false);
    expect(b.current).toBe('open');
    expect(b.openUntilMs).toBe(c.now() + 1_000);
  });

  test('admits one half-open probe after the cooldown; a failed probe reopens for longer, a good one closes', async () => {
    const c = clock();
    const b = new CircuitBreaker(policy, c.now);
    for (let i = 0; i < 4; i++) b.failure(false);
    c.advance(1_000);
    const signal = new AbortController().signal;
    expect(await b.admit(signal)).toBe(true);
    expect(b.current).toBe('half-open');
    expect(b.failure(true)).toBe(false);
    expect(b.current).toBe('open');
    expect(b.openUntilMs).toBe(c.now() + 2_000);
    c.advance(2_000);
    expect(await b.admit(signal)).toBe(true);
    b.success(true);
    expect(b.current).toBe('closed');
    expect(await b.admit(signal)).toBe(false);
  });

  test('opens after a run of consecutive failures even when the window is full of successes', () => {
    const c = clock();
    const b = new CircuitBreaker({ ...policy, consecutiveFailures: 3 }, c.now);
    for (let i = 0; i < 100; i++) b.success(false);
    expect(b.failure(false)).toBe(true);
    expect(b.failure(false)).toBe(true);
    expect(b.failure(false)).toBe(false);
    expect(b.current).toBe('open');
  });

  test('forgets failures older than the window', () => {
    const c = clock();
    const b = new CircuitBreaker(policy, c.now);
    b.failure(false);
    b.failure(false);
    b.failure(false);
    c.advance(11_000);
    expect(b.failure(false)).toBe(true);
    expect(b.current).toBe('closed');
  });

  test('cooldown doubles up to maxOpenMs', () => {
    const c = clock();
    const b = new CircuitBreaker({ ...policy, maxOpenMs: 3_000 }, c.now);
    for (let i = 0; i < 4; i++) b.failure(false);
    const opens: number[] = [];
    for (let i = 0; i < 4; i++) {
      opens.push(b.openUntilMs - c.now());
      c.advance(b.openUntilMs - c.now());
      b.failure(true);
    }
    expect(opens).toEqual([1_000, 2_000, 3_000, 3_000]);
  });
});
