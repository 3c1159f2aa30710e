import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type ApiKind, handleApi } from './api';
import { METHOD_NOT_ALLOWED_BODY, NOT_FOUND_BODY, sendJson } from './respond';
import type { ServerState } from './state';

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
  return false;
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
