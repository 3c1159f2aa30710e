import { toError } from '@sluice/core';
import type { BatchQueue, ProducerLease } from '@sluice/queue';
import type { Store } from '@sluice/store';
import type { Logger } from './engine';
import type { LoadedCrawl } from './loadCrawl';
import { createProducer } from './producer';
import { sleep } from './sleep';

export interface ProducerLoopOptions {
  store: Store;
  queue: BatchQueue;
  crawl: LoadedCrawl;
  lease: ProducerLease;
  signal: AbortSignal;
  log: Logger;
  /** Stop once the cursor passes the end (for `enqueue`), instead of watching for resets. Default false. */
  untilEnqueued?: boolean;
  /** How often to look at the queue depth while holding the lease. Default 50. */
  pollMs?: number;
}

/**
 * Keeps the crawl's queue topped up while this process holds the producer lease. Survives
 * Redis errors (logs and retries) so a Redis restart does not end the crawl.
 */
export async function runProducerLoop(options: ProducerLoopOptions): Promise<void> {
  const { signal, lease, log } = options;
  const producer = createProducer(options.store, options.queue, options.crawl);
  let lastLeaseCheck = 0;
  let holding = false;
  try {
    while (!signal.aborted) {
      try {
        if (Date.now() - lastLeaseCheck > 2_000 || !holding) {
          holding = await lease.tryHold();
          lastLeaseCheck = Date.now();
        }
        if (!holding) {
          await sleep(1_000, signal);
          continue;
        }
        const state = await producer.fill();
        if (state === 'done' && options.untilEnqueued) return;
        await sleep(state === 'done' ? 500 : (options.pollMs ?? 50), signal);
      } catch (err) {
        log.warn(`producer: ${toError(err).message}; retrying`);
        await sleep(1_000, signal);
      }
    }
  } finally {
    if (holding) await lease.release().catch(() => {});
  }
}
