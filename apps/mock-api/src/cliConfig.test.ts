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

  it('reads the fault-mode flags and variables, assembling the storm field by field', () => {
    const env = { MOCK_API_STORM_FROM_MS: '50', MOCK_API_QUOTAS: '[{"limit":25,"windowMs":86400000,"mode":"429"}]' };
    const argv = [
      ...['--quota', '5/60000:body', '--quota-body-field', 'Information'],
      ...['--storm-status', '502', '--storm-duration-ms', '1000', '--storm-retry-after', 'http-date'],
      ...['--reset-rate', '0.1', '--slow-body-ms', '200', '--body-fault', 'html200'],
      ...['--huge-body-bytes', '1000000', '--gzip-bomb-bytes', '2000000'],
    ];
    const { options } = parseMockApiConfig(argv, env);
    expect(options).toEqual({
      quota: { limit: 5, windowMs: 60_000, mode: 'body' },
      quotas: [{ limit: 25, windowMs: 86_400_000, mode: '429' }],
      quotaBodyField: 'Information',
      storm: { status: 502, fromMs: 50, durationMs: 1000, retryAfter: 'http-date' },
      resetRate: 0.1,
      slowBodyMs: 200,
      bodyFault: 'html200',
      hugeBodyBytes: 1_000_000,
      gzipBombBytes: 2_000_000,
    });
    expect(() => resolveOptions(options)).not.toThrow();
    expect(parseMockApiConfig(['--quota', '25/86400000:503:garbage'], {}).options.quota).toEqual({
      limit: 25,
      windowMs: 86_400_000,
      mode: '503',
      retryAfter: 'garbage',
    });
  });

  it('reports every bad fault-mode setting at once', () => {
    const env = { MOCK_API_STORM_STATUS: '200', MOCK_API_RESET_RATE: '2' };
    const argv = ['--quota', '5/minute', '--quotas', '[{"limit":1,"windowMs":1000}]', '--body-fault', 'nope', '--slow-body-ms=-1'];
    expect(() => parseMockApiConfig(argv, env)).toThrow(ConfigError);
    try {
      parseMockApiConfig(argv, env);
    } catch (thrown) {
      expect((thrown as ConfigError).problems).toEqual([
        '--quota / MOCK_API_QUOTA: cannot read "5/minute" as LIMIT/WINDOW_MS:MODE[:RETRY_AFTER]',
        '--quotas / MOCK_API_QUOTAS: quotas[0].mode: expected one of body, 429, 503',
        '--storm-status / MOCK_API_STORM_STATUS: storm.status: expected an integer 400..599',
        '--reset-rate / MOCK_API_RESET_RATE: resetRate: expected a number between 0 and 1',
        '--slow-body-ms / MOCK_API_SLOW_BODY_MS: slowBodyMs: expected a number ≥ 0',
        '--body-fault / MOCK_API_BODY_FAULT: bodyFault: expected null or one of html200, truncated, empty, wrongSchema, wrongContentType, deepJson, hugeBody, gzipBomb, redirect',
      ]);
    }
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

  it('defaults every fault mode to off', () => {
    expect(resolveOptions({})).toMatchObject({
      quota: null,
      quotas: [],
      quotaBodyField: 'Note',
      storm: null,
      resetRate: 0,
      slowBodyMs: 0,
      bodyFault: null,
      hugeBodyBytes: 2 ** 30,
      gzipBombBytes: 2 ** 30,
    });
  });
});
