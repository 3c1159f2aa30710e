import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendBodyFault } from './bodyFaults';
import { COLOUR_THROTTLE_BODY, colourBody } from './colour';
import { colourBodyFull } from './colourFull';
import { type Plan, planResponse } from './faults';
import { gate } from './gate';
import type { ResolvedMockApiOptions } from './options';
import { errorBodyFor } from './outcomes';
import { JSON_TYPE, sendBody } from './respond';
import type { ServerState } from './state';
import { stockBody, throttleBody } from './stock';

/** The two emulated upstreams. */
export type ApiKind = 'colour' | 'stock';

/** The key a request is counted and scripted under: upper-cased `hex`, or `symbol` as sent. */
function keyOf(kind: ApiKind, params: URLSearchParams): string {
  return kind === 'colour' ? (params.get('hex') ?? '').toUpperCase() : (params.get('symbol') ?? '');
}

/** One request on its way: the options as they were when it arrived, so later changes cannot alter its answer. */
interface Pending {
  state: ServerState;
  options: ResolvedMockApiOptions;
  kind: ApiKind;
  params: URLSearchParams;
  plan: Plan;
}

const normalBody = ({ state, kind, params }: Pending) => {
  if (kind !== 'colour') return stockBody(params, state.invalidSymbols);
  return params.get('shape') === 'full' ? colourBodyFull(params.get('hex')) : colourBody(params.get('hex'));
};

function deliver(req: IncomingMessage, res: ServerResponse, pending: Pending): void {
  const { state, options, kind, plan } = pending;
  const { stats } = state;
  // A delayed answer may outlive the server or the client's patience.
  if (state.closed || res.destroyed) return;
  switch (plan.kind) {
    case 'reset':
      stats.recordReset();
      req.socket.destroy();
      return;
    case 'status': {
      const headers =
        plan.retryAfter === undefined ? { 'content-type': JSON_TYPE } : { 'content-type': JSON_TYPE, 'retry-after': plan.retryAfter };
      sendBody(res, plan.status, headers, plan.body ?? errorBodyFor(plan.status), options.slowBodyMs, stats);
      stats.recordResponse(plan.status);
      return;
    }
    case 'throttled': {
      const body = kind === 'colour' ? COLOUR_THROTTLE_BODY : throttleBody(options.quotaBodyField);
      sendBody(res, 200, { 'content-type': JSON_TYPE }, body, options.slowBodyMs, stats);
      stats.recordResponse(200);
      return;
    }
    case 'fault': {
      const { slowBodyMs, hugeBodyBytes, gzipBombBytes } = options;
      const context = { normalBody: () => normalBody(pending), slowBodyMs, hugeBodyBytes, gzipBombBytes, meter: stats };
      stats.recordResponse(sendBodyFault(res, plan.fault, context));
      return;
    }
    case 'ok':
      sendBody(res, 200, { 'content-type': JSON_TYPE }, normalBody(pending), options.slowBodyMs, stats);
      stats.recordResponse(200);
  }
}

/**
 * Counts the request and decides its fate now (so later option changes cannot alter it):
 * storm, then quotas, then the key's script or the global knobs. Answers after the latency.
 */
export function handleApi(state: ServerState, req: IncomingMessage, res: ServerResponse, kind: ApiKind, query: string): void {
  const { options, scripts, stats } = state;
  const params = new URLSearchParams(query);
  const key = keyOf(kind, params);
  const script = scripts.get(key);
  const countKey = options.trackKeys || options.errorRate > 0 || options.resetRate > 0 || script !== undefined;
  const attempt = stats.recordRequest(key, countKey, options.recordArrivals);
  const plan =
    gate(state, performance.now(), kind, params.get('apikey')) ??
    planResponse(key, attempt, script, options.seed, options.errorRate, { resetRate: options.resetRate, bodyFault: options.bodyFault });
  const pending: Pending = { state, options, kind, params, plan };
  if (options.latencyMs > 0) {
    // Unref'd so a pending answer never keeps a closed server's process alive.
    setTimeout(deliver, options.latencyMs, req, res, pending).unref();
  } else {
    deliver(req, res, pending);
  }
}
