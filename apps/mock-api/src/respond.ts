import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Writes a complete JSON response with an explicit length, so keep-alive clients reuse the socket. */
export function sendJson(res: ServerResponse, status: number, body: string, retryAfter?: string): void {
  const headers: Record<string, string | number> = {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
  };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  res.writeHead(status, headers);
  res.end(body);
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const NOT_FOUND_BODY = '{"error":"not found"}';
export const METHOD_NOT_ALLOWED_BODY = '{"error":"method not allowed"}';

/** Where API answers count the body bytes they hand to the socket (`bytesSent`). */
export interface ByteMeter {
  recordBytes(bytes: number): void;
}

/** True when the response may carry a body: HEAD answers drop it, so they count no bytes. */
export const hasBody = (res: ServerResponse): boolean => res.req.method !== 'HEAD';

/**
 * Sends a complete API answer with its `content-length`. With `slowBodyMs > 0` the headers
 * and the first half of the body go at once and the rest that much later, which exercises
 * a client's whole-request deadline rather than its connect or header timeout.
 */
export function sendBody(
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body: string,
  slowBodyMs: number,
  meter: ByteMeter,
): void {
  if (slowBodyMs <= 0) {
    const length = Buffer.byteLength(body);
    headers['content-length'] = length;
    res.writeHead(status, headers);
    res.end(body);
    if (hasBody(res)) meter.recordBytes(length);
    return;
  }
  const bytes = Buffer.from(body);
  const half = bytes.length >> 1;
  headers['content-length'] = bytes.length;
  res.writeHead(status, headers);
  // An empty first write still flushes the headers.
  res.write(bytes.subarray(0, half));
  if (hasBody(res)) meter.recordBytes(half);
  const finish = () => {
    // The client may have given up, or the server closed, while we dawdled.
    if (res.destroyed) return;
    res.end(bytes.subarray(half));
    if (hasBody(res)) meter.recordBytes(bytes.length - half);
  };
  setTimeout(finish, slowBodyMs).unref();
}
