import type { IncomingMessage, ServerResponse } from 'node:http';
import { colourBody } from './colour';
import { type Plan, planResponse } from './faults';
import { errorBodyFor } from './outcomes';
import { sendJson } from './respond';
import type { ServerState } from './state';
import { stockBody } from './stock';

/** The two emulated upstreams. */
export type ApiKind = 'colour' | 'stock';

/** The key a request is counted and scripted under: upper-cased `hex`, or `symbol` as sent. */
function keyOf(kind: ApiKind, params: URLSearchParams): string {
  return kind === 'colour' ? (params.get('hex') ?? '').toUpperCase() : (params.get('symbol') ?? '');
}

function deliver(state: ServerState, req: IncomingMessage, res: ServerResponse, kind: ApiKind, params: URLSearchParams, plan: Plan): void {
  // A delayed answer may outlive the server or the client's patience.
  if (state.closed || res.destroyed) return;
  if (plan.kind === 'reset') {
    state.stats.recordReset();
    req.socket.destroy();
    return;
  }
  if (plan.kind === 'status') {
    sendJson(res, plan.status, plan.body ?? errorBodyFor(plan.status), plan.retryAfter);
    state.stats.recordResponse(plan.status);
    return;
  }
  sendJson(res, 200, kind === 'colour' ? colourBody(params.get('hex')) : stockBody(params, state.invalidSymbols));
  state.stats.recordResponse(200);
}

/** Counts the request, decides its fate now (so later option changes cannot alter it) and answers after the latency. */
export function handleApi(state: ServerState, req: IncomingMessage, res: ServerResponse, kind: ApiKind, query: string): void {
  const { options, scripts, stats } = state;
  const params = new URLSearchParams(query);
  const key = keyOf(kind, params);
  const script = scripts.get(key);
  const countKey = options.trackKeys || options.errorRate > 0 || script !== undefined;
  const attempt = stats.recordRequest(key, countKey, options.recordArrivals);
  const plan = planResponse(key, attempt, script, options.seed, options.errorRate);
  if (options.latencyMs > 0) {
    // Unref'd so a pending answer never keeps a closed server's process alive.
    setTimeout(deliver, options.latencyMs, state, req, res, kind, params, plan).unref();
  } else {
    deliver(state, req, res, kind, params, plan);
  }
}
