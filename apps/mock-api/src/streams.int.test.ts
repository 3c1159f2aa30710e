import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { waitFor } from '@sluice/testkit';
import type { MockApi } from './server';
import { rawGet } from './testHelpers';
import { withMockApi } from './withMockApi';

const MB = 1024 * 1024;

/** Reads `res` until `enough` bytes have come, then hangs up; resolves with the bytes read. */
function readThenHangUp(res: IncomingMessage, enough: number, onChunk: (chunk: Buffer) => void = () => {}): Promise<number> {
  return new Promise((resolve, reject) => {
    let read = 0;
    res.on('data', (chunk: Buffer) => {
      read += chunk.length;
      onChunk(chunk);
      if (read >= enough) {
        res.destroy();
        resolve(read);
      }
    });
    res.on('end', () => reject(new Error(`body ended after ${read} bytes`)));
  });
}

/** Waits until `bytesSent` holds still for 300 ms: the server has stopped writing. */
async function settledBytesSent(api: MockApi): Promise<number> {
  let last = -1;
  const { sent } = await waitFor(
    () => {
      const now = api.stats().bytesSent;
      const settled = now === last;
      last = now;
      return settled ? { sent: now } : undefined;
    },
    { what: 'the server to stop writing', timeoutMs: 10_000, intervalMs: 300 },
  );
  return sent;
}

describe('mock API endless bodies', () => {
  it('streams a 1 GiB hugeBody under backpressure and stops when the client hangs up', async () => {
    await withMockApi({ bodyFault: 'hugeBody' }, async (api) => {
      const rssBefore = process.memoryUsage.rss();
      let rssPeak = rssBefore;
      const res = await rawGet(`${api.url}/id?hex=00000A`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBeUndefined();
      let head = '';
      await readThenHangUp(res, 20 * MB, (chunk) => {
        if (head.length < 16) head += chunk.toString('latin1', 0, 16);
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
      });
      expect(head).toMatch(/^\{"filler":"xxx/);
      const sent = await settledBytesSent(api);
      expect(sent).toBeGreaterThanOrEqual(20 * MB);
      expect(sent).toBeLessThan(100 * MB);
      expect(rssPeak - rssBefore).toBeLessThan(100 * MB);
    });
  });

  it('sends a hugeBody of exactly hugeBodyBytes when the client reads it all', async () => {
    await withMockApi({ outcomes: { '00000A': ['hugeBody'] }, hugeBodyBytes: 1_000_000 }, async (api) => {
      const text = await (await fetch(`${api.url}/id?hex=00000A`)).text();
      expect(text).toHaveLength(1_000_000);
      expect(JSON.parse(text).filler).toMatch(/^x+$/);
      expect(api.stats().bytesSent).toBe(1_000_000);
    });
  });

  it('streams a gzipBomb that inflates to zeros, and stops compressing when the client hangs up', async () => {
    await withMockApi({ outcomes: { '00000A': ['gzipBomb'] } }, async (api) => {
      const res = await rawGet(`${api.url}/id?hex=00000A`);
      expect([res.statusCode, res.headers['content-encoding']]).toEqual([200, 'gzip']);
      const inflated = res.pipe(createGunzip());
      let nonZero = 0;
      const read = await readThenHangUp(inflated as unknown as IncomingMessage, 4 * MB, (chunk) => {
        for (const byte of chunk) if (byte !== 0) nonZero++;
      });
      res.destroy();
      expect(read).toBeGreaterThanOrEqual(4 * MB);
      expect(nonZero).toBe(0);
      const sent = await settledBytesSent(api);
      // Zeros compress about 1000:1, so a megabyte would already mean the server ignored the hang-up.
      expect(sent).toBeLessThan(MB);
    });
  });

  it('inflates a small gzipBomb to exactly gzipBombBytes zeros', async () => {
    await withMockApi({ bodyFault: 'gzipBomb', gzipBombBytes: 3 * MB }, async (api) => {
      // fetch decompresses content-encoding: gzip on its own.
      const body = new Uint8Array(await (await fetch(`${api.url}/id?hex=00000A`)).arrayBuffer());
      expect(body.length).toBe(3 * MB);
      expect(body.every((byte) => byte === 0)).toBe(true);
    });
  });
});
