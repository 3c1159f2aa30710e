import { request } from 'node:http';

/**
 * Helpers for this package's integration tests. (`@sluice/testkit` depends on this package,
 * so its `waitFor` cannot be used here.)
 */

/**
 * Polls `condition` every `intervalMs` until it returns a truthy value.
 * @throws Error naming `what` once `timeoutMs` has passed.
 */
export async function waitUntil<T>(
  condition: () => T | Promise<T>,
  what: string,
  { timeoutMs = 10_000, intervalMs = 10 } = {},
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Status, headers and body of a complete answer, read to the end. */
export async function getText(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Resolves with the raw response of a GET over node:http: no decompression, no redirects. */
export function rawGet(url: string): Promise<import('node:http').IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}
