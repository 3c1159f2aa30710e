import { int4Array, int8Array, textArray } from './binaryArrays';

/** Reads back the layout array_recv expects: header, then (length, bytes) per element. */
function decode(buf: Buffer): { header: number[]; elements: Buffer[] } {
  const header = [0, 4, 8, 12, 16].map((at) => buf.readInt32BE(at));
  const elements: Buffer[] = [];
  let at = 20;
  while (at < buf.length) {
    const length = buf.readInt32BE(at);
    elements.push(buf.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return { header, elements };
}

describe('binary PostgreSQL arrays', () => {
  it('writes a text[] as one dimension of UTF-8 strings, lower bound 1, no nulls', () => {
    const { header, elements } = decode(textArray(['ab', '', 'é"\\\n']));
    expect(header).toEqual([1, 0, 25, 3, 1]);
    expect(elements.map((e) => e.toString('utf8'))).toEqual(['ab', '', 'é"\\\n']);
  });

  it('writes an integer[] as 4-byte big-endian elements, negatives included', () => {
    const { header, elements } = decode(int4Array([0, -1, 2_147_483_647]));
    expect(header).toEqual([1, 0, 23, 3, 1]);
    expect(elements.map((e) => e.readInt32BE(0))).toEqual([0, -1, 2_147_483_647]);
  });

  it('writes a bigint[] exactly for epoch milliseconds and any safe integer', () => {
    const values = [1_796_169_010_326, 0, -5, Number.MAX_SAFE_INTEGER];
    const { header, elements } = decode(int8Array(values));
    expect(header).toEqual([1, 0, 20, 4, 1]);
    expect(elements.map((e) => Number(e.readBigInt64BE(0)))).toEqual(values);
  });

  it('writes an empty array with a zero-length dimension', () => {
    expect(decode(textArray([]))).toEqual({ header: [1, 0, 25, 0, 1], elements: [] });
  });

  it('refuses an integer out of range rather than wrapping it', () => {
    expect(() => int4Array([2 ** 31])).toThrow(/out of range/);
  });
});
