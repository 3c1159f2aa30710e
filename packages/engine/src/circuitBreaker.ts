import type { BreakerPolicy } from '@sluice/core';
import { sleep } from './sleep';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker over transient errors (5xx, connection errors, timeouts) for one crawl in
 * one process. When at least `failureRatio` of the attempts in the last `windowMs` failed (and
 * there were `minAttempts`), or `consecutiveFailures` failed in a row, it opens: keys wait instead of burning attempts. After a cooldown
 * (1 s, doubling up to `maxOpenMs`) one probe goes through (half-open); its success closes the
 * circuit, its failure opens it again.
 *
 * Attempts are only charged to a key while the circuit is closed: a failure that opens the
 * circuit, or a failed probe, is refunded, so a long outage never moves keys to failed.
 */
export class CircuitBreaker {
  private state: BreakerState = 'closed';
  /** Attempts per 100 ms slot over the window, oldest first: constant work per attempt. */
  private slots: Array<{ slot: number; ok: number; failed: number }> = [];
  private attempts = 0;
  private failures = 0;
  private inARow = 0;
  private openUntil = 0;
  private cooldownMs = 1_000;
  private probing = false;
  private everSucceeded = false;
  private lastReason = '';
  private readonly listeners = new Set<(state: BreakerState) => void>();

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  get current(): BreakerState {
    return this.state;
  }

  /** Epoch ms until which the circuit stays open (0 when closed). */
  get openUntilMs(): number {
    return this.state === 'closed' ? 0 : this.openUntil;
  }

  /** True once any attempt succeeded (the endpoint answered) in this process. */
  get answered(): boolean {
    return this.everSucceeded;
  }

  /** The reason of the last transient failure (already redacted by the caller), or ''. */
  get lastFailure(): string {
    return this.lastReason;
  }

  onChange(listener: (state: BreakerState) => void): void {
    this.listeners.add(listener);
  }

  /**
   * Waits until an attempt may start. Returns true when this attempt is the half-open probe.
   */
  async admit(signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal.aborted || this.state === 'closed') return false;
      const wait = this.openUntil - this.now();
      if (wait > 0) {
        await sleep(wait, signal);
        continue;
      }
      if (!this.probing) {
        this.probing = true;
        this.set('half-open');
        return true;
      }
      await sleep(100, signal);
    }
  }

  /** Records a success; closes the circuit after a successful probe. */
  success(probe: boolean): void {
    this.everSucceeded = true;
    this.record(true);
    this.inARow = 0;
    if (probe || this.state !== 'closed') {
      this.probing = false;
      this.cooldownMs = 1_000;
      this.slots = [];
      this.attempts = 0;
      this.failures = 0;
      this.set('closed');
    }
  }

  /**
   * Records a transient failure (`reason`: its message, kept for outage reports). Returns true when the attempt should be charged to the key
   * (the circuit was and stays closed).
   */
  failure(probe: boolean, reason = ''): boolean {
    if (reason) this.lastReason = reason;
    if (probe || this.state !== 'closed') {
      this.probing = false;
      this.reopen();
      return false;
    }
    this.record(false);
    this.inARow++;
    const storm = this.inARow >= this.policy.consecutiveFailures;
    if (storm || (this.attempts >= this.policy.minAttempts && this.failures / this.attempts >= this.policy.failureRatio)) {
      this.inARow = 0;
      this.cooldownMs = 1_000;
      this.reopen();
      return false;
    }
    return true;
  }

  private reopen(): void {
    this.openUntil = this.now() + this.cooldownMs;
    this.cooldownMs = Math.min(this.policy.maxOpenMs, this.cooldownMs * 2);
    this.set('open');
  }

  private record(ok: boolean): void {
    const slot = Math.floor(this.now() / 100);
    let last = this.slots[this.slots.length - 1];
    if (!last || last.slot !== slot) {
      last = { slot, ok: 0, failed: 0 };
      this.slots.push(last);
      const oldest = slot - Math.ceil(this.policy.windowMs / 100);
      while (this.slots.length > 0 && (this.slots[0] as { slot: number }).slot <= oldest) {
        const gone = this.slots.shift() as { ok: number; failed: number };
        this.attempts -= gone.ok + gone.failed;
        this.failures -= gone.failed;
      }
    }
    if (ok) last.ok++;
    else {
      last.failed++;
      this.failures++;
    }
    this.attempts++;
  }

  private set(state: BreakerState): void {
    if (state === this.state) return;
    this.state = state;
    for (const l of this.listeners) l(state);
  }
}
