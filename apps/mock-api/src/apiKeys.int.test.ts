import { MISSING_API_KEY_BODY } from './stock';
import { getText } from './testHelpers';
import { withMockApi } from './withMockApi';

describe('per-key quotas and invalid keys', () => {
  test('each API key has its own quota, a refusal quotes the key, and an invalid key gets the API’s answer', async () => {
    await withMockApi(
      {
        keyQuotas: [{ limit: 2, windowMs: 60_000, mode: 'body' }],
        quota: { limit: 100, windowMs: 60_000, mode: '429' },
        invalidApiKeys: ['bad'],
      },
      async (mock) => {
        const stock = (key: string) => getText(`${mock.url}/query?function=OVERVIEW&symbol=IBM&apikey=${key}`);
        for (const key of ['k1', 'k1', 'k2', 'k2']) expect(JSON.parse((await stock(key)).text)).toMatchObject({ Symbol: 'IBM' });
        const refused = await stock('k1');
        expect(refused.status).toBe(200);
        expect(JSON.parse(refused.text).Information).toContain('your API key as k1 ');
        expect(await stock('bad')).toMatchObject({ status: 200, text: MISSING_API_KEY_BODY });
        expect((await getText(`${mock.url}/id?hex=00000A&apikey=bad`)).status).toBe(401);
        // A request without a key only meets the global quota.
        expect((await getText(`${mock.url}/id?hex=00000A`)).status).toBe(200);
        expect(mock.apiKeyStats()).toEqual({
          k1: { requests: 3, throttled: 1, rejected: 0, served: [], throttledAt: [] },
          k2: { requests: 2, throttled: 0, rejected: 0, served: [], throttledAt: [] },
          bad: { requests: 2, throttled: 0, rejected: 2, served: [], throttledAt: [] },
        });
        expect(mock.stats().throttled).toBe(1);
        // Setting the per-key quotas again starts every key empty.
        mock.setOptions({ keyQuotas: [{ limit: 1, windowMs: 60_000, mode: '429' }] });
        expect((await stock('k1')).status).toBe(200);
        const over = await stock('k1');
        expect(over.status).toBe(429);
        expect(over.headers.get('retry-after')).toBe('60');
      },
    );
  });
});
