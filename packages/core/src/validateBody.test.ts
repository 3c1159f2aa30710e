import { PermanentError, TransientError } from './errors';
import { getPath, validateJsonBody } from './validateBody';

const NO_RULES = { requiredFields: [] };

/** Shape of thecolorapi.com's /id answer, trimmed to the fields the rules read. */
function colourBody(clean: string, name: string): string {
  return JSON.stringify({ hex: { value: `#${clean}`, clean }, name: { value: name } });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe('validateJsonBody', () => {
  test('an unparseable body is transient, since a retry may get the whole body', () => {
    const err = thrown(() => validateJsonBody('{"hex": {"clean": "00FF', '00FF00', NO_RULES));
    expect(err).toBeInstanceOf(TransientError);
    expect(err).not.toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe('body is not valid JSON');
  });

  test('an empty body is transient and reported as "empty body"', () => {
    const err = thrown(() => validateJsonBody('', '00FF00', NO_RULES));
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe('empty body');
  });

  test('an HTML error page in place of JSON is transient', () => {
    expect(() => validateJsonBody('<html>502 Bad Gateway</html>', 'IBM', NO_RULES)).toThrow(TransientError);
  });

  test.each(['42', '"IBM"', 'true', 'null'])('a JSON scalar %s is permanent', (body) => {
    const err = thrown(() => validateJsonBody(body, 'IBM', NO_RULES));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).not.toBeInstanceOf(TransientError);
  });

  test('a JSON array is accepted and returned', () => {
    expect(validateJsonBody('[1,2]', 'IBM', NO_RULES)).toEqual([1, 2]);
  });

  test('a missing required field is permanent and named in the message', () => {
    const body = JSON.stringify({ hex: { value: '#00FF00' } });
    const rules = { requiredFields: ['hex.value', 'hex.clean'] };
    expect(() => validateJsonBody(body, '00FF00', rules)).toThrow(PermanentError);
    expect(() => validateJsonBody(body, '00FF00', rules)).toThrow('body lacks required field hex.clean');
  });

  test('a required field that is null counts as missing', () => {
    const body = JSON.stringify({ hex: { clean: 'GGGGGG' }, rgb: null, name: { value: 'Black' } });
    const err = thrown(() => validateJsonBody(body, 'GGGGGG', { requiredFields: ['rgb'], keyField: 'hex.clean' }));
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe('body lacks required field rgb');
    expect(() => validateJsonBody(JSON.stringify({ a: { b: null } }), 'k', { requiredFields: ['a.b'] })).toThrow('required field a.b');
  });

  test('required fields that are 0, false or empty are present', () => {
    const body = JSON.stringify({ n: 0, f: false, s: '', a: [] });
    expect(validateJsonBody(body, 'k', { requiredFields: ['n', 'f', 's', 'a'] })).toEqual({ n: 0, f: false, s: '', a: [] });
  });

  test('an Alpha Vantage "Information" answer lacks the required Symbol field', () => {
    const body = JSON.stringify({
      Information: 'Thank you for using Alpha Vantage! Please consider spreading out your free API requests.',
    });
    expect(() => validateJsonBody(body, 'IBM', { requiredFields: ['Symbol'] })).toThrow(PermanentError);
  });

  test('a colour API answering black 000000 for key 00FF00 fails the keyField check permanently', () => {
    const err = thrown(() => validateJsonBody(colourBody('000000', 'Black'), '00FF00', { requiredFields: [], keyField: 'hex.clean' }));
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe('body field hex.clean is "000000", expected the key');
  });

  test('a keyField absent from the body fails permanently', () => {
    const body = JSON.stringify({ name: { value: 'Lime' } });
    expect(() => validateJsonBody(body, '00FF00', { requiredFields: [], keyField: 'hex.clean' })).toThrow(
      'body field hex.clean is undefined, expected the key',
    );
  });

  test('the keyField comparison is exact, so case differences fail', () => {
    expect(() => validateJsonBody(colourBody('00FF00', 'Lime'), '00ff00', { requiredFields: [], keyField: 'hex.clean' })).toThrow(
      PermanentError,
    );
  });

  test('a body nested deeper than maxDepth fails permanently before it is parsed, naming the limit', () => {
    const bomb = '['.repeat(4_000_000) + ']'.repeat(4_000_000);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const err = thrown(() => validateJsonBody(bomb, 'IBM', NO_RULES));
      expect(err).toBeInstanceOf(PermanentError);
      expect((err as Error).message).toBe('body nests arrays or objects deeper than 1000 levels (validate.maxDepth)');
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  test('maxDepth is the deepest nesting accepted', () => {
    const body = JSON.stringify({ a: { b: [1] } });
    expect(validateJsonBody(body, 'IBM', { requiredFields: [], maxDepth: 3 })).toEqual({ a: { b: [1] } });
    expect(() => validateJsonBody(body, 'IBM', { requiredFields: [], maxDepth: 2 })).toThrow('deeper than 2 levels');
  });

  test('a body that passes every rule is returned parsed', () => {
    const body = colourBody('00FF00', 'Lime');
    const parsed = validateJsonBody(body, '00FF00', { requiredFields: ['hex.value', 'name.value'], keyField: 'hex.clean' });
    expect(parsed).toEqual({ hex: { value: '#00FF00', clean: '00FF00' }, name: { value: 'Lime' } });
  });
});

describe('getPath', () => {
  const doc = { hex: { clean: 'FF0000' }, items: [{ id: 7 }], zero: 0, nothing: null };

  test('reads nested fields by dotted path', () => {
    expect(getPath(doc, 'hex.clean')).toBe('FF0000');
  });

  test('reads array elements by index', () => {
    expect(getPath(doc, 'items.0.id')).toBe(7);
  });

  test('returns falsy values as they are', () => {
    expect(getPath(doc, 'zero')).toBe(0);
    expect(getPath(doc, 'nothing')).toBeNull();
  });

  test('returns undefined when the path leaves the document or crosses a scalar', () => {
    expect(getPath(doc, 'hex.missing')).toBeUndefined();
    expect(getPath(doc, 'hex.clean.length')).toBeUndefined();
    expect(getPath(doc, 'nothing.x')).toBeUndefined();
    expect(getPath('text', 'a')).toBeUndefined();
  });
});
