/**
 * @sluice/dashboard: a web page, a JSON/SSE API and `/metrics` over the engine's status
 * use-case. Started by `sluice dashboard` (the CLI is the single entry point; see README.md).
 */
export { createMetricsEndpoint, type MetricsEndpoint } from './metrics';
export { checkBinding, type DashboardOptions, DEFAULT_HOST, DEFAULT_PORT, isLoopback, MIN_TOKEN_LENGTH } from './options';
export { type Dashboard, startDashboard } from './server';
