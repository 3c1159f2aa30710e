import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A connection seen for this long is a process's own client, not a start-up ping. */
const SETTLED_AFTER_MS = 1_000;

/** Inodes of ESTABLISHED TCP sockets whose remote port is `port` (Linux /proc). */
function establishedTo(port: number): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
      if (cols[2]?.endsWith(`:${hexPort}`) && cols[3] === '01' && cols[9]) inodes.add(cols[9]);
    }
  }
  return inodes;
}

/** Socket inodes a process holds open. */
function socketsOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // fd closed while listing
    }
  }
  return inodes;
}

/**
 * Tells whether a process is past its start-up: it holds a connection to Redis that has lived
 * for a second. Start-up pings last milliseconds; a `sluice` process creates its long-lived
 * Redis clients only after its start-up checks, once the engine is open. Falls back to the
 * process's age (10 s) where /proc is not available.
 */
export class RedisConnectionWatch {
  private readonly firstSeen = new Map<string, number>();
  private readonly settledPids = new Set<number>();
  private readonly procAvailable = safeExists('/proc/net/tcp');

  constructor(private readonly redisPort: number) {}

  /** Looks at every live process; call it every tick so connection ages accumulate. */
  observe(procs: readonly { pid: number; startedAt: number }[]): void {
    const now = Date.now();
    this.settledPids.clear();
    const toRedis = this.procAvailable ? establishedTo(this.redisPort) : new Set<string>();
    for (const { pid, startedAt } of procs) {
      if (!this.procAvailable) {
        if (now - startedAt >= 10_000) this.settledPids.add(pid);
        continue;
      }
      for (const inode of socketsOf(pid)) {
        if (!toRedis.has(inode)) continue;
        const key = `${pid}:${inode}`;
        const seen = this.firstSeen.get(key) ?? now;
        this.firstSeen.set(key, seen);
        if (now - seen >= SETTLED_AFTER_MS) this.settledPids.add(pid);
      }
    }
  }

  /** True when the last `observe` found `pid` settled. */
  settled(pid: number): boolean {
    return this.settledPids.has(pid);
  }
}

function safeExists(path: string): boolean {
  try {
    readFileSync(path);
    return true;
  } catch {
    return false;
  }
}
