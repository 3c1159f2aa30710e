import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermanentError, ThrottledError, TransientError } from '@sluice/core';
import { waitFor } from '@sluice/testkit';
import { isAbortedByCaller, RequestAbortedError } from './aborted';
import { classifyResponse, throwForOutcome } from './classify';
import { rejectionOf, withClient, withTestServer } from './testServer';

const LIMITS = { timeoutMs: 5000, maxBodyBytes: 1024 * 1024 };

describe('createHttpClient (real server on loopback)', () => {
  test('reads a 200 body as UTF-8 on a keep-alive socket, sending no accept-encoding', async () => {
    const seen: Array<string | undefined> = [];
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      seen.push(req.headers['accept-encoding'], req.headers.connection);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: '✓', path: req.url }));
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const url = new URL('items/1?apikey=abc', baseUrl);
        const first = await client.fetch(url, { ...LIMITS, headers: { 'x-test': 'yes' } });
        const second = await client.fetch(url, LIMITS);
        expect(first.status).toBe(200);
        expect(first.headers['content-type']).toBe('application/json');
        expect(JSON.parse(first.body)).toEqual({ ok: '✓', path: '/items/1?apikey=abc' });
        expect(first.durationMs).toBeGreaterThanOrEqual(0);
        expect(second.body).toBe(first.body);
      }),
    );
    expect(seen).toEqual([undefined, 'keep-alive', undefined, 'keep-alive']);
  });

  test('onSent fires once per request when it is written to a socket, which a busy pool delays', async () => {
    const events: string[] = [];
    let holdFirst: ServerResponse | null = null;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      events.push(`arrived ${req.url}`);
      if (req.url === '/1') holdFirst = res;
      else res.end('{}');
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(
        async (client) => {
          const first = client.fetch(new URL('1', baseUrl), { ...LIMITS, onSent: () => events.push('sent /1') });
          await waitFor(() => holdFirst !== null, { timeoutMs: 5_000, intervalMs: 5, what: 'the first request to arrive' });
          // One connection, busy with /1: /2 waits in the pool and is not sent yet.
          const second = client.fetch(new URL('2', baseUrl), { ...LIMITS, onSent: () => events.push('sent /2') });
          expect(events).toEqual(['sent /1', 'arrived /1']);
          holdFirst!.end('{}');
          await Promise.all([first, second]);
          expect(events).toEqual(['sent /1', 'arrived /1', 'sent /2', 'arrived /2']);
        },
        { connections: 1 },
      ),
    );
  });

  test('onSent is not called for a request that never reached a socket, and what it throws is ignored', async () => {
    let sent = 0;
    const handler = (_req: IncomingMessage, res: ServerResponse) => res.end('{}');
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const throwing = () => {
          sent++;
          throw new Error('bookkeeping bug');
        };
        expect((await client.fetch(new URL('ok', baseUrl), { ...LIMITS, onSent: throwing })).status).toBe(200);
        expect(sent).toBe(1);
      }),
    );
    const refused = await freeLoopbackUrl();
    await withClient(async (client) => {
      await expect(client.fetch(refused, { ...LIMITS, onSent: () => sent++ })).rejects.toBeInstanceOf(TransientError);
    });
    expect(sent).toBe(1);
  });

  test('returns a 429 with its Retry-After, which classifies as throttled', async () => {
    const handler = (_req: unknown, res: ServerResponse) => {
      res.writeHead(429, { 'retry-after': '5' });
      res.end('slow down');
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const res = await client.fetch(baseUrl, LIMITS);
        expect(res.status).toBe(429);
        expect(classifyResponse(res)).toEqual({ outcome: 'throttled', retryAfterMs: 5000, reason: 'HTTP 429' });
        const error = await rejectionOf(Promise.resolve().then(() => throwForOutcome(res)));
        expect(error).toBeInstanceOf(ThrottledError);
        expect(error).toMatchObject({ retryAfterMs: 5000, status: 429 });
      }),
    );
  });

  test('does not follow redirects: a 302 comes back and classifies as permanent', async () => {
    let requests = 0;
    const handler = (_req: unknown, res: ServerResponse) => {
      requests++;
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const res = await client.fetch(baseUrl, LIMITS);
        expect(res.status).toBe(302);
        expect(classifyResponse(res)).toMatchObject({ outcome: 'permanent', reason: 'redirect not followed (HTTP 302)' });
      }),
    );
    expect(requests).toBe(1);
  });

  test('a body cut short of its content-length is transient', async () => {
    const handler = (_req: unknown, res: ServerResponse) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x'.repeat(100), () => res.socket?.destroy());
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const error = await rejectionOf(client.fetch(baseUrl, LIMITS));
        expect(error).toBeInstanceOf(TransientError);
        expect(error).toMatchObject({ status: 200 });
        expect((error as Error).cause).toBeDefined();
      }),
    );
  });

  test('a connection reset by the server is transient', async () => {
    const handler = (req: IncomingMessage) => {
      req.socket.resetAndDestroy();
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const error = await rejectionOf(client.fetch(baseUrl, LIMITS));
        expect(error).toBeInstanceOf(TransientError);
        expect((error as Error).message).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
      }),
    );
  });

  test('a refused connection is transient', async () => {
    const refused = await freeLoopbackUrl();
    await withClient(async (client) => {
      const error = await rejectionOf(client.fetch(refused, LIMITS));
      expect(error).toBeInstanceOf(TransientError);
      expect((error as Error).message).toContain('ECONNREFUSED');
      expect((error as Error).message).not.toContain('token');
    });
  });

  test('the caller signal aborts a request in flight with RequestAbortedError', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const handler = (_req: unknown, res: ServerResponse) => {
      res.writeHead(200);
      res.write('partial');
      arrived(); // and never end
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const controller = new AbortController();
        const pending = rejectionOf(client.fetch(baseUrl, { ...LIMITS, signal: controller.signal }));
        await requestArrived;
        controller.abort(new Error('shutting down'));
        const error = await pending;
        expect(error).toBeInstanceOf(RequestAbortedError);
        expect(isAbortedByCaller(error)).toBe(true);
        expect(isAbortedByCaller(new TransientError('x'))).toBe(false);
      }),
    );
  });

  test('an already aborted caller signal rejects without a request', async () => {
    let requests = 0;
    await withTestServer(
      (_req, res) => {
        requests++;
        res.end();
      },
      (baseUrl) =>
        withClient(async (client) => {
          const error = await rejectionOf(client.fetch(baseUrl, { ...LIMITS, signal: AbortSignal.abort() }));
          expect(isAbortedByCaller(error)).toBe(true);
        }),
    );
    expect(requests).toBe(0);
  });

  test('an unsupported content-encoding is permanent', async () => {
    await withTestServer(
      (_req, res) => {
        res.writeHead(200, { 'content-encoding': 'zstd' });
        res.end('??');
      },
      (baseUrl) =>
        withClient(async (client) => {
          const error = await rejectionOf(client.fetch(baseUrl, LIMITS));
          expect(error).toBeInstanceOf(PermanentError);
          expect((error as Error).message).toBe('unsupported content-encoding "zstd"');
        }),
    );
  });
});

/** A loopback URL on which nothing listens (a port just freed). */
async function freeLoopbackUrl(): Promise<URL> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return new URL(`http://127.0.0.1:${port}/`);
}
