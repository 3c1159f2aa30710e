import { Agent, request } from 'node:http';
import { colourBody } from './colour';
import { errorBodyFor } from './outcomes';
import { withMockApi } from './withMockApi';

const getJson = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
};

describe('mock API endpoints', () => {
  it('answers the colour API with hex.clean upper-cased for lower or upper input', async () => {
    await withMockApi({}, async (api) => {
      const upper = await getJson(`${api.url}/id?hex=FF00AA`);
      const lower = await getJson(`${api.url}/id?hex=ff00aa`);
      expect(upper.status).toBe(200);
      expect(upper.type).toMatch(/^application\/json/);
      expect(upper.body).toMatchObject({
        hex: { value: '#FF00AA', clean: 'FF00AA' },
        rgb: { r: 255, g: 0, b: 170 },
        hsl: { value: 'hsl(320, 100%, 50%)' },
        name: { value: expect.any(String), closest_named_hex: expect.stringMatching(/^#[0-9A-F]{6}$/) },
      });
      expect(lower.body).toEqual(upper.body);
    });
  });

  it('answers black with status 200 for malformed hex, like the real API', async () => {
    await withMockApi({}, async (api) => {
      for (const query of ['hex=XYZ123', 'hex=12345', 'hex=', '']) {
        const { status, body } = await getJson(`${api.url}/id?${query}`);
        expect(status).toBe(200);
        expect(body).toMatchObject({ hex: { clean: '000000' } });
      }
    });
  });

  it('answers the stock API, including its error bodies with status 200', async () => {
    await withMockApi({ invalidSymbols: ['NOPE'] }, async (api) => {
      const ok = await getJson(`${api.url}/query?function=OVERVIEW&symbol=IBM&apikey=demo`);
      expect(ok).toMatchObject({ status: 200, body: { Symbol: 'IBM', AssetType: 'Common Stock', Currency: 'USD' } });
      const invalid = await getJson(`${api.url}/query?function=OVERVIEW&symbol=NOPE&apikey=demo`);
      expect(invalid).toEqual({
        status: 200,
        type: expect.any(String),
        body: { 'Error Message': expect.stringMatching(/^Invalid API call\..*for OVERVIEW\.$/) },
      });
      const noKey = await getJson(`${api.url}/query?function=OVERVIEW&symbol=IBM`);
      expect(noKey).toMatchObject({ status: 200, body: { 'Error Message': expect.stringMatching(/apikey is invalid or missing/) } });
      const quote = await getJson(`${api.url}/query?function=GLOBAL_QUOTE&symbol=IBM&apikey=demo`);
      expect(quote.body).toMatchObject({ 'Global Quote': { '01. symbol': 'IBM' } });
    });
  });

  it('answers 404 JSON for unknown paths and 405 for non-GET API calls', async () => {
    await withMockApi({}, async (api) => {
      expect(await getJson(`${api.url}/nope`)).toMatchObject({ status: 404, body: { error: 'not found' } });
      expect(await getJson(`${api.url}/__mock/reset`)).toMatchObject({ status: 404 });
      const post = await fetch(`${api.url}/id?hex=FFFFFF`, { method: 'POST' });
      expect(post.status).toBe(405);
      await post.arrayBuffer();
      expect(api.stats().requests).toBe(0);
    });
  });

  it('counts requests per key and per status, over the API and over /__mock/stats', async () => {
    await withMockApi({ outcomes: { BAD: [503] } }, async (api) => {
      for (const hex of ['000001', '000001', '000002']) await (await fetch(`${api.url}/id?hex=${hex}`)).text();
      await (await fetch(`${api.url}/query?function=OVERVIEW&symbol=BAD&apikey=k`)).text();
      const expected = {
        requests: 4,
        byKey: { '000001': 2, '000002': 1, BAD: 1 },
        responsesByStatus: { 200: 3, 503: 1 },
        resets: 0,
        distinctKeys: 3,
        duplicateKeys: 1,
        throttled: 0,
        stormed: 0,
        bytesSent: [colourBody('000001'), colourBody('000001'), colourBody('000002'), errorBodyFor(503)].join('').length,
      };
      expect(api.stats()).toEqual(expected);
      expect((await getJson(`${api.url}/__mock/stats`)).body).toEqual(JSON.parse(JSON.stringify(expected)));
      expect(api.requestsForKey('000001')).toBe(2);
      expect(api.requestsForKey('FFFFFF')).toBe(0);
      expect(api.duplicateKeys()).toBe(1);

      const reset = await fetch(`${api.url}/__mock/reset`, { method: 'POST' });
      expect(await reset.json()).toEqual({ ok: true });
      expect(api.stats()).toMatchObject({ requests: 0, byKey: {}, responsesByStatus: {}, distinctKeys: 0 });
    });
  });

  it('skips per-key counts when trackKeys is off, and records arrivals when asked', async () => {
    await withMockApi({ trackKeys: false, recordArrivals: true }, async (api) => {
      const before = Date.now();
      for (const hex of ['000001', '000001']) await (await fetch(`${api.url}/id?hex=${hex}`)).text();
      expect(api.stats()).toMatchObject({ requests: 2, byKey: {}, duplicateKeys: 0 });
      const arrivals = api.arrivals();
      expect(arrivals).toHaveLength(2);
      expect(arrivals[0]).toBeGreaterThanOrEqual(before - 1);
      expect(arrivals[1]).toBeGreaterThanOrEqual(arrivals[0] as number);
      api.resetStats();
      expect(api.arrivals()).toEqual([]);
    });
  });

  it('logs arrival time and key of each request, per key in stats, only with recordArrivals', async () => {
    await withMockApi({ recordArrivals: true, quota: { limit: 2, windowMs: 60_000, mode: '429' } }, async (api) => {
      const before = performance.timeOrigin + performance.now();
      for (const hex of ['00000a', '00000B', '00000A']) await (await fetch(`${api.url}/id?hex=${hex}`)).text();
      const log = api.arrivalLog();
      expect(log.map((entry) => entry.key)).toEqual(['00000A', '00000B', '00000A']);
      expect(log.map((entry) => entry.at)).toEqual(api.arrivals());
      expect(log[0]?.at).toBeGreaterThanOrEqual(before);
      const stats = api.stats();
      expect(stats.arrivalsByKey).toEqual({ '00000A': [log[0]?.at, log[2]?.at], '00000B': [log[1]?.at] });
      expect(stats).toMatchObject({ requests: 3, throttled: 1, stormed: 0, responsesByStatus: { 200: 2, 429: 1 } });
      expect((await getJson(`${api.url}/__mock/stats`)).body).toMatchObject({ arrivalsByKey: stats.arrivalsByKey });

      api.resetStats();
      expect(api.stats()).toMatchObject({ requests: 0, throttled: 0, stormed: 0, bytesSent: 0, arrivalsByKey: {} });
      expect(api.arrivalLog()).toEqual([]);
      api.setOptions({ recordArrivals: false });
      expect(api.stats()).not.toHaveProperty('arrivalsByKey');
    });
  });

  it('closes promptly even with idle keep-alive sockets open', async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      await withMockApi({}, async (api) => {
        const socketClosed = new Promise<void>((resolve, reject) => {
          const req = request(`${api.url}/id?hex=000000`, { agent }, (res) => {
            res.resume();
            res.on('end', () => {
              // The socket is now idle in the agent's pool; close() must end it rather than wait for a timeout.
              req.socket?.once('close', () => resolve());
              void api.close();
            });
          });
          req.on('error', reject);
          req.end();
        });
        await socketClosed;
      });
    } finally {
      agent.destroy();
    }
  });
});
