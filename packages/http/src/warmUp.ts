import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

/**
 * Runs one request through undici against a throwaway loopback server, so one-time costs
 * (compiling the HTTP parser's WebAssembly, first-call JIT) are paid before any budgeted
 * request. Otherwise the first requests of a process reach the API ~100 ms later than the
 * limiter admitted them, and bunch up with the next window's.
 */
export async function warmUpHttp(): Promise<void> {
  const server = createServer((_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await request(`http://127.0.0.1:${port}/warm-up`);
    await res.body.text();
  } catch {
    // Warming is an optimisation; a failure here must never stop a worker.
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
