import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './redis';
import { waitFor } from './waitFor';

/** A Redis Cluster of a test's own: masters on loopback, no replicas, no persistence. */
export interface OwnRedisCluster {
  /** `redis://127.0.0.1:<port>` of every master, for a comma-separated `--redis`. */
  readonly urls: string[];
  readonly ports: number[];
  /** Stops every server by pid and waits for it to exit. */
  stop(): Promise<void>;
}

async function clusterStateOk(port: number): Promise<boolean> {
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return ((await probe.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok');
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/**
 * Starts `masters` `redis-server --cluster-enabled yes` on free loopback ports, each with its
 * cluster config file in its own folder under `dir`, joins them with
 * `redis-cli --cluster create … --cluster-replicas 0`, and waits until every node reports
 * `cluster_state:ok`. The caller stops it (in a `finally`).
 */
export async function startRedisCluster(dir: string, masters = 3): Promise<OwnRedisCluster> {
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const nodeDir = join(dir, `node-${port}`);
      mkdirSync(nodeDir, { recursive: true });
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', nodeDir, '--cluster-enabled', 'yes'];
      args.push('--cluster-config-file', join(nodeDir, 'nodes.conf'), '--save', '', '--appendonly', 'no');
      children.push(spawn('redis-server', args, { stdio: 'ignore' }));
      ports.push(port);
    }
    for (const port of ports) {
      await waitFor(
        async () => {
          const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
          probe.on('error', () => {});
          try {
            await probe.connect();
            return (await probe.ping()) === 'PONG';
          } finally {
            probe.disconnect();
          }
        },
        { timeoutMs: 10_000, what: `cluster node on port ${port}` },
      );
    }
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    for (const port of ports) await waitFor(() => clusterStateOk(port), { timeoutMs: 20_000, what: `cluster_state:ok on ${port}` });
  } catch (err) {
    await stop();
    throw err;
  }
  return { urls: ports.map((p) => `redis://127.0.0.1:${p}`), ports, stop };
}
