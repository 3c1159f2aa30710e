/** @sluice/http: a keep-alive HTTP client with one deadline, a body cap and classified errors. */
export { isAbortedByCaller, RequestAbortedError } from './aborted';
export { type ClassifiableResponse, classifyResponse, errorForOutcome, type ResponseOutcome, throwForOutcome } from './classify';
export { createHttpClient } from './client';
export {
  ERROR_CODE_CLASSES,
  errorCodeClass,
  type FailureClass,
  STATUS_CLASSES,
  STATUS_FAMILY_CLASSES,
  type StatusClass,
  statusClass,
} from './errorTable';
export { classifyNetworkError, findErrorCode } from './networkError';
export { MAX_RETRY_AFTER_MS, parseRetryAfterMs } from './retryAfter';
export { type FetchOptions, HTTP_CLIENT_DEFAULTS, type HttpClient, type HttpClientOptions, type HttpResponse } from './types';
export { warmUpHttp } from './warmUp';
