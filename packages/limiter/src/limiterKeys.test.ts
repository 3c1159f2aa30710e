import { crawlKeyPattern, crawlScope } from '@sluice/queue';
import {
  credentialLeasesKey,
  credentialPauseKey,
  credentialsRetiredKey,
  credentialWindowKey,
  limiterAdaptiveKey,
  limiterLeasesKey,
  limiterPauseKey,
  limiterWindowKey,
} from './limiterKeys';

const scope = crawlScope({ prefix: 'sluice', ledgerId: '0a1b2c3d4e5f6071', crawlId: 7, name: 'colours-demo' });

function everyKey(): string[] {
  return [
    limiterWindowKey(scope, 'perSecond'),
    limiterWindowKey(scope, 'perDay'),
    limiterLeasesKey(scope),
    limiterPauseKey(scope),
    limiterAdaptiveKey(scope),
    credentialWindowKey(scope, 'AV_KEY_1', 'perMinute'),
    credentialLeasesKey(scope, 'AV_KEY_1'),
    credentialPauseKey(scope, 'AV_KEY_1'),
    credentialsRetiredKey(scope),
  ];
}

describe('limiter keys', () => {
  test('live in the crawl namespace under sluice:limiter', () => {
    expect(limiterPauseKey(scope)).toBe('sluice:{0a1b2c3d4e5f6071.7}:sluice:limiter:pause');
    for (const key of everyKey()) expect(key.startsWith('sluice:{0a1b2c3d4e5f6071.7}:sluice:limiter:')).toBe(true);
  });

  test("crawlKeyPattern matches every one of them, so a crawl's cleanup removes them", () => {
    const pattern = new RegExp(`^${crawlKeyPattern(scope).replace(/[{}.]/g, '\\$&').replace('*', '.*')}$`);
    for (const key of everyKey()) expect(key).toMatch(pattern);
  });

  test('two ledgers with the same crawl id and name get different keys', () => {
    const other = crawlScope({ prefix: 'sluice', ledgerId: 'bbbbbbbbbbbbbbbb', crawlId: 7, name: 'colours-demo' });
    expect(limiterWindowKey(other, 'perSecond')).not.toBe(limiterWindowKey(scope, 'perSecond'));
  });
});
