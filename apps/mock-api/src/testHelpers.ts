import { request } from 'node:http';

/** Helpers for this package's integration tests; waiting on a condition is `@sluice/testkit`'s `waitFor`. */

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
