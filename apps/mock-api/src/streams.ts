import type { ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { type ByteMeter, hasBody, JSON_TYPE } from './respond';

/**
 * Endless-looking bodies generated on the fly from one reused buffer, so the server's memory
 * stays flat however big the body: writes wait for 'drain' when the socket is full, and stop
 * for good when the client goes away or the server closes (both destroy the response).
 */

const CHUNK_BYTES = 64 * 1024;
const FILLER = Buffer.alloc(CHUNK_BYTES, 'x');
const ZEROS = Buffer.alloc(CHUNK_BYTES);
const FILLER_HEAD = Buffer.from('{"filler":"');
const FILLER_TAIL = Buffer.from('"}');

/** Smallest `hugeBodyBytes`: the JSON-ish frame around the filler. */
export const MIN_HUGE_BODY_BYTES = FILLER_HEAD.length + FILLER_TAIL.length;

/**
 * Writes chunks from `next` into `sink` until it returns `null` (then calls `done`) or `stopped()`
 * turns true. Each write that fills the sink's buffer waits for 'drain'.
 */
function pump(
  sink: Writable,
  next: () => Buffer | null,
  stopped: () => boolean,
  done: () => void,
  onChunk?: (bytes: number) => void,
): void {
  const step = () => {
    for (;;) {
      if (stopped()) return;
      const chunk = next();
      if (chunk === null) {
        done();
        return;
      }
      onChunk?.(chunk.length);
      if (!sink.write(chunk)) {
        sink.once('drain', step);
        return;
      }
    }
  };
  step();
}

/** Chunks totalling exactly `bytes`, cut from one reused buffer. */
function chunksOf(source: Buffer, bytes: number): () => Buffer | null {
  let remaining = bytes;
  return () => {
    if (remaining <= 0) return null;
    const size = Math.min(remaining, source.length);
    remaining -= size;
    return size === source.length ? source : source.subarray(0, size);
  };
}

/** `{"filler":"`, then filler, then `"}`: `bytes` in all. */
function hugeBodyChunks(bytes: number): () => Buffer | null {
  const filler = chunksOf(FILLER, bytes - MIN_HUGE_BODY_BYTES);
  let stage: 'head' | 'filler' | 'tail' | 'done' = 'head';
  return () => {
    if (stage === 'head') {
      stage = 'filler';
      return FILLER_HEAD;
    }
    if (stage === 'filler') {
      const chunk = filler();
      if (chunk !== null) return chunk;
      stage = 'tail';
    }
    if (stage === 'tail') {
      stage = 'done';
      return FILLER_TAIL;
    }
    return null;
  };
}

/** 200 `{"filler":"xxx…"}` of exactly `bytes` bytes, chunked (no `content-length`, as a runaway upstream sends it). */
export function streamHugeBody(res: ServerResponse, bytes: number, meter: ByteMeter): void {
  res.writeHead(200, { 'content-type': JSON_TYPE });
  if (!hasBody(res)) {
    res.end();
    return;
  }
  pump(
    res,
    hugeBodyChunks(bytes),
    () => res.destroyed,
    () => res.end(),
    (n) => meter.recordBytes(n),
  );
}

/** 200 `content-encoding: gzip` whose body inflates to `bytes` zero bytes, compressed as it is sent. */
export function streamGzipBomb(res: ServerResponse, bytes: number, meter: ByteMeter): void {
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-encoding': 'gzip' });
  if (!hasBody(res)) {
    res.end();
    return;
  }
  const gzip = createGzip();
  let stopped = false;
  res.once('close', () => {
    stopped = true;
    gzip.destroy();
  });
  // A zlib failure ends the answer the way a dropped connection would.
  gzip.on('error', () => res.destroy());
  gzip.on('data', (chunk: Buffer) => meter.recordBytes(chunk.length));
  gzip.pipe(res);
  pump(
    gzip,
    chunksOf(ZEROS, bytes),
    () => stopped,
    () => gzip.end(),
  );
}
