import { CircuitBreaker } from './circuitBreaker';
import type { Logger } from './engine';
import { endpointOf, OutageWatch } from './outageWatch';

const policy = { failureRatio: 0.5, minAttempts: 100, consecutiveFailures: 2, windowMs: 10_000, maxOpenMs: 5_000 };

function setup(options: { answeredBefore?: boolean; maxOutageMs?: number } = {}) {
  let t = 1_000_000;
  const now = () => t;
  const lines: Array<{ level: string; message: string; event: unknown }> = [];
  const line = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push({ level, message, event: fields?.event });
  const log: Logger = { info: line('info'), warn: line('warn'), error: line('error') };
  const breaker = new CircuitBreaker(policy, now);
  const watch = new OutageWatch({
    breaker,
    endpoint: '127.0.0.1:1',
    answeredBefore: options.answeredBefore ?? false,
    maxOutageMs: options.maxOutageMs,
    log,
    now,
  });
  const open = () => {
    breaker.failure(false, 'request failed (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:1');
    breaker.failure(false, 'request failed (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:1');
  };
  return { breaker, watch, lines, open, advance: (ms: number) => (t += ms) };
}

describe('outage watch', () => {
  test('the first opening is logged at once with the endpoint and the error', () => {
    const s = setup();
    s.open();
    expect(s.breaker.current).toBe('open');
    expect(s.lines).toHaveLength(1);
    expect(s.lines[0]?.message).toContain(
      'endpoint 127.0.0.1:1 unreachable: request failed (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:1',
    );
    expect(s.lines[0]?.event).toBe('outage');
    expect(s.watch.since).toBeGreaterThan(0);
  });

  test('an endpoint that never answered is given up after 60 s by default, reminded every 30 s until then', () => {
    const s = setup();
    s.open();
    s.advance(29_000);
    expect(s.watch.check()).toBeNull();
    expect(s.lines).toHaveLength(1);
    s.advance(1_000);
    expect(s.watch.check()).toBeNull();
    expect(s.lines).toHaveLength(2);
    expect(s.lines[1]?.message).toContain('still unreachable after 30 s');
    s.advance(30_000);
    const err = s.watch.check();
    expect(err?.exitCode).toBe(5);
    expect(err?.message).toContain('ECONNREFUSED 127.0.0.1:1');
  });

  test('after answers an outage waits without limit but keeps logging; --max-outage bounds it', () => {
    const s = setup();
    s.breaker.success(false);
    s.open();
    for (let i = 0; i < 20; i++) {
      s.advance(30_000);
      expect(s.watch.check()).toBeNull();
    }
    expect(s.lines.filter((l) => l.event === 'outage')).toHaveLength(21);

    const bounded = setup({ answeredBefore: true, maxOutageMs: 3_000 });
    bounded.open();
    bounded.advance(2_999);
    expect(bounded.watch.check()).toBeNull();
    bounded.advance(1);
    expect(bounded.watch.check()?.exitCode).toBe(5);
  });

  test('the end of an outage is logged and clears it', async () => {
    const s = setup();
    s.open();
    s.advance(1_000);
    const probe = await s.breaker.admit(new AbortController().signal);
    expect(probe).toBe(true);
    s.breaker.success(true);
    expect(s.watch.since).toBe(0);
    expect(s.lines.at(-1)).toMatchObject({ event: 'outage-end' });
    expect(s.watch.check()).toBeNull();
  });

  test('endpointOf names host and port, never credentials or paths', () => {
    expect(endpointOf('http://127.0.0.1:1/id?hex={key}')).toBe('127.0.0.1:1');
    expect(endpointOf('https://user:{env.PW}@api.example.com/q')).toBe('api.example.com');
  });
});
