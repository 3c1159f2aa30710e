import { DEEP_JSON_DEPTH, REDIRECT_LOCATION } from './bodyFaults';
import { colourBody } from './colour';
import { isInjectedReset } from './faults';
import type { OutcomeScripts } from './outcomes';
import { type MockApi, startMockApi } from './server';
import { getText, rawGet } from './testHelpers';
import { withMockApi } from './withMockApi';

describe('mock API hostile answers', () => {
  it('plays each scripted body fault for its key', async () => {
    const outcomes: OutcomeScripts = {
      HTML: ['html200'],
      EMPTY: ['empty'],
      SCHEMA: ['wrongSchema'],
      TYPE: ['wrongContentType'],
      DEEP: ['deepJson'],
    };
    await withMockApi({ outcomes }, async (api) => {
      const get = (symbol: string) => getText(`${api.url}/query?function=OVERVIEW&symbol=${symbol}&apikey=k`);
      const html = await get('HTML');
      expect([html.status, html.headers.get('content-type'), html.text]).toEqual([
        200,
        'text/html; charset=utf-8',
        '<html><body>Oops</body></html>',
      ]);
      const empty = await get('EMPTY');
      expect([empty.status, empty.headers.get('content-length'), empty.text]).toEqual([200, '0', '']);
      const schema = await get('SCHEMA');
      expect([schema.status, JSON.parse(schema.text)]).toEqual([200, { unexpected: true }]);
      const type = await get('TYPE');
      expect([type.status, type.headers.get('content-type')]).toEqual([200, 'text/plain; charset=utf-8']);
      expect(JSON.parse(type.text)).toMatchObject({ Symbol: 'TYPE' });
      const deep = await get('DEEP');
      expect(deep.text).toHaveLength(2 * DEEP_JSON_DEPTH);
      expect(deep.text).toBe('['.repeat(DEEP_JSON_DEPTH) + ']'.repeat(DEEP_JSON_DEPTH));
      expect(api.stats()).toMatchObject({ responsesByStatus: { 200: 5 }, bytesSent: expect.any(Number) });
      expect(api.stats().bytesSent).toBeGreaterThan(2 * DEEP_JSON_DEPTH);
    });
  });

  it('truncates: announces the full length, sends half, then drops the connection', async () => {
    await withMockApi({ outcomes: { '00000A': ['truncated', 'ok'] } }, async (api) => {
      const res = await fetch(`${api.url}/id?hex=00000A`);
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('content-length'))).toBe(colourBody('00000A').length);
      await expect(res.text()).rejects.toThrow();
      expect(api.stats().bytesSent).toBe(colourBody('00000A').length >> 1);
      expect((await getText(`${api.url}/id?hex=00000A`)).status).toBe(200);
    });
  });

  it('redirects to another host, which the mock does not follow for the client', async () => {
    await withMockApi({ outcomes: { '00000A': ['redirect'] } }, async (api) => {
      const res = await fetch(`${api.url}/id?hex=00000A`, { redirect: 'manual' });
      expect([res.status, res.headers.get('location')]).toEqual([302, REDIRECT_LOCATION]);
      await res.arrayBuffer();
      expect(api.stats()).toMatchObject({ requests: 1, responsesByStatus: { 302: 1 } });
    });
  });

  it('applies bodyFault to every unscripted key; scripts win', async () => {
    await withMockApi({ bodyFault: 'wrongSchema', outcomes: { '00000A': ['ok'] } }, async (api) => {
      expect((await getText(`${api.url}/id?hex=00000B`)).text).toBe('{"unexpected":true}');
      expect(JSON.parse((await getText(`${api.url}/id?hex=00000A`)).text)).toMatchObject({ hex: { clean: '00000A' } });
      api.setOptions({ bodyFault: 'html200' });
      expect((await getText(`${api.url}/id?hex=00000B`)).headers.get('content-type')).toMatch(/^text\/html/);
      api.setOptions({ bodyFault: null });
      expect(JSON.parse((await getText(`${api.url}/id?hex=00000B`)).text)).toMatchObject({ hex: { clean: '00000B' } });
      expect(() => api.setOptions({ bodyFault: 'nope' as never })).toThrow('bodyFault: expected null or one of html200');
    });
  });

  it('resets the same (key, attempt) pairs on two servers with the same seed, as the documented draw predicts', async () => {
    const keys = Array.from({ length: 64 }, (_, i) => i.toString(16).toUpperCase().padStart(6, '0'));
    const resetKeys = async (api: MockApi) => {
      const reset: string[] = [];
      for (const key of keys) {
        const answered = await fetch(`${api.url}/id?hex=${key}`).then(
          (res) => res.arrayBuffer().then(() => true),
          () => false,
        );
        if (!answered) reset.push(key);
      }
      return reset;
    };
    const servers = await Promise.all([startMockApi({ resetRate: 0.3, seed: 9 }), startMockApi({ resetRate: 0.3, seed: 9 })]);
    try {
      const [first, second] = [await resetKeys(servers[0]), await resetKeys(servers[1])];
      expect(first.length).toBeGreaterThan(0);
      expect(first.length).toBeLessThan(keys.length);
      expect(second).toEqual(first);
      expect(first).toEqual(keys.filter((key) => isInjectedReset(key, 0, 9, 0.3)));
      expect(await resetKeys(servers[0])).toEqual(keys.filter((key) => isInjectedReset(key, 1, 9, 0.3)));
      expect(servers[0].stats()).toMatchObject({
        requests: 128,
        resets: first.length + keys.filter((key) => isInjectedReset(key, 1, 9, 0.3)).length,
      });
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });

  it('sends the second half of a slow body no sooner than slowBodyMs after the first', async () => {
    const slowBodyMs = 300;
    await withMockApi({ slowBodyMs }, async (api) => {
      const started = performance.now();
      const res = await rawGet(`${api.url}/id?hex=00000A`);
      const chunks: { at: number; bytes: number }[] = [];
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        chunks.push({ at: performance.now(), bytes: Buffer.byteLength(chunk) });
        text += chunk;
      });
      await new Promise((resolve) => res.on('end', resolve));
      const full = colourBody('00000A');
      expect(text).toBe(full);
      expect(chunks[0]?.bytes).toBe(full.length >> 1);
      // Lower bounds only: timers never fire early.
      expect((chunks.at(-1)?.at ?? 0) - started).toBeGreaterThanOrEqual(slowBodyMs - 1);
      expect(api.stats().bytesSent).toBe(full.length);
    });
  });
});
