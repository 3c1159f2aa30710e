import { InfrastructureError, toError } from '@sluice/core';

/**
 * PostgreSQL errors worth trying again: the connection went away (server restart, failover,
 * network), the server is starting or shutting down, or the transaction lost a lock conflict.
 * Every write is idempotent, so a retry after a commit whose answer was lost changes nothing.
 */
const RETRYABLE_SQLSTATES = new Set([
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08006', // connection_failure
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
]);
const RETRYABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** node-postgres reports a dropped connection by message only. */
const RETRYABLE_MESSAGE = /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect/i;

/** True when `err` or an error it wraps (drizzle wraps driver errors as their `cause`) is retryable. */
export function isRetryable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (RETRYABLE_SQLSTATES.has(code) || RETRYABLE_NODE_CODES.has(code))) return true;
    if (e instanceof Error && RETRYABLE_MESSAGE.test(e.message)) return true;
  }
  return false;
}

export interface RetryOptions {
  /** Where the ledger is (no password), for the error when retries run out. */
  place: string;
  /** Give up after this long. Default 60,000 (a server restart takes seconds). */
  deadlineMs?: number;
  /** First delay; doubles per attempt with full jitter. Default 50. */
  baseDelayMs?: number;
  /** Largest delay. Default 2,000. */
  maxDelayMs?: number;
}

/**
 * Runs `fn` until it succeeds, retrying retryable errors with exponential backoff and full
 * jitter until the deadline. Other errors are thrown at once.
 * @throws InfrastructureError when the deadline passed with the database still away.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  const base = options.baseDelayMs ?? 50;
  const cap = options.maxDelayMs ?? 2_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (thrown) {
      if (!isRetryable(thrown)) throw thrown;
      const delayMs = Math.random() * Math.min(cap, base * 2 ** attempt);
      if (Date.now() + delayMs > deadline) {
        const err = toError(thrown);
        throw new InfrastructureError(`PostgreSQL ledger at ${options.place} unavailable: ${err.message}`, { cause: err });
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
