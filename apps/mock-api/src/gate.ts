import type { Plan } from './faults';
import { retryAfterHeader } from './retryAfter';
import type { ServerState } from './state';
import { isStorming, STORM_BODY } from './storm';

/**
 * The time-dependent checks every API request passes on arrival, before its key is looked
 * at: first the storm (an outage answers everyone, and uses no quota), then the quotas.
 */

/** The answer a storm or quota imposes on a request arriving at `now` (monotonic ms), or `undefined` to let it through. */
export function gate(state: ServerState, now: number): Plan | undefined {
  const { storm, stats } = state;
  if (isStorming(storm, now)) {
    stats.recordStormed();
    return { kind: 'status', status: storm.status, body: STORM_BODY, retryAfter: retryAfterHeader(storm.retryAfter, storm.endsAt - now) };
  }
  const refusal = state.quotas.admit(now);
  if (refusal === undefined) return undefined;
  stats.recordThrottled();
  const { mode, retryAfter: form = 'seconds' } = refusal.quota;
  if (mode === 'body') return { kind: 'throttled' };
  return { kind: 'status', status: mode === '429' ? 429 : 503, retryAfter: retryAfterHeader(form, refusal.waitMs) };
}
