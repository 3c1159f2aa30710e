import { execFileSync } from 'node:child_process';
import { withMockApi } from '@sluice/mock-api';
import { createTestNetwork, netnsUnavailable, startPostgresServer, startRedisServer, withTempDir } from '@sluice/testkit';

const unavailable = netnsUnavailable();
const netnsTest = unavailable === null ? test : test.skip;
if (unavailable !== null) process.stderr.write(`network-namespace tests skipped: ${unavailable}\n`);

function namespaces(): string {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
}

describe(`test network of namespaces${unavailable === null ? '' : ` (skipped: ${unavailable})`}`, () => {
  netnsTest(
    'worker hosts reach Redis, PostgreSQL and the mock API on the hub; a cut link isolates only its host; destroy removes every namespace',
    async () => {
      await withTempDir((redisDir) =>
        withTempDir(async (pgDir) => {
          const network = createTestNetwork(2);
          const names = network.hosts.map((h) => h.name);
          try {
            const hub = network.hubAddress;
            const redis = await startRedisServer(redisDir, { bind: hub });
            const pg = await startPostgresServer(pgDir, { host: hub, clientCidr: `${hub}/${network.prefixLength}` });
            try {
              await withMockApi({ host: hub }, async (mock) => {
                const reach = async (i: number) => {
                  const host = network.hosts[i];
                  if (!host) throw new Error(`no host ${i}`);
                  const [r, p, a] = await Promise.all([
                    host.run('redis-cli', ['-h', hub, '-p', String(redis.port), 'PING'], 5_000),
                    host.run('psql', [pg.url(), '-tAc', 'select 40 + 2'], 5_000),
                    host.run('curl', ['-s', '--noproxy', '*', '-m', '3', `${mock.url}/id?hex=00FF00`], 5_000),
                  ]);
                  return { redis: r.stdout.trim(), pg: p.stdout.trim(), api: a.stdout.includes('00FF00') };
                };
                expect(await reach(0)).toEqual({ redis: 'PONG', pg: '42', api: true });
                expect(await reach(1)).toEqual({ redis: 'PONG', pg: '42', api: true });
                // Each host has its own address on the test network.
                expect((await network.hosts[0]?.run('ip', ['-4', '-o', 'addr', 'show', 'eth0']))?.stdout).toContain(
                  `${network.hosts[0]?.address}/24`,
                );
                network.hosts[0]?.cutLink();
                expect(await reach(0)).toEqual({ redis: '', pg: '', api: false });
                expect(await reach(1)).toEqual({ redis: 'PONG', pg: '42', api: true });
              });
            } finally {
              pg.stop();
              await redis.stop();
            }
          } finally {
            network.destroy();
          }
          const left = namespaces();
          for (const name of names) expect(left).not.toContain(name);
        }),
      );
    },
  );
});
