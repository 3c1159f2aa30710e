/** Options and shapes of the HTTP client. */

/** How the client pools connections. Redirects are never followed: a 3xx comes back as is. */
export interface HttpClientOptions {
  /** Most sockets kept open to one origin (scheme + host + port). Default: `100`. */
  connections?: number;
  /** Requests sent on one socket before the first response arrives; `1` means no pipelining. Default: `1`. */
  pipelining?: number;
  /** Longest wait for a TCP (and TLS) connection, in ms. Default: `10000`. */
  connectTimeoutMs?: number;
}

/** Defaults applied by `createHttpClient` to options left out. */
export const HTTP_CLIENT_DEFAULTS: Readonly<Required<HttpClientOptions>> = {
  connections: 100,
  pipelining: 1,
  connectTimeoutMs: 10_000,
};

/** One request. */
export interface FetchOptions {
  /** HTTP method. Default: `'GET'`. */
  method?: 'GET';
  /**
   * Request headers. Default: none. No `accept-encoding` is sent unless given here; a
   * compressed response is decoded anyway.
   */
  headers?: Record<string, string>;
  /** One deadline over the whole request, from connecting to the last body byte, in ms. Required. */
  timeoutMs: number;
  /** Largest body accepted, on the wire and after decoding; beyond it the request is aborted. Required. */
  maxBodyBytes: number;
  /**
   * Deepest JSON nesting accepted in a 2xx body larger than 64 KiB, checked as the bytes
   * arrive: a nesting bomb is refused (PermanentError) after its first chunks instead of being
   * held whole. Smaller bodies are left to the caller's parse. Default: not checked.
   */
  maxJsonDepth?: number;
  /** Cancels the request from outside (e.g. shutdown); it then rejects with RequestAbortedError. Default: none. */
  signal?: AbortSignal;
  /**
   * Called once, synchronously, the moment the request is written to its socket: after a new
   * connection was opened or a busy pool freed one, which can be long after `fetch` was called.
   * Not called for a request that never left; what it throws is ignored. Default: none.
   */
  onSent?: () => void;
}

/** A fully read response. */
export interface HttpResponse {
  status: number;
  /** Response headers, names in lower case; repeated headers are arrays. */
  headers: Record<string, string | string[] | undefined>;
  /** The decoded body as UTF-8 text. */
  body: string;
  /** Time from sending the request to reading the last body byte, in ms. */
  durationMs: number;
}

export interface HttpClient {
  /**
   * Sends one request and reads the whole body. Any status resolves (see `classifyResponse`).
   * Rejects with TransientError or PermanentError for network failures, timeouts and
   * oversized bodies, and with RequestAbortedError when `signal` aborts.
   * Error messages never contain the URL; the caller adds (redacted) context.
   */
  fetch(url: URL, options: FetchOptions): Promise<HttpResponse>;
  /** Waits for in-flight requests, then closes every socket. */
  close(): Promise<void>;
}
