import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

/** Every key name and DUMP value under `prefix` (and BullMQ's `{prefix}` hash tag form), as raw bytes. */
export async function redisBytes(url: string, prefix: string): Promise<{ keys: string[]; bytes: Buffer }> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const names = new Set<string>();
    for (const pattern of [`${prefix}:*`, `*${prefix}*`]) {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const key of found) names.add(key);
      } while (cursor !== '0');
    }
    const parts: Buffer[] = [];
    for (const key of names) {
      parts.push(Buffer.from(key));
      const dumped = await redis.dumpBuffer(key);
      if (dumped) parts.push(dumped);
    }
    return { keys: [...names], bytes: Buffer.concat(parts) };
  } finally {
    redis.disconnect();
  }
}

/** Occurrences of `needle` in `haystack` (bytes). */
export function occurrences(haystack: Buffer | string, needle: string): number {
  const hay = typeof haystack === 'string' ? Buffer.from(haystack) : haystack;
  const pin = Buffer.from(needle);
  let count = 0;
  for (let at = hay.indexOf(pin); at >= 0; at = hay.indexOf(pin, at + 1)) count++;
  return count;
}

/** The bytes of a SQLite file and its `-wal` and `-shm` companions, whichever exist. */
export function sqliteBytes(dbPath: string): Buffer {
  return Buffer.concat(
    [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)),
  );
}

/** Peak resident memory (VmHWM, bytes) of a running process, sampled until it exits. */
export function trackPeakRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = 0;
  const sample = () => {
    try {
      const text = readFileSync(`/proc/${pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+) kB/.exec(text);
      if (match) peak = Math.max(peak, Number(match[1]) * 1024);
    } catch {
      // The process has exited: the last sample stands.
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
