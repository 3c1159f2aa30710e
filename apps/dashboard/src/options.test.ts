import { ConfigError } from '@sluice/core';
import type { Engine } from '@sluice/engine';
import { checkBinding, isLoopback } from './options';
import { startDashboard } from './server';

describe('binding rules', () => {
  test('loopback addresses and names are recognised', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopback(host)).toBe(false);
  });

  test('a non-loopback host without a token is refused, with the fix in the message', () => {
    expect(() => checkBinding('0.0.0.0', 8080, undefined)).toThrow(ConfigError);
    expect(() => checkBinding('0.0.0.0', 8080, undefined)).toThrow(/SLUICE_DASHBOARD_TOKEN/);
    expect(() => checkBinding('0.0.0.0', 8080, 'a-long-enough-token-1234')).not.toThrow();
    expect(() => checkBinding('127.0.0.1', 8080, undefined)).not.toThrow();
  });

  test('short tokens and bad ports are refused, every problem at once', () => {
    try {
      checkBinding('0.0.0.0', 70_000, 'short');
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toHaveLength(2);
    }
  });

  test('startDashboard refuses before binding or touching the engine', async () => {
    const untouchable = new Proxy({} as Engine, {
      get() {
        throw new Error('the engine must not be used');
      },
    });
    await expect(startDashboard({ engine: untouchable, host: '0.0.0.0', port: 0 })).rejects.toBeInstanceOf(ConfigError);
  });
});
