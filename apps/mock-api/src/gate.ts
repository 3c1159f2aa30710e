import { INVALID_KEY_BODY, keyThrottleText } from './apiKeys';
import type { Plan } from './faults';
import { retryAfterHeader } from './retryAfter';
import type { ServerState } from './state';
import { MISSING_API_KEY_BODY } from './stock';
import { isStorming, STORM_BODY } from './storm';

/**
 * The time-dependent checks every API request passes on arrival, before its key is looked
 * at: first the storm (an outage answers everyone, and uses no quota), then the API key
 * (invalid, or over its own quotas), then the crawl-wide quotas, then the unannounced limit.
 * A call counts in the key's quotas and the global ones only when all of them let it through.
 */

/** The answer a storm or quota imposes on a request arriving at `now` (monotonic ms), or `undefined` to let it through. */
export function gate(state: ServerState, now: number, kind: 'colour' | 'stock', apiKey: string | null): Plan | undefined {
  const { storm, stats } = state;
  if (isStorming(storm, now)) {
    stats.recordStormed();
    return { kind: 'status', status: storm.status, body: STORM_BODY, retryAfter: retryAfterHeader(storm.retryAfter, storm.endsAt - now) };
  }
  if (apiKey !== null && state.invalidApiKeys.has(apiKey)) {
    state.apiKeys.reject(apiKey);
    return kind === 'stock'
      ? { kind: 'status', status: 200, body: MISSING_API_KEY_BODY }
      : { kind: 'status', status: 401, body: INVALID_KEY_BODY };
  }
  const arrivalEpochMs = state.options.recordArrivals ? performance.timeOrigin + now : null;
  const keyRefusal = apiKey === null ? undefined : state.apiKeys.check(apiKey, now, arrivalEpochMs);
  if (keyRefusal !== undefined) {
    stats.recordThrottled();
    const { mode, retryAfter: form = 'seconds' } = keyRefusal.quota;
    const text = keyThrottleText(apiKey as string);
    if (mode === 'body') return { kind: 'status', status: 200, body: JSON.stringify({ Information: text }) };
    return {
      kind: 'status',
      status: mode === '429' ? 429 : 503,
      body: JSON.stringify({ error: text }),
      retryAfter: retryAfterHeader(form, keyRefusal.waitMs),
    };
  }
  const refusal = state.quotas.check(now);
  const perSecond = state.options.unannouncedPerSecond;
  if (refusal === undefined && perSecond > 0 && !state.unannounced.admit(now, perSecond)) {
    stats.recordThrottled();
    return { kind: 'status', status: 429 };
  }
  if (refusal === undefined) {
    state.quotas.record(now);
    if (apiKey !== null)
      state.apiKeys.record(apiKey, now, state.options.recordArrivals ? performance.timeOrigin + performance.now() : null);
    return undefined;
  }
  stats.recordThrottled();
  const { mode, retryAfter: form = 'seconds' } = refusal.quota;
  if (mode === 'body') return { kind: 'throttled' };
  return { kind: 'status', status: mode === '429' ? 429 : 503, retryAfter: retryAfterHeader(form, refusal.waitMs) };
}
