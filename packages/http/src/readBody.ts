/**
 * Reads a response body into a string without ever holding more than the cap: bytes are
 * counted as they arrive, and the stream is torn down the moment the count passes the cap,
 * which makes undici drop the socket so the server stops sending.
 */
import { type Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createJsonDepthGauge, type JsonDepthGauge, PermanentError, tooDeepReason } from '@sluice/core';
import { createDecoders } from './contentEncoding';

export interface ReadBodyOptions {
  /** Largest body accepted, counted on the wire and again after decoding. */
  maxBodyBytes: number;
  /** The response's `content-encoding` header. */
  contentEncoding: string | string[] | undefined;
  /** The response's `content-length` header. */
  contentLength?: string | string[] | undefined;
  /** HTTP status, carried by the errors thrown. */
  status: number;
  /** See FetchOptions.maxJsonDepth. Default: not checked. */
  maxJsonDepth?: number;
}

/**
 * 2xx bodies above this size are read chunk by chunk when a JSON depth is to be checked; below
 * it the fast path holds at most this much, and the caller's check before parsing suffices.
 */
const GAUGE_FROM_BYTES = 64 * 1024;

/** Reads `body` to the end and decodes it as UTF-8. Destroys `body` on any failure. */
export function readBody(body: Readable, options: ReadBodyOptions): Promise<string> {
  const length = declaredLength(options.contentLength);
  const gauge = depthGauge(options, length);
  if (options.contentEncoding === undefined && length !== null && length <= options.maxBodyBytes && gauge === null) {
    // Fast path: undici fails a body that runs past its declared content-length
    // (UND_ERR_RES_CONTENT_LENGTH_MISMATCH), so the cap already holds; its own text() avoids
    // the stream iterator's per-chunk promises, and returning its promise as it is (this
    // function is not async) avoids wrapping it in another.
    return (body as Readable & { text(): Promise<string> }).text();
  }
  return readCapped(body, options, gauge);
}

/** Reads a body whose size is not known up front, or that is encoded or gauged, chunk by chunk under the cap. */
async function readCapped(body: Readable, options: ReadBodyOptions, gauge: DepthGauge | null): Promise<string> {
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
  if (decoders.length === 0) return readPlain(body, maxBodyBytes, status, gauge);
  const chunks: Buffer[] = [];
  let decodedBytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      decodedBytes += chunk.length;
      if (decodedBytes > maxBodyBytes) return callback(bodyTooLarge(maxBodyBytes, status));
      if (gauge?.exceeded(chunk)) return callback(tooDeep(gauge, status));
      chunks.push(chunk);
      callback();
    },
  });
  // A stream that decodes to almost nothing could still stream forever, so the wire is
  // capped as well as the decoded size.
  // Buffer.concat before decoding so multi-byte characters split across chunks survive.
  // No signal here: the request's signal makes undici destroy `body`, which fails the pipeline.
  await pipeline([body, byteLimit(maxBodyBytes, status), ...decoders, sink]);
  return Buffer.concat(chunks, decodedBytes).toString('utf8');
}

/**
 * The common case, an unencoded body, read without a stream pipeline: `pipeline` costs an
 * AbortController, listeners and an AbortError per call, which at thousands of requests a
 * second is a large share of the worker's CPU. The request's signal already aborts `body`
 * (undici destroys it), which ends this loop with an error.
 */
async function readPlain(body: Readable, maxBodyBytes: number, status: number, gauge: DepthGauge | null): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBodyBytes) throw bodyTooLarge(maxBodyBytes, status);
      if (gauge?.exceeded(chunk)) throw tooDeep(gauge, status);
      chunks.push(chunk);
    }
  } catch (error) {
    body.on('error', () => {}).destroy();
    throw error;
  }
  return chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, bytes).toString('utf8');
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

type DepthGauge = JsonDepthGauge & { maxDepth: number };

/** A gauge for a 2xx body that may be large (no length, or above GAUGE_FROM_BYTES), or null. */
function depthGauge(options: ReadBodyOptions, length: number | null): DepthGauge | null {
  const { maxJsonDepth, status, contentEncoding } = options;
  if (maxJsonDepth === undefined || status < 200 || status > 299) return null;
  if (contentEncoding === undefined && length !== null && length <= GAUGE_FROM_BYTES) return null;
  return { ...createJsonDepthGauge(maxJsonDepth), maxDepth: maxJsonDepth };
}

function tooDeep(gauge: DepthGauge, status: number): PermanentError {
  return new PermanentError(tooDeepReason(gauge.maxDepth), status);
}

function bodyTooLarge(maxBytes: number, status: number): PermanentError {
  return new PermanentError(`body larger than ${maxBytes} bytes`, status);
}

/** A single, well-formed content-length, or null. */
function declaredLength(header: string | string[] | undefined): number | null {
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) return null;
  return Number(header);
}
