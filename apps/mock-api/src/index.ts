/**
 * @sluice/mock-api: a real HTTP server on loopback emulating thecolorapi.com (`/id`) and
 * Alpha Vantage (`/query`), with deterministic knobs for latency, failures and resets.
 */

export { type MockApiCliContext, runMockApiCli } from './cli';
export { cleanHex, colourBody } from './colour';
export { injectedErrorDraw, isInjectedError } from './faults';
export { DEFAULT_MOCK_API_OPTIONS, type MockApiOptions, type MockApiRuntimeOptions } from './options';
export type { OutcomeResponse, OutcomeScripts, OutcomeStep } from './outcomes';
export { type MockApi, startMockApi } from './server';
export type { MockStats } from './stats';
export { isValidSymbol } from './stock';
export { withMockApi } from './withMockApi';
