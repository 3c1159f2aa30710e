import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * Several "hosts" on one machine for tests: a Linux bridge in the root network namespace is
 * the network and the root namespace is the hub (services listen on the bridge address);
 * each worker host is a network namespace joined to the bridge by a veth pair. Processes run
 * "on" a host through `ip netns exec`; cutting a host's link leaves its processes running but
 * unreachable, as a pulled cable does. Needs root and iproute2 (`ip`).
 *
 * Names carry a random suffix per network (interface names are at most 15 characters), and
 * the subnet `10.231.<n>.0/24` is one no interface of the machine uses yet, so concurrent
 * test runs never meet. `destroy` removes every namespace, link and bridge it made, and is
 * safe to call after a half-built setup.
 */

/** One worker host. */
export interface NetnsHost {
  /** Network namespace name. */
  readonly name: string;
  /** The host's address on the test network. */
  readonly address: string;
  /**
   * Starts `command` on this host in its own process group (`setsid`), so `killGroup` ends it
   * and everything it started.
   */
  spawn(command: string, args: readonly string[], options?: { env?: NodeJS.ProcessEnv; cwd?: string }): ChildProcess;
  /**
   * Runs a command on this host to completion (killed after `timeoutMs`, default 10000);
   * resolves with its exit status and output. Asynchronous, so a server in this process (the
   * mock API) can answer it.
   */
  run(command: string, args: readonly string[], timeoutMs?: number): Promise<{ status: number | null; stdout: string; stderr: string }>;
  /** Takes the host's link down (`ip link set eth0 down` inside the namespace). */
  cutLink(): void;
}

export interface TestNetwork {
  /** The hub's address (the bridge's, in the root namespace): bind services here. */
  readonly hubAddress: string;
  /** The prefix length of the test network (24). */
  readonly prefixLength: number;
  readonly hosts: readonly NetnsHost[];
  /** Removes every namespace, veth and the bridge. Never throws. */
  destroy(): void;
}

/** Why network-namespace tests cannot run here, or null when they can (root and `ip` present). */
export function netnsUnavailable(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root (ip netns)';
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) return 'needs iproute2 (`ip`)';
  return null;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A third octet for 10.231.<n>.0/24 that no address of the machine uses. */
function freeSubnetOctet(): number {
  const used = execFileSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' });
  for (let tries = 0; tries < 50; tries++) {
    const n = 1 + (randomBytes(1).readUInt8(0) % 250);
    if (!used.includes(`10.231.${n}.`)) return n;
  }
  throw new Error('no free 10.231.x.0/24 subnet for the test network');
}

/** Kills a process group by pid (the group leader's pid), ignoring one that is gone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Builds a test network with `hostCount` worker hosts. The caller must `destroy()` it in a
 * `finally`; on a failure while building, what was made is removed before the error is thrown.
 */
export function createTestNetwork(hostCount: number): TestNetwork {
  const tag = randomBytes(3).toString('hex');
  const octet = freeSubnetOctet();
  const bridge = `slb${tag}`;
  const hubAddress = `10.231.${octet}.1`;
  const namespaces: string[] = [];
  let bridgeMade = false;
  const destroy = () => {
    for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    if (bridgeMade) spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    bridgeMade = true;
    ip('addr', 'add', `${hubAddress}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    const hosts: NetnsHost[] = [];
    for (let i = 1; i <= hostCount; i++) {
      const ns = `sl${tag}w${i}`;
      const hostEnd = `sl${tag}h${i}`;
      const nsEnd = `sl${tag}n${i}`;
      const address = `10.231.${octet}.${10 + i}`;
      ip('netns', 'add', ns);
      namespaces.push(ns);
      ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd);
      ip('link', 'set', hostEnd, 'master', bridge);
      ip('link', 'set', hostEnd, 'up');
      ip('link', 'set', nsEnd, 'netns', ns);
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', nsEnd, 'name', 'eth0');
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'eth0', 'up');
      hosts.push({
        name: ns,
        address,
        spawn: (command, args, options = {}) =>
          spawn('ip', ['netns', 'exec', ns, command, ...args], {
            detached: true,
            cwd: options.cwd,
            env: { ...process.env, ...options.env },
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        run: (command, args, timeoutMs = 10_000) =>
          new Promise((resolve) => {
            execFile('ip', ['netns', 'exec', ns, command, ...args], { encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
              const status = err ? (typeof err.code === 'number' ? err.code : null) : 0;
              resolve({ status, stdout, stderr });
            });
          }),
        cutLink: () => ip('netns', 'exec', ns, 'ip', 'link', 'set', 'eth0', 'down'),
      });
    }
    return { hubAddress, prefixLength: 24, hosts, destroy };
  } catch (err) {
    destroy();
    throw err;
  }
}
