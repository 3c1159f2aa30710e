import type { ServerResponse } from 'node:http';

/** Writes a complete JSON response with an explicit length, so keep-alive clients reuse the socket. */
export function sendJson(res: ServerResponse, status: number, body: string, retryAfter?: string): void {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  res.writeHead(status, headers);
  res.end(body);
}

export const NOT_FOUND_BODY = '{"error":"not found"}';
export const METHOD_NOT_ALLOWED_BODY = '{"error":"method not allowed"}';
