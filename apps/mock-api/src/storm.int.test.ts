import { waitFor } from '@sluice/testkit';
import { type MockApi, startMockApi } from './server';
import { getText } from './testHelpers';
import { withMockApi } from './withMockApi';

/** Status of a colour request: 200 outside a storm, the storm's status inside one. */
const statusNow = async (api: MockApi) => (await getText(`${api.url}/id?hex=000000`)).status;

describe('mock API storms', () => {
  it('fails every request while a storm started at runtime lasts, then recovers on stopStorm', async () => {
    await withMockApi({ outcomes: { '00000A': ['ok'] }, quota: { limit: 1, windowMs: 60_000, mode: '429' } }, async (api) => {
      api.startStorm({ durationMs: 60_000 });
      for (const hex of ['00000A', '00000B', '00000C']) {
        const res = await getText(`${api.url}/id?hex=${hex}`);
        expect([res.status, res.text, res.headers.get('retry-after')]).toEqual([503, '{"error":"unavailable"}', null]);
      }
      api.stopStorm();
      // Stormed calls used none of the quota.
      expect((await getText(`${api.url}/id?hex=00000A`)).status).toBe(200);
      expect((await getText(`${api.url}/id?hex=00000A`)).status).toBe(429);
      expect(api.stats()).toMatchObject({ requests: 5, stormed: 3, throttled: 1, responsesByStatus: { 503: 3, 200: 1, 429: 1 } });
    });
  });

  it('sends the chosen status and Retry-After, counting down to the end of the storm', async () => {
    await withMockApi({}, async (api) => {
      api.startStorm({ status: 429, durationMs: 30_000, retryAfter: 'seconds' });
      const res = await getText(`${api.url}/query?function=OVERVIEW&symbol=IBM&apikey=k`);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('30');
      expect(() => api.startStorm({ status: 200 })).toThrow('startStorm.status: expected an integer 400..599');
    });
  });

  it('ends a configured storm after durationMs from server start', async () => {
    const started = performance.now();
    const api = await startMockApi({ storm: { fromMs: 0, durationMs: 1000 } });
    try {
      expect(await statusNow(api)).toBe(503);
      await waitFor(async () => (await statusNow(api)) === 200, { what: 'the storm to end', timeoutMs: 10_000, intervalMs: 20 });
      expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await api.close();
    }
  });

  it('starts a storm set by setOptions fromMs after the call', async () => {
    await withMockApi({}, async (api) => {
      const set = performance.now();
      api.setOptions({ storm: { status: 502, fromMs: 800, durationMs: 60_000 } });
      expect(await statusNow(api)).toBe(200);
      await waitFor(async () => (await statusNow(api)) === 502, { what: 'the storm to start', timeoutMs: 10_000, intervalMs: 20 });
      expect(performance.now() - set).toBeGreaterThanOrEqual(800);
      api.setOptions({ storm: null });
      expect(await statusNow(api)).toBe(200);
    });
  });
});
