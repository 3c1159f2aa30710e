import { PermanentError, TransientError } from '@sluice/core';
import { ERROR_CODE_CLASSES, errorCodeClass } from './errorTable';
import { classifyNetworkError, findErrorCode } from './networkError';

const withCode = (code: string, message = `failed with ${code}`) => Object.assign(new Error(message), { code });

describe('ERROR_CODE_CLASSES', () => {
  test.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENOTFOUND',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'UND_ERR_CLOSED',
    'UND_ERR_ABORTED',
    'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
    'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  ])('%s is transient', (code) => {
    expect(ERROR_CODE_CLASSES[code]).toBe('transient');
    expect(classifyNetworkError(withCode(code))).toBeInstanceOf(TransientError);
  });

  test.each(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_HEADERS_OVERFLOW', 'Z_DATA_ERROR'])('%s is permanent', (code) => {
    expect(ERROR_CODE_CLASSES[code]).toBe('permanent');
    expect(classifyNetworkError(withCode(code))).toBeInstanceOf(PermanentError);
  });

  test('unknown codes and codeless errors are transient', () => {
    expect(errorCodeClass('E_SOMETHING_NEW')).toBe('transient');
    expect(errorCodeClass(undefined)).toBe('transient');
    expect(classifyNetworkError(new Error('mystery'))).toBeInstanceOf(TransientError);
    expect(classifyNetworkError('a thrown string')).toBeInstanceOf(TransientError);
  });
});

describe('classifyNetworkError', () => {
  test('keeps the original error as cause and the status when one arrived', () => {
    const original = withCode('ECONNRESET');
    const error = classifyNetworkError(original, 200);
    expect(error.cause).toBe(original);
    expect(error.status).toBe(200);
    expect(error.message).toContain('ECONNRESET');
  });

  test('passes errors that already carry a decision through unchanged', () => {
    const decided = new PermanentError('body larger than 10 bytes', 200);
    expect(classifyNetworkError(decided)).toBe(decided);
  });

  test('redacts secrets a wrapped message might quote', () => {
    const error = classifyNetworkError(withCode('ECONNRESET', 'reset while fetching https://api.example/x?token=hunter22'));
    expect(error.message).not.toContain('hunter22');
  });

  test('finds codes on causes and inside AggregateError attempts, preferring known ones', () => {
    expect(findErrorCode(new Error('wrapped', { cause: withCode('UND_ERR_SOCKET') }))).toBe('UND_ERR_SOCKET');
    const aggregate = Object.assign(new AggregateError([withCode('ECONNREFUSED')], 'all attempts failed'), { code: 'E_WRAPPER' });
    expect(findErrorCode(aggregate)).toBe('ECONNREFUSED');
    expect(findErrorCode(withCode('E_ONLY'))).toBe('E_ONLY');
    expect(findErrorCode(null)).toBeUndefined();
  });
});
