/**
 * Turns whatever a request threw (undici, Node socket, zlib) into TransientError or
 * PermanentError using {@link ERROR_CODE_CLASSES}.
 */
import { PermanentError, RequestError, redactText, TransientError, toError } from '@sluice/core';
import { ERROR_CODE_CLASSES, errorCodeClass } from './errorTable';

/** How deep to follow `cause` / AggregateError chains looking for a code; real chains are 1–2 deep. */
const MAX_CAUSE_DEPTH = 5;

/**
 * Classifies a thrown value by its error code. Errors that already carry a decision
 * (`RequestError` subclasses) pass through unchanged. `status` is the HTTP status when
 * headers had arrived before the failure. The original error is kept as `cause`.
 */
export function classifyNetworkError(thrown: unknown, status: number | null = null): RequestError {
  if (thrown instanceof RequestError) return thrown;
  const error = toError(thrown);
  const code = findErrorCode(error);
  // Node and undici messages name hosts and ports, never paths or queries; redact anyway in
  // case a wrapped error quoted a URL.
  const message = `request failed${code ? ` (${code})` : ''}: ${redactText(error.message)}`;
  return errorCodeClass(code) === 'permanent'
    ? new PermanentError(message, status, { cause: thrown })
    : new TransientError(message, status, { cause: thrown });
}

/**
 * Finds the most telling `code` on an error, its causes, or the attempts inside an
 * AggregateError (Node reports one per address when connecting to a dual-stack host).
 * Prefers a code the table knows; otherwise returns the first code seen.
 */
export function findErrorCode(error: unknown): string | undefined {
  let firstSeen: string | undefined;
  const queue: Array<{ value: unknown; depth: number }> = [{ value: error, depth: 0 }];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { value, depth } = next;
    if (typeof value !== 'object' || value === null || depth > MAX_CAUSE_DEPTH) continue;
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (code in ERROR_CODE_CLASSES) return code;
      firstSeen ??= code;
    }
    queue.push({ value: (value as { cause?: unknown }).cause, depth: depth + 1 });
    const inner = (value as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const item of inner) queue.push({ value: item, depth: depth + 1 });
  }
  return firstSeen;
}
