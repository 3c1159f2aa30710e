/**
 * Reads a response body into a string without ever holding more than the cap: bytes are
 * counted as they arrive, and the stream is torn down the moment the count passes the cap,
 * which makes undici drop the socket so the server stops sending.
 */
import { type Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PermanentError } from '@sluice/core';
import { createDecoders } from './contentEncoding';

export interface ReadBodyOptions {
  /** Largest body accepted, counted on the wire and again after decoding. */
  maxBodyBytes: number;
  /** The response's `content-encoding` header. */
  contentEncoding: string | string[] | undefined;
  /** HTTP status, carried by the errors thrown. */
  status: number;
  /** Aborts the read (deadline or caller); the pipeline then rejects and destroys the body. */
  signal: AbortSignal;
}

/** Reads `body` to the end and decodes it as UTF-8. Destroys `body` on any failure. */
export async function readBody(body: Readable, options: ReadBodyOptions): Promise<string> {
  const { maxBodyBytes, status } = options;
  let decoders: Transform[];
  try {
    decoders = createDecoders(options.contentEncoding, status);
  } catch (error) {
    // Destroying aborts the request so the socket is not kept for a body nobody reads; the
    // abort error it emits adds nothing to the error we throw.
    body.on('error', () => {}).destroy();
    throw error;
  }
  const chunks: Buffer[] = [];
  let decodedBytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      decodedBytes += chunk.length;
      if (decodedBytes > maxBodyBytes) return callback(bodyTooLarge(maxBodyBytes, status));
      chunks.push(chunk);
      callback();
    },
  });
  // Without decoders the sink already counts wire bytes. With them, a stream that decodes to
  // almost nothing could still stream forever, so the wire is capped as well.
  const wireLimit = decoders.length > 0 ? [byteLimit(maxBodyBytes, status)] : [];
  // Buffer.concat before decoding so multi-byte characters split across chunks survive.
  await pipeline([body, ...wireLimit, ...decoders, sink], { signal: options.signal });
  return Buffer.concat(chunks, decodedBytes).toString('utf8');
}

/** A pass-through that fails once more than `maxBytes` went through it. */
function byteLimit(maxBytes: number, status: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(bodyTooLarge(maxBytes, status));
      else callback(null, chunk);
    },
  });
}

function bodyTooLarge(maxBytes: number, status: number): PermanentError {
  return new PermanentError(`body larger than ${maxBytes} bytes`, status);
}
