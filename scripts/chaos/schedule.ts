import { mulberry32 } from '@sluice/mock-api';
import type { ChaosOptions } from './options';

/** One act of abuse, fired when the ledger first holds `atKeys` finished keys. */
export type ChaosEvent =
  | { kind: 'worker-kill'; atKeys: number; victim: number }
  | { kind: 'producer-kill'; atKeys: number }
  | { kind: 'redis-restart'; atKeys: number }
  | { kind: 'flushall'; atKeys: number };

/**
 * The events are spread evenly over this share of the crawl. It ends well before the producer
 * has enqueued its last batch (the queue holds up to highWater × batchSize keys ahead of the
 * ledger), so a producer kill always finds a producer to kill.
 */
export const FIRST_FRACTION = 0.04;
export const LAST_FRACTION = 0.7;

/**
 * The whole plan, decided up front from the seed: the FLUSHALLs come first, then the kills and
 * Redis restarts in shuffled order, all at evenly spaced progress points; each worker kill
 * gets a victim slot. A FLUSHALL while a killed worker's batches wait for the stalled check
 * would wipe them (they would come back through `resume`, which is not what a kill's recovery
 * measures), and waiting up to 12 s for every kill to recover first would push the rest of
 * the plan past the end of a short crawl; before any kill, it needs no wait.
 */
export function planEvents(options: ChaosOptions): ChaosEvent[] {
  const random = mulberry32(options.seed);
  const kinds: ChaosEvent['kind'][] = [
    ...Array<ChaosEvent['kind']>(options.workerKills).fill('worker-kill'),
    ...Array<ChaosEvent['kind']>(options.producerKills).fill('producer-kill'),
    ...Array<ChaosEvent['kind']>(options.redisRestarts).fill('redis-restart'),
  ];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j] as ChaosEvent['kind'], kinds[i] as ChaosEvent['kind']];
  }
  kinds.unshift(...Array<ChaosEvent['kind']>(options.flushes).fill('flushall'));
  const span = LAST_FRACTION - FIRST_FRACTION;
  return kinds.map((kind, i) => {
    const fraction = kinds.length === 1 ? FIRST_FRACTION : FIRST_FRACTION + (span * i) / (kinds.length - 1);
    const atKeys = Math.max(1, Math.round(fraction * options.keys));
    if (kind === 'worker-kill') return { kind, atKeys, victim: Math.floor(random() * options.workers) };
    return { kind, atKeys };
  });
}
