import type { AdaptiveRate } from './adaptiveRate';
import type { CredentialPool, PoolAdmission } from './credentialPool';
import type { Semaphore } from './semaphore';
import type { SharedLimiter } from './sharedLimiter';
import type { SharedStart } from './sharedStart';

/** How an answer feeds the adaptive rate (`limits.perSecond: "auto"`). */
export interface AnswerReport {
  /** The API answered without a throttle signal, after `answerMs`. */
  clean(answerMs: number): void;
  /**
   * The API answered with a throttle signal. `slowing`: the shared rate is cut for it, so a
   * throttle without `Retry-After` needs no pause; `at-floor`: the rate cannot go lower, pause
   * as without an adaptive rate.
   */
  throttled(): 'slowing' | 'at-floor';
}

/** One admitted request. Call `release` once, when it ends (later calls do nothing). */
export interface Admitted {
  /** Ends the request: frees its slot here, its global lease and its credential's lease. */
  release(): void;
  /**
   * Re-dates the request's start to now minus `backdateMs` in the windows that recorded it
   * (the crawl's and its credential's), never earlier than it was: call it when the request
   * reached the API noticeably later than it was admitted. Does nothing when `redates` is false.
   */
  redate(backdateMs: number): void;
  /** False when nothing recorded the start in a window (no rate limit, no pool): the caller may skip watching for late sends. */
  readonly redates: boolean;
  /** The pool credential the request goes out with; undefined without a pool. */
  readonly credential: string | undefined;
  /** With `perSecond: "auto"`, told how the answer went; null otherwise. */
  readonly adaptive: AnswerReport | null;
}

/** What every admitted request of one crawl limiter shares (one object per limiter, not per request). */
export interface AdmissionParts {
  local: Semaphore;
  shared: SharedLimiter;
  pool: CredentialPool | null;
  rate: AdaptiveRate | null;
  /** True when the crawl has a rate limit: its starts are in windows worth re-dating. */
  limited: boolean;
}

/**
 * The one object allocated per admitted request (acquire runs per request, so no closures):
 * it holds what to free and answers for the adaptive rate itself.
 */
export class AdmittedRequest implements Admitted, AnswerReport {
  private released = false;

  constructor(
    private readonly parts: AdmissionParts,
    private readonly start: SharedStart,
    private readonly pooled: PoolAdmission | null,
    /** When it was admitted (epoch ms, this process's clock), for the adaptive rate; 0 without one. */
    private readonly startedAtMs: number,
  ) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    this.start.release();
    this.pooled?.release();
    this.parts.local.release();
  }

  get redates(): boolean {
    return this.parts.limited || this.pooled !== null;
  }

  redate(backdateMs: number): void {
    if (this.parts.limited) void this.parts.shared.touch(this.start, backdateMs);
    if (this.pooled) void this.parts.pool?.touch(this.pooled, backdateMs);
  }

  get credential(): string | undefined {
    return this.pooled?.credential;
  }

  get adaptive(): AnswerReport | null {
    return this.parts.rate ? this : null;
  }

  clean(answerMs: number): void {
    this.parts.rate?.answered(this.startedAtMs, 'clean', answerMs);
  }

  throttled(): 'slowing' | 'at-floor' {
    const rate = this.parts.rate;
    if (!rate) return 'at-floor';
    rate.answered(this.startedAtMs, 'throttled', 0);
    return rate.atFloor ? 'at-floor' : 'slowing';
  }
}
