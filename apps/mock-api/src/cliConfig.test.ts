import { ConfigError } from '@sluice/core';
import { mockApiHelp, parseMockApiConfig, SETTINGS } from './cliConfig';
import { resolveOptions } from './options';

describe('parseMockApiConfig', () => {
  it('reads environment variables and lets flags override them', () => {
    const env = { MOCK_API_PORT: '9000', MOCK_API_LATENCY_MS: '5', MOCK_API_TRACK_KEYS: 'false', MOCK_API_INVALID_SYMBOLS: 'BAD, WORSE' };
    const { options } = parseMockApiConfig(['--port', '9001', '--record-arrivals', '--outcomes-json', '{"00000A":[500,"ok"]}'], env);
    expect(options).toEqual({
      port: 9001,
      latencyMs: 5,
      trackKeys: false,
      recordArrivals: true,
      invalidSymbols: ['BAD', 'WORSE'],
      outcomes: { '00000A': [500, 'ok'] },
    });
  });

  it('reports every bad setting at once, naming flag and variable', () => {
    const env = { MOCK_API_ERROR_RATE: '1.5', MOCK_API_OUTCOMES: '{not json' };
    const error = (() => {
      try {
        parseMockApiConfig(['--seed', 'x'], env);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      '--error-rate / MOCK_API_ERROR_RATE: errorRate: expected a number between 0 and 1',
      '--seed / MOCK_API_SEED: cannot read "x" as integer',
      '--outcomes-json / MOCK_API_OUTCOMES: cannot read "{not json" as json',
    ]);
  });

  it('rejects unknown flags', () => {
    expect(() => parseMockApiConfig(['--latency', '5'], {})).toThrow(ConfigError);
  });

  it('documents every setting in --help', () => {
    expect(parseMockApiConfig(['--help'], {}).help).toBe(true);
    const help = mockApiHelp();
    for (const setting of SETTINGS) expect(help).toContain(`--${setting.flag}`);
    for (const setting of SETTINGS) expect(help).toContain(setting.env);
  });
});

describe('resolveOptions', () => {
  it('fills defaults and rejects unknown options', () => {
    expect(resolveOptions({ latencyMs: 3 })).toMatchObject({ port: 0, host: '127.0.0.1', latencyMs: 3, errorRate: 0, trackKeys: true });
    expect(() => resolveOptions({ latency: 3 } as never)).toThrow('latency: unknown option');
  });
});
