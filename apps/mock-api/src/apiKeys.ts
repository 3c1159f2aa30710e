import { QuotaGate, type QuotaOptions, type QuotaRefusal } from './quota';

/**
 * API keys, as many APIs limit them: each key sent in the `apikey` query parameter has quotas
 * of its own (`keyQuotas`), and some keys are refused as invalid or revoked (`invalidApiKeys`).
 * The mock may see key values (it stands for the upstream); it keeps them in memory only.
 */

/** What the mock saw of one API key. */
export interface ApiKeyStats {
  /** Requests that carried the key. */
  requests: number;
  /** Requests refused by the key's own quotas. */
  throttled: number;
  /** Requests refused because the key is invalid. */
  rejected: number;
  /** Arrival times (epoch ms) of the requests the key's quotas served; kept only with `recordArrivals`. */
  served: number[];
  /** Arrival times (epoch ms) of the requests the key's quotas refused; kept only with `recordArrivals`. */
  throttledAt: number[];
}

interface KeyState extends ApiKeyStats {
  gate: QuotaGate;
}

/** Per-key quota usage and counters; rebuilt (empty) when `keyQuotas` changes. */
export class ApiKeyLedger {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly quotas: readonly QuotaOptions[]) {}

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { gate: new QuotaGate(this.quotas), requests: 0, throttled: 0, rejected: 0, served: [], throttledAt: [] };
      this.keys.set(key, state);
    }
    return state;
  }

  /** Counts a request with `key` and returns why its quotas refuse it now, counting nothing in them. */
  check(key: string, now: number, arrivalEpochMs: number | null): QuotaRefusal | undefined {
    const state = this.state(key);
    state.requests++;
    const refusal = state.gate.check(now);
    if (refusal) {
      state.throttled++;
      if (arrivalEpochMs !== null) state.throttledAt.push(arrivalEpochMs);
    }
    return refusal;
  }

  /** Counts a served call with `key` in its quotas. */
  record(key: string, now: number, arrivalEpochMs: number | null): void {
    const state = this.state(key);
    state.gate.record(now);
    if (arrivalEpochMs !== null) state.served.push(arrivalEpochMs);
  }

  /** Counts a request with an invalid `key`. */
  reject(key: string): void {
    const state = this.state(key);
    state.requests++;
    state.rejected++;
  }

  snapshot(): Record<string, ApiKeyStats> {
    return Object.fromEntries(
      [...this.keys].map(([key, s]) => [
        key,
        { requests: s.requests, throttled: s.throttled, rejected: s.rejected, served: [...s.served], throttledAt: [...s.throttledAt] },
      ]),
    );
  }
}

/** The answer of the colour API to an invalid key (the stock API answers as Alpha Vantage does). */
export const INVALID_KEY_BODY = '{"error":"invalid api key"}';

/**
 * What a per-key quota refusal says. Like Alpha Vantage's, it quotes the key it was sent, which
 * is what a client must never store or log.
 */
export const keyThrottleText = (key: string): string =>
  `We have detected your API key as ${key} and our standard API rate limit is reached. Please retry later.`;
