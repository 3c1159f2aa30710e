import { execFileSync } from 'node:child_process';
import { createTestNetwork, netnsUnavailable } from './netns';
import { startRedisServer } from './redis';
import { withTempDir } from './tempDir';

const unavailable = netnsUnavailable();
const netnsTest = unavailable === null ? test : test.skip;
if (unavailable !== null) process.stderr.write(`network-namespace tests skipped: ${unavailable}\n`);

function namespaces(): string {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
}

describe(`test network of namespaces${unavailable === null ? '' : ` (skipped: ${unavailable})`}`, () => {
  netnsTest(
    'two worker hosts reach a redis-server on the hub; a cut link isolates only its host; destroy removes every namespace',
    async () => {
      await withTempDir(async (dir) => {
        const network = createTestNetwork(2);
        const names = network.hosts.map((h) => h.name);
        try {
          const redis = await startRedisServer(dir, { bind: network.hubAddress });
          try {
            const ping = (i: number) =>
              network.hosts[i]?.run('redis-cli', ['-h', network.hubAddress, '-p', String(redis.port), '--no-raw', 'PING'], 5_000);
            expect(ping(0)?.stdout.trim()).toBe('PONG');
            expect(ping(1)?.stdout.trim()).toBe('PONG');
            // Each host has its own address and sees the hub, not the machine's loopback services.
            expect(network.hosts[0]?.run('ip', ['-4', '-o', 'addr', 'show', 'eth0']).stdout).toContain(`${network.hosts[0]?.address}/24`);
            network.hosts[0]?.cutLink();
            expect(ping(0)?.stdout.trim()).not.toBe('PONG');
            expect(ping(1)?.stdout.trim()).toBe('PONG');
          } finally {
            await redis.stop();
          }
        } finally {
          network.destroy();
        }
        const left = namespaces();
        for (const name of names) expect(left).not.toContain(name);
      });
    },
  );
});
