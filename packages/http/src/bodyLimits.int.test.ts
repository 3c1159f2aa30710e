import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { brotliCompressSync, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { PermanentError, TransientError } from '@sluice/core';
import { rejectionOf, withClient, withTestServer } from './testServer';

const MB = 1024 * 1024;

/** Writes `totalBytes` in 64 KiB chunks, honouring backpressure, and reports how far it got. */
function streamBytes(res: ServerResponse, totalBytes: number, fill: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, fill);
  let written = 0;
  const pump = (): void => {
    while (written < totalBytes && !res.destroyed) {
      written += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
  return once(res, 'close').then(() => written);
}

/** `totalBytes` of zeros produced on demand, counting what was actually pulled. */
function zeros(totalBytes: number, counter: { produced: number }): Readable {
  const chunk = Buffer.alloc(64 * 1024);
  return Readable.from(
    (function* () {
      while (counter.produced < totalBytes) {
        counter.produced += chunk.length;
        yield chunk;
      }
    })(),
  );
}

describe('fetch body limits and deadline (real server on loopback)', () => {
  test('one deadline covers a body that trickles past it', async () => {
    const handler = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const trickle = setInterval(() => res.write('.'), 20);
      res.on('close', () => clearInterval(trickle));
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const started = performance.now();
        const error = await rejectionOf(client.fetch(baseUrl, { timeoutMs: 300, maxBodyBytes: MB }));
        const elapsedMs = performance.now() - started;
        expect(error).toBeInstanceOf(TransientError);
        expect(error).toMatchObject({ message: 'request timed out after 300ms', status: 200 });
        expect(elapsedMs).toBeGreaterThanOrEqual(250);
        expect(elapsedMs).toBeLessThan(2000);
      }),
    );
  });

  test('the deadline also covers waiting for headers', async () => {
    const handler = () => {}; // accepts the request and never answers
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const error = await rejectionOf(client.fetch(baseUrl, { timeoutMs: 200, maxBodyBytes: MB }));
        expect(error).toBeInstanceOf(TransientError);
        expect(error).toMatchObject({ message: 'request timed out after 200ms', status: null });
      }),
    );
  });

  test('a body over the cap is permanent and the server is cut off long before it finishes', async () => {
    let serverWrote: Promise<number> = Promise.resolve(0);
    const handler = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      serverWrote = streamBytes(res, 50 * MB, 0x61);
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const error = await rejectionOf(client.fetch(baseUrl, { timeoutMs: 10_000, maxBodyBytes: MB }));
        expect(error).toBeInstanceOf(PermanentError);
        expect(error).toMatchObject({ message: `body larger than ${MB} bytes`, status: 200 });
        expect(await serverWrote).toBeLessThan(20 * MB);
      }),
    );
  });

  test('a body of exactly the cap is accepted', async () => {
    const handler = (_req: IncomingMessage, res: ServerResponse) => void streamBytes(res, MB, 0x62);
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const res = await client.fetch(baseUrl, { timeoutMs: 10_000, maxBodyBytes: MB });
        expect(res.body.length).toBe(MB);
      }),
    );
  });

  test('a gzip bomb is stopped at the cap on decoded bytes, with memory bounded', async () => {
    const counter = { produced: 0 };
    let serverDone: Promise<void> = Promise.resolve();
    const handler = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      // The client hanging up mid-stream is the point of the test, so the server's error is expected.
      serverDone = pipeline(zeros(200 * MB, counter), createGzip(), res).catch(() => {});
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const baseline = process.memoryUsage().arrayBuffers;
        let peak = baseline;
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().arrayBuffers);
        }, 5);
        try {
          const error = await rejectionOf(client.fetch(baseUrl, { timeoutMs: 10_000, maxBodyBytes: MB }));
          expect(error).toBeInstanceOf(PermanentError);
          expect(error).toMatchObject({ message: `body larger than ${MB} bytes`, status: 200 });
        } finally {
          clearInterval(sampler);
        }
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
        expect(peak - baseline).toBeLessThan(64 * MB);
        await serverDone;
      }),
    );
  });

  test.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('a %s-encoded body the server sent unasked is decoded', async (encoding, compress) => {
    const text = JSON.stringify({ hello: 'wörld', items: Array.from({ length: 100 }, (_, i) => i) });
    const handler = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-encoding': encoding });
      res.end(compress(Buffer.from(text)));
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const res = await client.fetch(baseUrl, { timeoutMs: 5000, maxBodyBytes: MB });
        expect(res.body).toBe(text);
      }),
    );
  });

  test('a corrupt gzip body is permanent', async () => {
    const handler = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end('this is not gzip at all');
    };
    await withTestServer(handler, (baseUrl) =>
      withClient(async (client) => {
        const error = await rejectionOf(client.fetch(baseUrl, { timeoutMs: 5000, maxBodyBytes: MB }));
        expect(error).toBeInstanceOf(PermanentError);
        expect((error as Error).message).toContain('Z_DATA_ERROR');
      }),
    );
  });

  describe('maxJsonDepth', () => {
    const DEPTH = 4_000_000;
    /** 8 MB of nesting, sent in 64 KiB chunks with its content-length; resolves with the bytes written. */
    function bombHandler(written: Promise<number>[], encoding?: 'gzip') {
      return (_req: IncomingMessage, res: ServerResponse) => {
        const body = Buffer.from('['.repeat(DEPTH) + ']'.repeat(DEPTH));
        if (encoding === 'gzip') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(gzipSync(body));
          written.push(Promise.resolve(0));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        written.push(streamBytes(res, body.length, 0x5b));
      };
    }

    test('refuses a nesting bomb after its first chunks, with the depth reason, and drops the socket', async () => {
      const written: Promise<number>[] = [];
      await withTestServer(bombHandler(written), (baseUrl) =>
        withClient(async (client) => {
          const error = await rejectionOf(client.fetch(baseUrl, { timeoutMs: 30_000, maxBodyBytes: 10 * MB, maxJsonDepth: 1_000 }));
          expect(error).toBeInstanceOf(PermanentError);
          expect(error).toMatchObject({
            message: 'body nests arrays or objects deeper than 1000 levels (validate.maxDepth)',
            status: 200,
          });
          const sent = await written[0];
          expect(sent).toBeLessThan(8 * MB);
        }),
      );
    });

    test('refuses a gzipped bomb on its decoded bytes', async () => {
      const written: Promise<number>[] = [];
      await withTestServer(bombHandler(written, 'gzip'), (baseUrl) =>
        withClient(async (client) => {
          const error = await rejectionOf(client.fetch(baseUrl, { timeoutMs: 30_000, maxBodyBytes: 10 * MB, maxJsonDepth: 1_000 }));
          expect(error).toMatchObject({ message: 'body nests arrays or objects deeper than 1000 levels (validate.maxDepth)' });
        }),
      );
    });

    test('reads a large body within the depth whole, and leaves non-2xx bodies and unset depths alone', async () => {
      const nested = `${'['.repeat(900)}"x"${']'.repeat(900)}`;
      const large = JSON.stringify({ pad: 'p'.repeat(200_000), nested: JSON.parse(nested) });
      const bomb = `${'['.repeat(5_000)}${']'.repeat(5_000)}`.repeat(20);
      const handler = (req: IncomingMessage, res: ServerResponse) => {
        const body = req.url === '/large' ? large : bomb;
        res.writeHead(req.url === '/error' ? 500 : 200, { 'content-type': 'application/json' });
        res.end(body);
      };
      await withTestServer(handler, (baseUrl) =>
        withClient(async (client) => {
          const options = { timeoutMs: 30_000, maxBodyBytes: 10 * MB, maxJsonDepth: 1_000 };
          expect((await client.fetch(new URL('/large', baseUrl), options)).body).toBe(large);
          expect((await client.fetch(new URL('/error', baseUrl), options)).body).toBe(bomb);
          expect((await client.fetch(new URL('/bomb', baseUrl), { timeoutMs: 30_000, maxBodyBytes: 10 * MB })).body).toBe(bomb);
        }),
      );
    });
  });
});
