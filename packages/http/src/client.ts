/**
 * The HTTP client: an undici Agent (one keep-alive pool per origin) plus the per-request
 * deadline, body cap and error mapping that make a request safe to run unattended.
 */
import { TransientError } from '@sluice/core';
import { Agent } from 'undici';
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
  return {
    fetch: (url, fetchOptions) => fetchWithAgent(agent, url, fetchOptions),
    close: () => agent.close(),
  };
}

async function fetchWithAgent(agent: Agent, url: URL, options: FetchOptions): Promise<HttpResponse> {
  assertFetchOptions(options);
  const started = performance.now();
  const requestSignal = createRequestSignal(options.timeoutMs, options.signal);
  let status: number | null = null;
  try {
    const response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      signal: requestSignal.signal,
    });
    status = response.statusCode;
    const body = await readBody(response.body, {
      maxBodyBytes: options.maxBodyBytes,
      contentEncoding: response.headers['content-encoding'],
      contentLength: response.headers['content-length'],
      status,
    });
    return { status, headers: response.headers, body, durationMs: Math.round(performance.now() - started) };
  } catch (thrown) {
    throw toFetchError(thrown, requestSignal.trigger(), options.timeoutMs, status);
  } finally {
    requestSignal.dispose();
  }
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
