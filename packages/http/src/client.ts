/**
 * The HTTP client: an undici Agent (one keep-alive pool per origin) plus the per-request
 * deadline, body cap and error mapping that make a request safe to run unattended.
 */
import { TransientError } from '@sluice/core';
import { Agent, type Dispatcher } from 'undici';
import { RequestAbortedError } from './aborted';
import { type AbortTrigger, createRequestSignal } from './deadline';
import { classifyNetworkError } from './networkError';
import { readBody } from './readBody';
import { type FetchOptions, HTTP_CLIENT_DEFAULTS, type HttpClient, type HttpClientOptions, type HttpResponse } from './types';

/** Creates a client. Call `close()` when done so sockets do not keep the process alive. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const settings = { ...HTTP_CLIENT_DEFAULTS, ...options };
  // undici 7 follows redirects only through the redirect interceptor, which is left out on
  // purpose: a redirect could leak credentials to another origin.
  const agent = new Agent({
    connections: settings.connections,
    pipelining: settings.pipelining,
    connectTimeout: settings.connectTimeoutMs,
  });
  // Only requests that ask for `onSent` go through the interceptor: it wraps each request's
  // handler twice over, which the unlimited hot path (thousands a second) does not pay.
  const reporting = agent.compose(reportSending);
  return {
    fetch: (url, fetchOptions) => fetchWithAgent(fetchOptions.onSent ? reporting : agent, url, fetchOptions),
    close: () => agent.close(),
  };
}

/** Request options as they travel through the dispatcher chain, with the send hook. */
type SendingOptions = Dispatcher.DispatchOptions & { onSent?: () => void };

/**
 * An interceptor calling `onSent` when undici starts the request on its socket: undici calls a
 * handler's `onRequestStart` synchronously just before it writes the request's head.
 */
function reportSending(dispatch: Dispatcher['dispatch']): Dispatcher['dispatch'] {
  return (opts: SendingOptions, handler) => {
    const { onSent } = opts;
    if (!onSent) return dispatch(opts, handler);
    return dispatch(opts, {
      onRequestStart(controller, context) {
        try {
          onSent();
        } catch {
          // The caller's bookkeeping must never fail the request itself.
        }
        handler.onRequestStart?.(controller, context);
      },
      onRequestUpgrade: (...args) => handler.onRequestUpgrade?.(...args),
      onResponseStart: (...args) => handler.onResponseStart?.(...args),
      onResponseData: (...args) => handler.onResponseData?.(...args),
      onResponseEnd: (...args) => handler.onResponseEnd?.(...args),
      onResponseError: (...args) => handler.onResponseError?.(...args),
    });
  };
}

/**
 * One request, start to end, settling one promise: undici's callback form and a `then` on the
 * body instead of an async function awaiting undici's promise and then the body, which cost a
 * promise, a suspension and closures more per request (at thousands of requests a second,
 * garbage the worker need not make).
 */
function fetchWithAgent(agent: Dispatcher, url: URL, options: FetchOptions): Promise<HttpResponse> {
  try {
    assertFetchOptions(options);
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const requestSignal = createRequestSignal(options.timeoutMs, options.signal);
    let status: number | null = null;
    const fail = (thrown: unknown) => {
      const error = toFetchError(thrown, requestSignal.trigger(), options.timeoutMs, status);
      requestSignal.dispose();
      reject(error);
    };
    const requestOptions: Dispatcher.RequestOptions & Pick<SendingOptions, 'onSent'> = {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      signal: requestSignal.signal,
      onSent: options.onSent,
    };
    // undici reports every failure, even of its own argument checks, through the callback.
    agent.request(requestOptions, (err, response) => {
      if (err) return fail(err);
      const responseStatus = response.statusCode;
      status = responseStatus;
      let body: Promise<string>;
      try {
        body = readBody(response.body, {
          maxBodyBytes: options.maxBodyBytes,
          maxJsonDepth: options.maxJsonDepth,
          contentEncoding: response.headers['content-encoding'],
          contentLength: response.headers['content-length'],
          status: responseStatus,
        });
      } catch (thrown) {
        return fail(thrown);
      }
      body.then((text) => {
        requestSignal.dispose();
        resolve({ status: responseStatus, headers: response.headers, body: text, durationMs: Math.round(performance.now() - started) });
      }, fail);
    });
  });
}

/**
 * Whatever was thrown after our own signal fired is a consequence of that signal (undici,
 * stream and zlib errors alike), so the trigger decides before the error code does.
 */
function toFetchError(thrown: unknown, trigger: AbortTrigger | null, timeoutMs: number, status: number | null): Error {
  if (trigger === 'caller') return new RequestAbortedError('request aborted by caller', { cause: thrown });
  if (trigger === 'deadline') return new TransientError(`request timed out after ${timeoutMs}ms`, status, { cause: thrown });
  return classifyNetworkError(thrown, status);
}

function assertFetchOptions(options: FetchOptions): void {
  if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number, got ${options.timeoutMs}`);
  }
  if (!Number.isSafeInteger(options.maxBodyBytes) || options.maxBodyBytes < 0) {
    throw new RangeError(`maxBodyBytes must be a non-negative integer, got ${options.maxBodyBytes}`);
  }
}
