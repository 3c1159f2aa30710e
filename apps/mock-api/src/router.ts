import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type ApiKind, handleApi } from './api';
import { METHOD_NOT_ALLOWED_BODY, NOT_FOUND_BODY, sendJson } from './respond';
import { applyOptions, type ServerState } from './state';

/**
 * Routes by exact path. `/__mock/*` is the control surface for tests and the demo; it is not
 * counted in stats and never delayed or failed.
 */

const API_PATHS: Readonly<Record<string, ApiKind>> = { '/id': 'colour', '/query': 'stock' };

function handleControl(state: ServerState, req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (path === '/__mock/stats' && req.method === 'GET') {
    sendJson(res, 200, JSON.stringify(state.stats.snapshot(state.options.recordArrivals)));
    return true;
  }
  if (path === '/__mock/reset' && req.method === 'POST') {
    state.stats.reset();
    sendJson(res, 200, '{"ok":true}');
    return true;
  }
  if (path === '/__mock/options' && req.method === 'POST') {
    void setOptionsFromBody(state, req, res);
    return true;
  }
  return false;
}

/** Most bytes `POST /__mock/options` reads: options are small, a runaway client is not. */
const MAX_OPTIONS_BYTES = 1 << 20;

/** `POST /__mock/options` with a JSON object of runtime options: what `setOptions` does, for a mock in another process. */
async function setOptionsFromBody(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > MAX_OPTIONS_BYTES) {
      sendJson(res, 413, '{"error":"options too large"}');
      return;
    }
  }
  try {
    const partial: unknown = JSON.parse(text);
    if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) throw new TypeError('expected a JSON object of options');
    applyOptions(state, partial, performance.now());
    sendJson(res, 200, '{"ok":true}');
  } catch (err) {
    sendJson(res, 400, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
  }
}

export function createHandler(state: ServerState): RequestListener {
  return (req, res) => {
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark === -1 ? url : url.slice(0, mark);
    const kind = Object.hasOwn(API_PATHS, path) ? API_PATHS[path] : undefined;
    if (kind !== undefined) {
      if (req.method === 'GET' || req.method === 'HEAD') handleApi(state, req, res, kind, mark === -1 ? '' : url.slice(mark + 1));
      else sendJson(res, 405, METHOD_NOT_ALLOWED_BODY);
      return;
    }
    if (!handleControl(state, req, res, path)) sendJson(res, 404, NOT_FOUND_BODY);
  };
}
