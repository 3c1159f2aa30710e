/**
 * Error classes that carry the decision: the worker asks the error what to do, never parses
 * messages. Only the CLI's top level maps errors to exit codes.
 */

/** Exit codes of the `sluice` command (the table in docs/operations.md explains each). */
export const ExitCode = {
  ok: 0,
  finishedWithFailures: 1,
  usage: 2,
  infrastructure: 3,
  /** A ledger write kept failing (disk full, read-only file) past the retry time. */
  ledgerUnwritable: 4,
  /** The endpoint stayed unreachable (circuit open) past the allowed outage. */
  endpointOutage: 5,
  /** SIGINT/SIGTERM stopped `run`/`work` before the crawl was complete. */
  interrupted: 6,
  /** A crawl's Redis namespace holds another ledger's (or crawl's) state: nothing was touched. */
  foreignState: 7,
} as const;

export class SluiceError extends Error {
  override name = 'SluiceError';
  /** Process exit code when this error reaches the CLI's top level. */
  readonly exitCode: number = ExitCode.infrastructure;
}

/** Bad usage, spec or input. Carries every problem at once, each with its field path. */
export class ConfigError extends SluiceError {
  override name = 'ConfigError';
  override readonly exitCode = ExitCode.usage;
  constructor(
    message: string,
    readonly problems: string[] = [message],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The base of an error class that only names itself and its exit code. The name is given, not
 * taken from the class, so that it survives bundling and shows in every log line.
 */
function exitingError(name: string, exitCode: number) {
  return class extends SluiceError {
    override name = name;
    override readonly exitCode = exitCode;
  };
}

/** Redis or SQLite unreachable or unusable. */
export class InfrastructureError extends exitingError('InfrastructureError', ExitCode.infrastructure) {}

/**
 * The ledger refused writes (disk full, read-only file) for longer than the worker's retry
 * time: the worker stopped fetching and exits. The message carries the driver's cause.
 */
export class LedgerUnwritableError extends exitingError('LedgerUnwritableError', ExitCode.ledgerUnwritable) {}

/** The endpoint stayed unreachable (circuit open) for longer than the allowed outage. */
export class EndpointOutageError extends exitingError('EndpointOutageError', ExitCode.endpointOutage) {}

/**
 * A crawl's Redis namespace is owned by another ledger or another crawl (a copied ledger
 * file, leftovers under the same prefix). The process refuses before it takes any job.
 */
export class ForeignCrawlStateError extends exitingError('ForeignCrawlStateError', ExitCode.foreignState) {}

/** Ends the process with a given code and message, without a stack. */
export class ExitError extends SluiceError {
  override name = 'ExitError';
  constructor(
    override readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** Base of per-request errors: `status` is the HTTP status when a response arrived. */
export abstract class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The API asked us to slow down. Does not use up an attempt. */
export class ThrottledError extends RequestError {
  override name = 'ThrottledError';
  constructor(
    message: string,
    /** How long the API asked us to wait, or null when it did not say. */
    readonly retryAfterMs: number | null,
    status: number | null = null,
  ) {
    super(message, status);
  }
}

/** Worth retrying with backoff: connect errors, resets, timeouts, 5xx, truncated bodies. */
export class TransientError extends RequestError {
  override name = 'TransientError';
}

/** Retrying will not help: 4xx, invalid bodies, validation failures. */
export class PermanentError extends RequestError {
  override name = 'PermanentError';
}

/** The key cannot be turned into a safe request for the template. */
export class InvalidKeyError extends PermanentError {
  override name = 'InvalidKeyError';
}

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown), { cause: thrown });
}
