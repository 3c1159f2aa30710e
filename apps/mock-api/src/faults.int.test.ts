import { isInjectedError } from './faults';
import { type MockApi, startMockApi } from './server';
import { withMockApi } from './withMockApi';

const statusOf = async (url: string) => {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
};

describe('mock API failure knobs', () => {
  it('plays a scripted [500, 500, "ok"] sequence per key', async () => {
    await withMockApi({ outcomes: { '00000A': [500, 500, 'ok'] } }, async (api) => {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push(await statusOf(`${api.url}/id?hex=00000a`));
      expect(statuses).toEqual([500, 500, 200, 200]);
      expect(await statusOf(`${api.url}/id?hex=00000B`)).toBe(200);
      expect(await fetch(`${api.url}/id?hex=00000A`).then((r) => r.json())).toMatchObject({ hex: { clean: '00000A' } });

      api.resetStats();
      expect(await statusOf(`${api.url}/id?hex=00000A`)).toBe(500);
    });
  });

  it('sends scripted statuses, Retry-After and bodies, repeating the last step', async () => {
    await withMockApi(
      { outcomes: { ZZZZ: [404], SLOW: [{ status: 429, retryAfter: '3', body: '{"note":"slow down"}' }, 'ok'] } },
      async (api) => {
        const query = (symbol: string) => `${api.url}/query?function=OVERVIEW&symbol=${symbol}&apikey=k`;
        expect([await statusOf(query('ZZZZ')), await statusOf(query('ZZZZ'))]).toEqual([404, 404]);
        const throttled = await fetch(query('SLOW'));
        expect(throttled.status).toBe(429);
        expect(throttled.headers.get('retry-after')).toBe('3');
        expect(await throttled.json()).toEqual({ note: 'slow down' });
        expect(await statusOf(query('SLOW'))).toBe(200);
      },
    );
  });

  it('destroys the socket without an answer for "reset"', async () => {
    await withMockApi({ outcomes: { '0000FF': ['reset', 'ok'] } }, async (api) => {
      await expect(fetch(`${api.url}/id?hex=0000FF`)).rejects.toThrow();
      expect(await statusOf(`${api.url}/id?hex=0000FF`)).toBe(200);
      expect(api.stats()).toMatchObject({ requests: 2, resets: 1, responsesByStatus: { 200: 1 } });
    });
  });

  it('fails the same keys on two servers with the same seed, as the documented rule predicts', async () => {
    const keys = Array.from({ length: 64 }, (_, i) => i.toString(16).toUpperCase().padStart(6, '0'));
    const failingKeys = async (api: MockApi) => {
      const failing: string[] = [];
      for (const key of keys) if ((await statusOf(`${api.url}/id?hex=${key}`)) === 500) failing.push(key);
      return failing;
    };
    const servers = await Promise.all([startMockApi({ errorRate: 0.3, seed: 7 }), startMockApi({ errorRate: 0.3, seed: 7 })]);
    try {
      const [first, second] = [await failingKeys(servers[0]), await failingKeys(servers[1])];
      expect(first.length).toBeGreaterThan(0);
      expect(first.length).toBeLessThan(keys.length);
      expect(second).toEqual(first);
      expect(first).toEqual(keys.filter((key) => isInjectedError(key, 0, 7, 0.3)));
      // The retry of each key is a fresh draw (attempt 1), also predictable.
      expect(await failingKeys(servers[0])).toEqual(keys.filter((key) => isInjectedError(key, 1, 7, 0.3)));
      expect(keys.filter((key) => isInjectedError(key, 0, 8, 0.3))).not.toEqual(first);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });

  it('delays each answer by at least latencyMs, and setOptions changes it while running', async () => {
    await withMockApi({ latencyMs: 150 }, async (api) => {
      const started = performance.now();
      expect(await statusOf(`${api.url}/id?hex=123456`)).toBe(200);
      // Lower bound only: timers never fire early, so this cannot flake on a slow machine.
      expect(performance.now() - started).toBeGreaterThanOrEqual(149);
      api.setOptions({ latencyMs: 0, errorRate: 1 });
      expect(await statusOf(`${api.url}/id?hex=123456`)).toBe(500);
      expect(() => api.setOptions({ errorRate: 2 })).toThrow('errorRate: expected a number between 0 and 1');
    });
  });

  it('drops delayed answers when closed, without keeping the process alive', async () => {
    const api = await startMockApi({ latencyMs: 60_000 });
    const pending = fetch(`${api.url}/id?hex=123456`);
    await expect(
      (async () => {
        while (api.stats().requests === 0) await new Promise((resolve) => setImmediate(resolve));
        await api.close();
        return pending;
      })(),
    ).rejects.toThrow();
  });
});
