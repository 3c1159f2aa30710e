/**
 * Test helpers: a real node:http server on 127.0.0.1 and a client, both closed in `finally`
 * so a failing test leaks no sockets. Not exported from the package.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient } from './client';
import type { HttpClient, HttpClientOptions } from './types';

/** Runs `fn` against a server on a free loopback port; `baseUrl` ends with `/`. */
export async function withTestServer<T>(handler: RequestListener, fn: (baseUrl: URL, server: Server) => Promise<T>): Promise<T> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  try {
    const { port } = server.address() as AddressInfo;
    return await fn(new URL(`http://127.0.0.1:${port}/`), server);
  } finally {
    // Keep-alive sockets would otherwise hold close() open until they time out.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Runs `fn` with a fresh client and closes it afterwards. */
export async function withClient<T>(fn: (client: HttpClient) => Promise<T>, options: HttpClientOptions = {}): Promise<T> {
  const client = createHttpClient(options);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Resolves with whatever `promise` rejects with; fails if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
