import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, InfrastructureError } from '@sluice/core';
import type { ApiKeyStats } from './apiKeys';
import { type MockApiOptions, type MockApiRuntimeOptions, resolveOptions } from './options';
import { createHandler } from './router';
import { applyOptions, createState, type ServerState } from './state';
import type { ArrivalRecord, MockStats } from './stats';
import { armStorm, type StormStart, stormProblems } from './storm';

/** A running mock API. */
export interface MockApi {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** A snapshot of the counters; O(keys) when `trackKeys` is on, plus O(arrivals) when `recordArrivals` is. */
  stats(): MockStats;
  /**
   * Zeroes every counter, per-key attempt and recorded arrival, so scripted outcomes start
   * over. Quota usage and storms are the upstream's state, not stats: they stay.
   */
  resetStats(): void;
  /**
   * Changes knobs of the running server; requests already received keep their planned answer.
   * Setting `quota`/`quotas` starts their windows empty; setting `storm` counts its `fromMs` from now.
   */
  setOptions(partial: MockApiRuntimeOptions): void;
  /**
   * Starts a storm now, replacing any other: every API request gets `status` (default 503)
   * and `{"error":"unavailable"}` for `durationMs` (default: until `stopStorm()`).
   */
  startStorm(storm?: StormStart): void;
  /** Ends the current storm, whether from `startStorm` or the `storm` option. */
  stopStorm(): void;
  /** Number of counted keys requested more than once. */
  duplicateKeys(): number;
  /** Requests seen for one key; 0 for keys never seen or not counted. */
  requestsForKey(key: string): number;
  /** Arrival times (epoch ms, sub-ms resolution) of API requests; empty unless `recordArrivals`. */
  arrivals(): number[];
  /** Arrival time (epoch ms) and key of each API request, oldest first; empty unless `recordArrivals`. */
  arrivalLog(): ArrivalRecord[];
  /**
   * What the mock saw per API key (`apikey` parameter): requests, refusals by the key's own
   * quotas, invalid-key answers, and served arrival times (with `recordArrivals`).
   */
  apiKeyStats(): Record<string, ApiKeyStats>;
  /** Stops listening and destroys every socket, keep-alive ones included. Idempotent. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) =>
      reject(new InfrastructureError(`mock API cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function startStorm(state: ServerState, storm: StormStart): void {
  const problems = stormProblems(storm, 'startStorm');
  if (problems.length > 0) throw new ConfigError(`invalid storm: ${problems.join('; ')}`, problems);
  state.storm = armStorm({ ...storm, fromMs: 0 }, performance.now());
}

/** Starts the mock API on loopback (a free port unless `port` is given). */
export async function startMockApi(options: MockApiOptions = {}): Promise<MockApi> {
  const state = createState(resolveOptions(options), performance.now());
  const server = createServer(createHandler(state));
  const address = await listen(server, state.options.port, state.options.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stats: () => state.stats.snapshot(state.options.recordArrivals),
    resetStats: () => state.stats.reset(),
    setOptions: (partial) => applyOptions(state, partial, performance.now()),
    startStorm: (storm = {}) => startStorm(state, storm),
    stopStorm: () => {
      state.storm = null;
    },
    duplicateKeys: () => state.stats.duplicateKeys(),
    requestsForKey: (key) => state.stats.requestsForKey(key),
    arrivals: () => state.stats.arrivals(),
    arrivalLog: () => state.stats.arrivalLog(),
    apiKeyStats: () => state.apiKeys.snapshot(),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        state.closed = true;
        server.close((error) => (error ? reject(error) : resolve()));
        // close() alone waits for idle keep-alive sockets to time out; tests must not.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
