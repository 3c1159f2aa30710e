import type { ServerResponse } from 'node:http';
import { type ByteMeter, hasBody, JSON_TYPE, sendBody } from './respond';
import { streamGzipBomb, streamHugeBody } from './streams';

/**
 * Hostile answers a robust client must survive: each is what some real upstream (or the
 * proxy in front of it) has been seen to send.
 * - `'html200'`: 200 `text/html` `<html><body>Oops</body></html>` (a captive portal or error page);
 * - `'truncated'`: 200 JSON whose `content-length` is the full body, but only the first half
 *   is sent before the socket is destroyed;
 * - `'empty'`: 200 JSON with an empty body;
 * - `'wrongSchema'`: 200 `{"unexpected":true}`, valid JSON without the expected fields;
 * - `'wrongContentType'`: 200 with the normal JSON body labelled `text/plain`;
 * - `'deepJson'`: 200 `[[[…]]]` nested 100,000 levels deep (200,000 bytes);
 * - `'hugeBody'`: 200 JSON-ish filler of `hugeBodyBytes`, streamed without `content-length`;
 * - `'gzipBomb'`: 200 `content-encoding: gzip`, the gzip of `gzipBombBytes` zero bytes;
 * - `'redirect'`: 302 to `http://evil.example/steal`, which a client must not follow.
 */
export type BodyFault =
  | 'html200'
  | 'truncated'
  | 'empty'
  | 'wrongSchema'
  | 'wrongContentType'
  | 'deepJson'
  | 'hugeBody'
  | 'gzipBomb'
  | 'redirect';

export const BODY_FAULTS: readonly BodyFault[] = [
  'html200',
  'truncated',
  'empty',
  'wrongSchema',
  'wrongContentType',
  'deepJson',
  'hugeBody',
  'gzipBomb',
  'redirect',
];

export const HTML_BODY = '<html><body>Oops</body></html>';
export const WRONG_SCHEMA_BODY = '{"unexpected":true}';
export const REDIRECT_LOCATION = 'http://evil.example/steal';
export const DEEP_JSON_DEPTH = 100_000;

let deepJson: string | undefined;
/** Built once, by repetition rather than recursion, so neither side of the wire overflows a stack making it. */
const deepJsonBody = () => {
  deepJson ??= '['.repeat(DEEP_JSON_DEPTH) + ']'.repeat(DEEP_JSON_DEPTH);
  return deepJson;
};

/** How one faulty answer is sent: the normal body it spoils, sizes and pacing as of the request's arrival. */
export interface FaultContext {
  normalBody: () => string;
  slowBodyMs: number;
  hugeBodyBytes: number;
  gzipBombBytes: number;
  meter: ByteMeter;
}

function sendTruncated(res: ServerResponse, body: string, meter: ByteMeter): void {
  const bytes = Buffer.from(body);
  const half = bytes.subarray(0, bytes.length >> 1);
  res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': bytes.length });
  if (hasBody(res)) meter.recordBytes(half.length);
  // Destroy only once the half is on the wire, so the client sees a short body and not a bare reset.
  res.write(half, () => res.destroy());
}

/** Sends `fault` and returns the status it answered with. */
export function sendBodyFault(res: ServerResponse, fault: BodyFault, context: FaultContext): number {
  const { slowBodyMs, meter } = context;
  switch (fault) {
    case 'html200':
      sendBody(res, 200, { 'content-type': 'text/html; charset=utf-8' }, HTML_BODY, slowBodyMs, meter);
      return 200;
    case 'truncated':
      sendTruncated(res, context.normalBody(), meter);
      return 200;
    case 'empty':
      sendBody(res, 200, { 'content-type': JSON_TYPE }, '', slowBodyMs, meter);
      return 200;
    case 'wrongSchema':
      sendBody(res, 200, { 'content-type': JSON_TYPE }, WRONG_SCHEMA_BODY, slowBodyMs, meter);
      return 200;
    case 'wrongContentType':
      sendBody(res, 200, { 'content-type': 'text/plain; charset=utf-8' }, context.normalBody(), slowBodyMs, meter);
      return 200;
    case 'deepJson':
      sendBody(res, 200, { 'content-type': JSON_TYPE }, deepJsonBody(), slowBodyMs, meter);
      return 200;
    case 'hugeBody':
      streamHugeBody(res, context.hugeBodyBytes, meter);
      return 200;
    case 'gzipBomb':
      streamGzipBomb(res, context.gzipBombBytes, meter);
      return 200;
    case 'redirect':
      sendBody(res, 302, { 'content-type': JSON_TYPE, location: REDIRECT_LOCATION }, '', slowBodyMs, meter);
      return 302;
  }
}
