import { isTransientRedisError } from './luaScript';
import { parseAcquireReply, parseConfirmReply, parsePeekReply } from './replies';

describe('script replies', () => {
  test('reads an admission with its sub-millisecond Redis time', () => {
    expect(parseAcquireReply([1, '1712345678901.234', '0.000'])).toEqual({ admitted: true, startMs: 1712345678901.234, waitMs: 0 });
    expect(parseAcquireReply([1, '1712345678913.734', '12.500'])).toEqual({ admitted: true, startMs: 1712345678913.734, waitMs: 12.5 });
  });

  test('reads a confirmed reserved start, and each way a confirm gives up or defers', () => {
    expect(parseConfirmReply([1, '1712345678914.100'])).toEqual({ confirmed: true, startMs: 1712345678914.1 });
    expect(parseConfirmReply([0, 'pause', '2000.000'])).toEqual({ confirmed: false, reason: 'pause', ms: 2000 });
    expect(parseConfirmReply([0, 'late', '300.250'])).toEqual({ confirmed: false, reason: 'late', ms: 300.25 });
    expect(parseConfirmReply([0, 'early', '0.400'])).toEqual({ confirmed: false, reason: 'early', ms: 0.4 });
    expect(() => parseConfirmReply([0, 'window', '1'])).toThrow(/unexpected script reply/);
  });

  test('reads each refusal with its reason and wait', () => {
    expect(parseAcquireReply([0, 'window', '12.500'])).toEqual({ admitted: false, reason: 'window', waitMs: 12.5 });
    expect(parseAcquireReply([0, 'pause', '1499.000'])).toEqual({ admitted: false, reason: 'pause', waitMs: 1499 });
    expect(parseAcquireReply([0, 'concurrency', '0'])).toEqual({ admitted: false, reason: 'concurrency', waitMs: 0 });
  });

  test('throws on a reply of another shape instead of guessing', () => {
    expect(() => parseAcquireReply('OK')).toThrow(/unexpected script reply/);
    expect(() => parseAcquireReply([0, 'nap', '1'])).toThrow(/unexpected script reply/);
    expect(() => parseAcquireReply([1, 'soon'])).toThrow(/unexpected script reply/);
  });

  test('reads a peek, with no in-flight count when there is no global cap', () => {
    expect(parsePeekReply(['1000.500', '0', '0.000', -1, 3, 7], 2)).toEqual({
      nowMs: 1000.5,
      pausedUntilMs: 0,
      waitMs: 0,
      inFlight: null,
      counts: [3, 7],
    });
    expect(parsePeekReply(['1000.000', '2500', '10.000', 2], 0).inFlight).toBe(2);
  });
});

describe('Redis errors', () => {
  const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

  test('waits out lost connections and busy or failing-over servers', () => {
    expect(isTransientRedisError(new Error('Connection is closed.'))).toBe(true);
    expect(isTransientRedisError(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe(true);
    expect(isTransientRedisError(reply('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isTransientRedisError(reply('READONLY You cannot write against a read only replica.'))).toBe(true);
  });

  test('does not retry a script or type error', () => {
    expect(isTransientRedisError(reply('ERR user_script:3: bad argument'))).toBe(false);
    expect(isTransientRedisError(reply('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(isTransientRedisError('boom')).toBe(false);
  });
});
