import { InfrastructureError, redactUrl } from '@sluice/core';
import { Redis } from 'ioredis';

/**
 * Redis connections. Long-lived clients (workers, producer) retry forever with a capped
 * backoff and keep commands queued while Redis is away, so a Redis restart pauses the crawl
 * instead of killing the process. `maxRetriesPerRequest: null` is what BullMQ requires.
 */
export function createRedis(url: string, name = 'sluice'): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
}

/**
 * Checks that Redis answers, within `timeoutMs`. Used at start so a user sees one clear error
 * instead of a process that waits forever.
 */
export async function pingRedis(url: string, timeoutMs = 2000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Throws an InfrastructureError naming the (redacted) URL when Redis does not answer. */
export async function assertRedis(url: string, timeoutMs = 2000): Promise<void> {
  if (!(await pingRedis(url, timeoutMs))) {
    throw new InfrastructureError(`Redis at ${redactUrl(url)} does not answer`);
  }
}
