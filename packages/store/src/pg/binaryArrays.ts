/**
 * One-dimensional PostgreSQL arrays in the binary wire format (what `array_recv` reads).
 * node-postgres sends a Buffer parameter as binary, so a `$n::text[]` parameter built here
 * reaches the server as lengths and bytes: nothing to unescape or parse, unlike JSON or an
 * array literal. Elements must not be null (the ledger's result columns are NOT NULL).
 *
 * Layout: ndim, has-null flag, element type OID, then per dimension its length and lower
 * bound (1); then per element a length in bytes and the bytes, all integers big-endian.
 */

const TEXT_OID = 25;
const INT4_OID = 23;
const INT8_OID = 20;
const HEADER_BYTES = 20;
const TWO_TO_32 = 2 ** 32;

function writeHeader(buf: Buffer, elementOid: number, length: number): void {
  buf.writeInt32BE(1, 0);
  buf.writeInt32BE(0, 4);
  buf.writeInt32BE(elementOid, 8);
  buf.writeInt32BE(length, 12);
  buf.writeInt32BE(1, 16);
}

/** A `text[]` of `values`, UTF-8 encoded. */
export function textArray(values: readonly string[]): Buffer {
  let size = HEADER_BYTES + 4 * values.length;
  const lengths = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    lengths[i] = Buffer.byteLength(values[i] as string, 'utf8');
    size += lengths[i] as number;
  }
  const buf = Buffer.allocUnsafe(size);
  writeHeader(buf, TEXT_OID, values.length);
  let at = HEADER_BYTES;
  for (let i = 0; i < values.length; i++) {
    at = buf.writeInt32BE(lengths[i] as number, at);
    at += buf.write(values[i] as string, at, 'utf8');
  }
  return buf;
}

/** An array of fixed-width elements: `width` bytes each, written by `put` at a position. */
function fixedWidthArray(
  values: readonly number[],
  elementOid: number,
  width: number,
  put: (buf: Buffer, v: number, at: number) => void,
): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES + (4 + width) * values.length);
  writeHeader(buf, elementOid, values.length);
  let at = HEADER_BYTES;
  for (const v of values) {
    buf.writeInt32BE(width, at);
    put(buf, v, at + 4);
    at += 4 + width;
  }
  return buf;
}

/** An `integer[]` of `values` (each a whole number within ±2³¹). */
export function int4Array(values: readonly number[]): Buffer {
  return fixedWidthArray(values, INT4_OID, 4, (buf, v, at) => buf.writeInt32BE(v, at));
}

/** A `bigint[]` of `values` (each a whole number within ±2⁵³, e.g. epoch milliseconds). */
export function int8Array(values: readonly number[]): Buffer {
  return fixedWidthArray(values, INT8_OID, 8, (buf, v, at) => {
    // Two 32-bit halves: exact for any safe integer, and no BigInt per value.
    const high = Math.floor(v / TWO_TO_32);
    buf.writeInt32BE(high, at);
    buf.writeUInt32BE(v - high * TWO_TO_32, at + 4);
  });
}
