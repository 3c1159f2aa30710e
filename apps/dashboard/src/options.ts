import { isIP } from 'node:net';
import { ConfigError } from '@sluice/core';
import type { Engine, EngineConfig } from '@sluice/engine';

/** Options of `startDashboard`. */
export interface DashboardOptions {
  /** An open engine; the dashboard leaves it open on close. Give this or `engineConfig`. */
  engine?: Engine;
  /** Configuration to open an engine with; the dashboard closes it on close. */
  engineConfig?: EngineConfig;
  /**
   * Interface to bind. Default `127.0.0.1`. Anything but loopback (`127.0.0.0/8`, `::1`,
   * `localhost`) requires `token`.
   */
  host?: string;
  /** TCP port; `0` picks a free one. Default `8080`. */
  port?: number;
  /**
   * Bearer token every request must carry (`Authorization: Bearer <token>`, or `?token=` on the
   * page and the event stream). At least 16 characters. Default: none (loopback only).
   */
  token?: string;
  /** How often `/api/events` pushes the status of every crawl, in ms (at least 100). Default `1000`. */
  pushIntervalMs?: number;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
export const MIN_TOKEN_LENGTH = 16;

/** True for addresses and names that never leave the machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}

/**
 * Refuses a binding that would expose the dashboard without a token. Checked before anything
 * binds, so a mistake never opens a port.
 * @throws ConfigError naming every problem.
 */
export function checkBinding(host: string, port: number, token: string | undefined): void {
  const problems: string[] = [];
  if (!Number.isInteger(port) || port < 0 || port > 65_535) problems.push('--port: expected an integer 0..65535');
  if (host.trim() === '') problems.push('--host: expected a host name or address');
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    problems.push(`--token: expected at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 16\`)`);
  }
  if (token === undefined && host.trim() !== '' && !isLoopback(host)) {
    problems.push(`--host ${host} is reachable from other machines: set a token (--token or SLUICE_DASHBOARD_TOKEN)`);
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'), problems);
}
