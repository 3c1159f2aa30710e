import { getText } from './testHelpers';
import { withMockApi } from './withMockApi';

describe('mock API unannounced limit', () => {
  it('serves unannouncedPerSecond calls in a second and answers the rest 429 without Retry-After', async () => {
    await withMockApi({ unannouncedPerSecond: 3 }, async (api) => {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await getText(`${api.url}/id?hex=00000${i}`));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
      expect(answers[3]?.headers.get('retry-after')).toBeNull();
      expect(JSON.parse(answers[3]?.text ?? '')).toEqual({ error: 'too many requests' });
      expect(api.stats()).toMatchObject({ throttled: 2, responsesByStatus: { 200: 3, 429: 2 } });
    });
  });

  it('changes through POST /__mock/options and keeps the last second served, so a drop bites at once', async () => {
    await withMockApi({ unannouncedPerSecond: 10 }, async (api) => {
      for (let i = 0; i < 4; i++) expect((await getText(`${api.url}/id?hex=00000${i}`)).status).toBe(200);
      const set = await getText(`${api.url}/__mock/options`, { method: 'POST', body: '{"unannouncedPerSecond":4}' });
      expect(set.status).toBe(200);
      expect((await getText(`${api.url}/id?hex=000005`)).status).toBe(429);
      api.setOptions({ unannouncedPerSecond: 0 });
      expect((await getText(`${api.url}/id?hex=000006`)).status).toBe(200);
    });
  });

  it('refuses invalid options with 400 and every problem', async () => {
    await withMockApi({}, async (api) => {
      const bad = await getText(`${api.url}/__mock/options`, { method: 'POST', body: '{"unannouncedPerSecond":-1,"colour":1}' });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.text).error).toMatch(/unannouncedPerSecond: expected an integer ≥ 0.*colour: unknown option/);
      expect((await getText(`${api.url}/__mock/options`, { method: 'POST', body: '[1]' })).status).toBe(400);
    });
  });
});
