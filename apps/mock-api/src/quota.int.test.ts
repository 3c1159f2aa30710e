import { waitFor } from '@sluice/testkit';
import { COLOUR_THROTTLE_BODY } from './colour';
import { throttleBody } from './stock';
import { getText } from './testHelpers';
import { withMockApi } from './withMockApi';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MINUTE = 60_000;

describe('mock API quotas', () => {
  it('answers calls over a 429 quota with Retry-After in whole seconds until a slot frees', async () => {
    await withMockApi({ quota: { limit: 2, windowMs: MINUTE, mode: '429' } }, async (api) => {
      const url = `${api.url}/id?hex=00000A`;
      expect([(await getText(url)).status, (await getText(url)).status]).toEqual([200, 200]);
      const throttled = await getText(url);
      expect(throttled.status).toBe(429);
      expect(JSON.parse(throttled.text)).toEqual({ error: 'too many requests' });
      // The oldest call leaves the window just under 60 s from now; rounded up, that is 60.
      expect(throttled.headers.get('retry-after')).toBe('60');
      expect(api.stats()).toMatchObject({ requests: 3, throttled: 1, responsesByStatus: { 200: 2, 429: 1 } });
    });
  });

  it('sends a parseable HTTP date in the future with mode 503', async () => {
    await withMockApi({ quota: { limit: 1, windowMs: MINUTE, mode: '503', retryAfter: 'http-date' } }, async (api) => {
      await getText(`${api.url}/id?hex=00000A`);
      const before = Date.now();
      const throttled = await getText(`${api.url}/id?hex=00000B`);
      expect(throttled.status).toBe(503);
      const date = throttled.headers.get('retry-after') ?? '';
      expect(date).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      expect(Date.parse(date)).toBeGreaterThan(before);
      expect(Date.parse(date)).toBeLessThanOrEqual(before + MINUTE + 1000);
    });
  });

  it.each([
    ['none', null],
    ['garbage', 'soon'],
  ] as const)('sends Retry-After form %s as %p', async (retryAfter, expected) => {
    await withMockApi({ quota: { limit: 1, windowMs: MINUTE, mode: '429', retryAfter } }, async (api) => {
      await getText(`${api.url}/id?hex=00000A`);
      const throttled = await getText(`${api.url}/id?hex=00000A`);
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe(expected);
    });
  });

  it('answers 200 with a throttle body in mode body, like Alpha Vantage and per endpoint', async () => {
    await withMockApi({ quota: { limit: 1, windowMs: MINUTE, mode: 'body' } }, async (api) => {
      const query = `${api.url}/query?function=OVERVIEW&symbol=IBM&apikey=k`;
      expect(JSON.parse((await getText(query)).text)).toMatchObject({ Symbol: 'IBM' });
      const note = await getText(query);
      expect(note.status).toBe(200);
      expect(note.headers.get('retry-after')).toBeNull();
      expect(JSON.parse(note.text)).toEqual({
        Note: expect.stringMatching(
          /^Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 25 calls per day\./,
        ),
      });
      const colour = await getText(`${api.url}/id?hex=00000A`);
      expect([colour.status, JSON.parse(colour.text)]).toEqual([200, { error: 'rate limit exceeded' }]);
      expect(colour.text).toBe(COLOUR_THROTTLE_BODY);

      api.setOptions({ quotaBodyField: 'Information' });
      const information = await getText(query);
      expect(information.text).toBe(throttleBody('Information'));
      expect(JSON.parse(information.text)).toEqual({ Information: expect.stringMatching(/^Thank you for using Alpha Vantage!/) });
      expect(api.stats()).toMatchObject({ throttled: 3, responsesByStatus: { 200: 4 } });
    });
  });

  it('uses a strict sliding window that throttled calls do not occupy', async () => {
    const windowMs = 1000;
    await withMockApi({ quota: { limit: 3, windowMs, mode: '429' }, recordArrivals: true }, async (api) => {
      const call = async () => (await getText(`${api.url}/id?hex=00000A`)).status;
      expect(await call()).toBe(200);
      // The spacing between calls is what a sliding window is about, so this sleep is the test.
      await sleep(400);
      expect([await call(), await call()]).toEqual([200, 200]);
      expect(await call()).toBe(429);
      const first = api.arrivals()[0] as number;
      // Keep knocking: refused calls must not count, or this would never get in.
      await waitFor(async () => (await call()) === 200, { what: 'a slot to free', timeoutMs: 5000, intervalMs: 20 });
      const arrivals = api.arrivals();
      expect(arrivals.at(-1) as number).toBeGreaterThanOrEqual(first + windowMs - 1);
      // Only the oldest call left: the second and third still fill the window.
      expect(await call()).toBe(429);
      const { throttled, responsesByStatus } = api.stats();
      expect(responsesByStatus).toEqual({ 200: 4, 429: throttled });
    });
  });

  it('enforces two quotas at once, say per minute and per day', async () => {
    const perBurst = { limit: 2, windowMs: 600, mode: '429' } as const;
    const perDay = { limit: 3, windowMs: 86_400_000, mode: '503', retryAfter: 'seconds' } as const;
    await withMockApi({ quota: perBurst, quotas: [perDay] }, async (api) => {
      const call = () => getText(`${api.url}/id?hex=00000A`);
      expect([(await call()).status, (await call()).status]).toEqual([200, 200]);
      const burst = await call();
      expect([burst.status, burst.headers.get('retry-after')]).toEqual([429, '1']);
      await waitFor(async () => (await call()).status === 200, {
        what: 'the short window to free a slot',
        timeoutMs: 10_000,
        intervalMs: 20,
      });
      // Three served: the daily quota is the one that binds now, for about a day.
      const daily = await call();
      expect(daily.status).toBe(503);
      expect(Number(daily.headers.get('retry-after'))).toBeGreaterThanOrEqual(86_390);
      expect(Number(daily.headers.get('retry-after'))).toBeLessThanOrEqual(86_400);
    });
  });

  it('switches quotas at runtime, starting the new windows empty', async () => {
    await withMockApi({}, async (api) => {
      const call = async () => (await getText(`${api.url}/id?hex=00000A`)).status;
      expect([await call(), await call()]).toEqual([200, 200]);
      api.setOptions({ quota: { limit: 1, windowMs: MINUTE, mode: '429' } });
      expect([await call(), await call()]).toEqual([200, 429]);
      api.setOptions({ latencyMs: 0 });
      expect(await call()).toBe(429);
      api.setOptions({ quota: null });
      expect(await call()).toBe(200);
      expect(() => api.setOptions({ quotas: [{ limit: 0, windowMs: 1, mode: 'body' }] })).toThrow(
        'quotas[0].limit: expected an integer ≥ 1',
      );
    });
  });
});
