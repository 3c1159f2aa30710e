/**
 * Decoders for a response's `content-encoding`. We never ask for compression, but some servers
 * compress anyway, and the body cap must apply to what we would store, i.e. decoded bytes.
 */
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { PermanentError } from '@sluice/core';

const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** Longest coding name quoted in an error; the header is server-controlled text. */
const MAX_QUOTED_LENGTH = 32;

/**
 * Returns the decoders to pipe the body through, in order. Codings are listed in the order the
 * server applied them, so they are undone in reverse; `identity` needs nothing.
 * Throws PermanentError for a coding we cannot decode: retrying would get the same bytes.
 */
export function createDecoders(contentEncoding: string | string[] | undefined, status: number): Transform[] {
  const header = Array.isArray(contentEncoding) ? contentEncoding.join(',') : (contentEncoding ?? '');
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  return codings.reverse().map((coding) => {
    const create = DECODERS[coding];
    if (create === undefined) {
      throw new PermanentError(`unsupported content-encoding ${JSON.stringify(coding.slice(0, MAX_QUOTED_LENGTH))}`, status);
    }
    return create();
  });
}
