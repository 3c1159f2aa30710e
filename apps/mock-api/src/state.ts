import { ApiKeyLedger } from './apiKeys';
import { type MockApiRuntimeOptions, quotasOf, type ResolvedMockApiOptions, resolveOptions } from './options';
import type { OutcomeStep } from './outcomes';
import { QuotaGate } from './quota';
import { StatsRecorder } from './stats';
import { type ActiveStorm, armStorm } from './storm';
import { UnannouncedLimit } from './unannounced';

/** What the request handler reads on every request, with lookups pre-built from the options. */
export interface ServerState {
  options: ResolvedMockApiOptions;
  scripts: Map<string, readonly OutcomeStep[]>;
  invalidSymbols: Set<string>;
  /** Usage of every quota; rebuilt (empty) only when `quota` or `quotas` is set. */
  quotas: QuotaGate;
  /** Served calls of the `unannouncedPerSecond` limit; kept when the limit changes. */
  unannounced: UnannouncedLimit;
  /** Per-API-key quota usage and counters; rebuilt (empty) only when `keyQuotas` is set. */
  apiKeys: ApiKeyLedger;
  invalidApiKeys: Set<string>;
  /** The storm on the monotonic clock, from the `storm` option or `startStorm()`. */
  storm: ActiveStorm | null;
  readonly stats: StatsRecorder;
  /** Set by `close()`: delayed answers due after it are dropped. */
  closed: boolean;
}

function derive(options: ResolvedMockApiOptions): Pick<ServerState, 'scripts' | 'invalidSymbols' | 'invalidApiKeys'> {
  return {
    scripts: new Map(Object.entries(options.outcomes)),
    invalidSymbols: new Set(options.invalidSymbols),
    invalidApiKeys: new Set(options.invalidApiKeys),
  };
}

/** `now` is `performance.now()` at start: a configured storm's `fromMs` counts from it. */
export function createState(options: ResolvedMockApiOptions, now: number): ServerState {
  return {
    options,
    ...derive(options),
    quotas: new QuotaGate(quotasOf(options)),
    unannounced: new UnannouncedLimit(),
    apiKeys: new ApiKeyLedger(options.keyQuotas),
    storm: armStorm(options.storm, now),
    stats: new StatsRecorder(),
    closed: false,
  };
}

/** Validates and applies a partial update; per-key attempt counts are kept, and so is quota usage unless quotas change. */
export function applyOptions(state: ServerState, partial: MockApiRuntimeOptions, now: number): void {
  const { port, host } = partial as { port?: unknown; host?: unknown };
  if (port !== undefined || host !== undefined) throw new TypeError('setOptions cannot change port or host of a running server');
  state.options = resolveOptions(partial, state.options);
  Object.assign(state, derive(state.options));
  if (partial.quota !== undefined || partial.quotas !== undefined) state.quotas = new QuotaGate(quotasOf(state.options));
  if (partial.keyQuotas !== undefined) state.apiKeys = new ApiKeyLedger(state.options.keyQuotas);
  if (partial.storm !== undefined) state.storm = armStorm(state.options.storm, now);
}
