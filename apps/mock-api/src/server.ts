import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InfrastructureError } from '@sluice/core';
import { type MockApiOptions, type MockApiRuntimeOptions, resolveOptions } from './options';
import { createHandler } from './router';
import { applyOptions, createState } from './state';
import type { MockStats } from './stats';

/** A running mock API. */
export interface MockApi {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The port actually bound (useful with `port: 0`). */
  readonly port: number;
  /** A snapshot of the counters; O(keys) when `trackKeys` is on. */
  stats(): MockStats;
  /** Zeroes every counter and per-key attempt, so scripted outcomes start over. */
  resetStats(): void;
  /** Changes knobs of the running server; requests already received keep their planned answer. */
  setOptions(partial: MockApiRuntimeOptions): void;
  /** Number of counted keys requested more than once. */
  duplicateKeys(): number;
  /** Requests seen for one key; 0 for keys never seen or not counted. */
  requestsForKey(key: string): number;
  /** Arrival times (epoch ms, sub-ms resolution) of API requests; empty unless `recordArrivals`. */
  arrivals(): number[];
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

/** Starts the mock API on loopback (a free port unless `port` is given). */
export async function startMockApi(options: MockApiOptions = {}): Promise<MockApi> {
  const state = createState(resolveOptions(options));
  const server = createServer(createHandler(state));
  const address = await listen(server, state.options.port, state.options.host);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stats: () => state.stats.snapshot(),
    resetStats: () => state.stats.reset(),
    setOptions: (partial) => applyOptions(state, partial),
    duplicateKeys: () => state.stats.duplicateKeys(),
    requestsForKey: (key) => state.stats.requestsForKey(key),
    arrivals: () => state.stats.arrivals(),
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
