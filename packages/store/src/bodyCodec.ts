import { deflater, inflater } from './zlibReuse';

/**
 * Compression of stored response bodies: raw deflate (Node's zlib, no dependency) with a preset
 * dictionary made of the crawl's first bodies. API bodies of one crawl share most of their text
 * (field names, URLs, formatting) and differ in a few values, so a body compressed alone gains
 * little while one compressed against a few of its siblings shrinks 3-5×.
 *
 * Measured on colour bodies of the real API's shape (~950 bytes): a 4 KiB dictionary takes a body
 * to ~190 bytes; a larger one gains a few percent more but costs more CPU per row, because zlib
 * hashes the whole dictionary for every body it compresses.
 */

/** Name of this format, stored beside each crawl's dictionary, so a later format can coexist. */
export const BODY_CODEC = 'deflate-raw-dict-v1';

/** Bodies stored plain before the dictionary is built from them. */
export const SAMPLE_BODIES = 100;

/** Largest dictionary, in bytes. */
export const DICTIONARY_BYTES = 4096;

/** zlib level: 6 (zlib's default) measured as small as 9 at a third less CPU on these bodies. */
const LEVEL = 6;

/**
 * The preset dictionary for a crawl, from sample bodies in the order they were stored: the last
 * bodies that fit in `maxBytes`, most recent last (deflate reaches the end of a dictionary with
 * the shortest distances). A body longer than `maxBytes` contributes its last `maxBytes` bytes.
 */
export function buildDictionary(samples: readonly string[], maxBytes: number = DICTIONARY_BYTES): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  for (let i = samples.length - 1; i >= 0 && size < maxBytes; i--) {
    const body = Buffer.from(samples[i] as string, 'utf8');
    parts.unshift(body);
    size += body.length;
  }
  const dictionary = Buffer.concat(parts);
  return dictionary.length > maxBytes ? dictionary.subarray(dictionary.length - maxBytes) : dictionary;
}

/** Compresses and decompresses bodies against one dictionary; one per crawl and process. */
export interface BodyCodec {
  /** `body` compressed, or null when that would not make it smaller (a tiny or incompressible body is stored plain). */
  compress(body: string): Buffer | null;
  /** The body `compress` packed. */
  decompress(packed: Uint8Array): string;
}

export function createBodyCodec(dictionary: Buffer): BodyCodec {
  const deflate = deflater(dictionary, LEVEL);
  const inflate = inflater(dictionary);
  return {
    compress(body) {
      const plain = Buffer.from(body, 'utf8');
      const packed = deflate(plain);
      return packed.length < plain.length ? packed : null;
    },
    decompress: (packed) => inflate(packed).toString('utf8'),
  };
}
