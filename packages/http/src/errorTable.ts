/**
 * The one place that decides what a failure means for retrying: network and undici error codes
 * map to an error class, HTTP statuses map to an outcome. Change behaviour here, not in callers.
 */

/** How the worker should treat a failed request. */
export type FailureClass = 'transient' | 'permanent';

/**
 * Error `code`s (Node, undici, zlib) and their class. Codes missing from the table are treated
 * as transient: retries are capped by attempts, so guessing "retry" costs little, while
 * guessing "permanent" would lose a key for good.
 */
export const ERROR_CODE_CLASSES: Readonly<Record<string, FailureClass>> = {
  // Node sockets: the peer or the path went away; a new connection may well succeed.
  ECONNRESET: 'transient',
  ECONNREFUSED: 'transient',
  ECONNABORTED: 'transient',
  EPIPE: 'transient',
  ETIMEDOUT: 'transient',
  EHOSTUNREACH: 'transient',
  ENETUNREACH: 'transient',
  ERR_STREAM_PREMATURE_CLOSE: 'transient',
  // DNS. ENOTFOUND is usually a typo, but resolvers also return it while flapping; the attempt
  // cap bounds the cost of retrying a real typo.
  EAI_AGAIN: 'transient',
  ENOTFOUND: 'transient',
  // undici: timeouts, dropped sockets and truncated bodies are worth another try.
  UND_ERR_SOCKET: 'transient',
  UND_ERR_CONNECT_TIMEOUT: 'transient',
  UND_ERR_HEADERS_TIMEOUT: 'transient',
  UND_ERR_BODY_TIMEOUT: 'transient',
  UND_ERR_CLOSED: 'transient',
  UND_ERR_DESTROYED: 'transient',
  UND_ERR_ABORTED: 'transient',
  UND_ERR_INFO: 'transient',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'transient',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'transient',
  // undici: our request is malformed or the response can never fit; retrying repeats it.
  UND_ERR_INVALID_ARG: 'permanent',
  UND_ERR_INVALID_RETURN_VALUE: 'permanent',
  UND_ERR_NOT_SUPPORTED: 'permanent',
  UND_ERR_HEADERS_OVERFLOW: 'permanent',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'permanent',
  ERR_INVALID_URL: 'permanent',
  // zlib: corrupt data stays corrupt; a stream that just stops was most likely cut short.
  Z_DATA_ERROR: 'permanent',
  Z_BUF_ERROR: 'transient',
};

/** What a response status means; `throttledIfRetryAfter` throttles only with a usable Retry-After. */
export type StatusClass = 'ok' | 'throttled' | 'throttledIfRetryAfter' | FailureClass;

/** Statuses that differ from their family in {@link STATUS_FAMILY_CLASSES}. */
export const STATUS_CLASSES: Readonly<Record<number, StatusClass>> = {
  // The server gave up waiting for us, or wants the request replayed later.
  408: 'transient',
  425: 'transient',
  429: 'throttled',
  // A 503 is often an overload that says when to come back; without that it is an outage.
  503: 'throttledIfRetryAfter',
};

/**
 * Classes by status family (`Math.floor(status / 100)`). 3xx is permanent because redirects
 * are not followed; statuses outside 2xx–5xx are permanent as a protocol violation.
 */
export const STATUS_FAMILY_CLASSES: Readonly<Record<number, StatusClass>> = {
  2: 'ok',
  3: 'permanent',
  4: 'permanent',
  5: 'transient',
};

/** Looks a status up in the tables. */
export function statusClass(status: number): StatusClass {
  return STATUS_CLASSES[status] ?? STATUS_FAMILY_CLASSES[Math.floor(status / 100)] ?? 'permanent';
}

/** Looks an error code up in the table; unknown or missing codes are transient. */
export function errorCodeClass(code: string | undefined): FailureClass {
  return (code === undefined ? undefined : ERROR_CODE_CLASSES[code]) ?? 'transient';
}
