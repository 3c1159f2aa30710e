import { crawlScope, sanitizeQueueName } from './crawlScope';
import {
  bullPrefix,
  crawlKeyPattern,
  limiterKeyBase,
  ownerKey,
  producerLeaseKey,
  rateKey,
  recentErrorsKey,
  statsKey,
  workerHeartbeatKey,
  workerIndexKey,
} from './redisKeys';

/** The part of a key Redis Cluster hashes: the first `{…}` with something inside, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

const scope = crawlScope({ prefix: 'sluice', ledgerId: '0a1b2c3d4e5f6071', crawlId: 7, name: 'colours-demo' });

function everyKey(): string[] {
  return [
    ownerKey(scope),
    producerLeaseKey(scope),
    workerHeartbeatKey(scope, 'w1'),
    workerIndexKey(scope),
    statsKey(scope),
    rateKey(scope),
    recentErrorsKey(scope),
    // The limiter's keys (@sluice/limiter) all extend this base.
    `${limiterKeyBase(scope)}:pause`,
    // BullMQ's keys are `<prefix>:<queue name>:<suffix>`.
    `${bullPrefix(scope)}:${scope.queueName}:wait`,
    `${bullPrefix(scope)}:${scope.queueName}:b12:lock`,
  ];
}

describe('crawl keys', () => {
  test('are namespaced by ledger id and crawl id, with the crawl name in the BullMQ queue name', () => {
    expect(scope.namespace).toBe('sluice:{0a1b2c3d4e5f6071.7}');
    expect(scope.queueName).toBe('crawl.colours-demo');
    expect(limiterKeyBase(scope)).toBe('sluice:{0a1b2c3d4e5f6071.7}:sluice:limiter');
    expect(producerLeaseKey(scope)).toBe('sluice:{0a1b2c3d4e5f6071.7}:sluice:producer');
  });

  test('share one hash tag, BullMQ keys included, so one crawl lives in one Cluster slot', () => {
    const tags = new Set(everyKey().map(hashTag));
    expect([...tags]).toEqual(['0a1b2c3d4e5f6071.7']);
  });

  test('crawlKeyPattern matches every key of the crawl and none of another ledger or crawl', () => {
    const pattern = new RegExp(`^${crawlKeyPattern(scope).replace(/[{}.]/g, '\\$&').replace('*', '.*')}$`);
    for (const key of everyKey()) expect(key).toMatch(pattern);
    const otherLedger = crawlScope({ prefix: 'sluice', ledgerId: 'ffffffffffffffff', crawlId: 7, name: 'colours-demo' });
    const otherCrawl = crawlScope({ prefix: 'sluice', ledgerId: '0a1b2c3d4e5f6071', crawlId: 70, name: 'colours-demo' });
    expect(statsKey(otherLedger)).not.toMatch(pattern);
    expect(statsKey(otherCrawl)).not.toMatch(pattern);
  });

  test('two ledgers with the same crawl id and name get different keys', () => {
    const a = crawlScope({ prefix: 'sluice', ledgerId: 'aaaaaaaaaaaaaaaa', crawlId: 1, name: 'demo' });
    const b = crawlScope({ prefix: 'sluice', ledgerId: 'bbbbbbbbbbbbbbbb', crawlId: 1, name: 'demo' });
    expect(bullPrefix(a)).not.toBe(bullPrefix(b));
    expect(limiterKeyBase(a)).not.toBe(limiterKeyBase(b));
  });

  test('queue names never hold a colon or braces and are never empty', () => {
    expect(sanitizeQueueName('a:b{c}d e')).toBe('crawl.a_b_c_d_e');
    expect(sanitizeQueueName('')).toBe('crawl._');
    expect(sanitizeQueueName('x'.repeat(300))).toHaveLength('crawl.'.length + 100);
  });

  test('a ledger id or prefix that would break the hash tag is refused', () => {
    expect(() => crawlScope({ prefix: 'sluice', ledgerId: 'a}b', crawlId: 1, name: 'x' })).toThrow(RangeError);
    expect(() => crawlScope({ prefix: 'a:b', ledgerId: 'ab', crawlId: 1, name: 'x' })).toThrow(RangeError);
    expect(() => crawlScope({ prefix: 'sluice', ledgerId: 'ab', crawlId: -1, name: 'x' })).toThrow(RangeError);
  });
});
