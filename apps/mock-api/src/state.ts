import { type MockApiRuntimeOptions, type ResolvedMockApiOptions, resolveOptions } from './options';
import type { OutcomeStep } from './outcomes';
import { StatsRecorder } from './stats';

/** What the request handler reads on every request, with lookups pre-built from the options. */
export interface ServerState {
  options: ResolvedMockApiOptions;
  scripts: Map<string, readonly OutcomeStep[]>;
  invalidSymbols: Set<string>;
  readonly stats: StatsRecorder;
  /** Set by `close()`: delayed answers due after it are dropped. */
  closed: boolean;
}

function derive(options: ResolvedMockApiOptions): Pick<ServerState, 'scripts' | 'invalidSymbols'> {
  return { scripts: new Map(Object.entries(options.outcomes)), invalidSymbols: new Set(options.invalidSymbols) };
}

export function createState(options: ResolvedMockApiOptions): ServerState {
  return { options, ...derive(options), stats: new StatsRecorder(), closed: false };
}

/** Validates and applies a partial update; per-key attempt counts are kept. */
export function applyOptions(state: ServerState, partial: MockApiRuntimeOptions): void {
  const { port, host } = partial as { port?: unknown; host?: unknown };
  if (port !== undefined || host !== undefined) throw new TypeError('setOptions cannot change port or host of a running server');
  state.options = resolveOptions(partial, state.options);
  Object.assign(state, derive(state.options));
}
