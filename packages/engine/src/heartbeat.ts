import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type CrawlScope, type RedisClient, removeHeartbeat, type WorkerInfo, writeHeartbeat } from '@sluice/queue';

/** Heartbeat renewal; its TTL in Redis (HEARTBEAT_TTL_MS, 4 s) lets three renewals go missing. */
const HEARTBEAT_EVERY_MS = 1_000;

/** What a beat reports about the work, read at each beat. */
export type HeartbeatFigures = Pick<WorkerInfo, 'finished' | 'inFlight' | 'breaker' | 'throttledUntil' | 'ledgerError' | 'outageSince'>;

/**
 * This worker's heartbeat in Redis, which `status` lists: renewed about every second
 * (`beatIfDue`, from the monitor) and at once on a change status should show without waiting
 * (`beat`). A beat that fails is dropped: the next one follows within a second.
 */
export class Heartbeat {
  readonly workerId = randomUUID();
  private lastBeatAt = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly scope: CrawlScope,
    private readonly startedAt: number,
    private readonly figures: () => HeartbeatFigures,
  ) {}

  /** Beats when the last beat is a renewal period old. */
  beatIfDue(): void {
    if (Date.now() - this.lastBeatAt >= HEARTBEAT_EVERY_MS) this.beat();
  }

  /** Beats now. */
  beat(): void {
    this.lastBeatAt = Date.now();
    const info: WorkerInfo = {
      id: this.workerId,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      ...this.figures(),
      beatAt: Date.now(),
    };
    void writeHeartbeat(this.redis, this.scope, info).catch(() => {});
  }

  /** Takes the worker out of status at once, rather than when its last beat expires. */
  remove(): Promise<void> {
    return removeHeartbeat(this.redis, this.scope, this.workerId);
  }
}
