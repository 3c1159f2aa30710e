/**
 * @sluice/mock-api: a real HTTP server on loopback emulating thecolorapi.com (`/id`) and
 * Alpha Vantage (`/query`), with deterministic knobs for latency, failures and resets, and
 * switchable fault modes: quotas, storms, slow and hostile bodies.
 */

export { BODY_FAULTS, type BodyFault, DEEP_JSON_DEPTH, HTML_BODY, REDIRECT_LOCATION, WRONG_SCHEMA_BODY } from './bodyFaults';
export { type MockApiCliContext, runMockApiCli } from './cli';
export { COLOUR_THROTTLE_BODY, cleanHex, colourBody } from './colour';
export { injectedErrorDraw, injectedResetDraw, isInjectedError, isInjectedReset } from './faults';
export { mulberry32 } from './hash';
export { DEFAULT_MOCK_API_OPTIONS, type MockApiOptions, type MockApiRuntimeOptions } from './options';
export type { OutcomeResponse, OutcomeScripts, OutcomeStep } from './outcomes';
export type { QuotaBodyField, QuotaMode, QuotaOptions } from './quota';
export { GARBAGE_RETRY_AFTER, type RetryAfterForm } from './retryAfter';
export { type MockApi, startMockApi } from './server';
export type { ArrivalRecord, MockStats } from './stats';
export { isValidSymbol, throttleBody } from './stock';
export { STORM_BODY, type StormOptions, type StormStart } from './storm';
export { withMockApi } from './withMockApi';
