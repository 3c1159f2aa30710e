import type { CrawlListEntry } from '@sluice/engine';
import { crawlListText } from './crawlList';

const entry = (extra: Partial<CrawlListEntry>): CrawlListEntry => ({
  id: 1,
  name: 'colours',
  state: 'running',
  total: 1000,
  done: 10,
  failed: 0,
  createdAt: '2025-01-01T11:00:00.000Z',
  ...extra,
});

describe('crawl list text', () => {
  test('one aligned row per crawl: name, id, state, done/total, created', () => {
    const text = crawlListText([
      entry({}),
      entry({ id: 12, name: 'stocks', state: 'done', total: 7, done: 5, failed: 2, createdAt: '2025-01-02T00:00:00.000Z' }),
    ]);
    expect(text.split('\n')).toEqual([
      'NAME     ID  STATE               DONE/TOTAL  CREATED',
      'colours  1   running             10/1000     2025-01-01T11:00:00.000Z',
      'stocks   12  done with 2 failed  5/7         2025-01-02T00:00:00.000Z',
      '',
    ]);
  });

  test('says how to start when there is no crawl', () => {
    expect(crawlListText([])).toContain('sluice run <spec>');
  });
});
