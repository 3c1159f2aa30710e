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
 * Tells whether a process is past its start-up Redis check: it holds a connection to Redis
 * that has lived for a second (start-up pings last milliseconds; the long-lived clients are
 * created only after them). Falls back to the process's age where /proc is not available.
 */
export class RedisConnectionWatch {
  private readonly firstSeen = new Map<string, number>();
  private readonly procAvailable = safeExists('/proc/net/tcp');

  constructor(private readonly redisPort: number) {}

  /** Call every tick while waiting; true once `pid` holds a settled Redis connection. */
  settled(pid: number, startedAt: number): boolean {
    const now = Date.now();
    if (!this.procAvailable) return now - startedAt >= 10_000;
    const toRedis = establishedTo(this.redisPort);
    let oldest = now;
    for (const inode of socketsOf(pid)) {
      if (!toRedis.has(inode)) continue;
      const key = `${pid}:${inode}`;
      const seen = this.firstSeen.get(key) ?? now;
      this.firstSeen.set(key, seen);
      oldest = Math.min(oldest, seen);
    }
    return now - oldest >= SETTLED_AFTER_MS;
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
