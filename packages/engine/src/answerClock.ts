/** Answers this much slower than usual, counted from the send, mean the request reached the API late. */
export const LATE_BY_MS = 15;

/**
 * The API's typical answer time in this process, as a running average, to tell an answer that
 * reached the API late: one much slower than usual most likely waited on the way there, so its
 * start is re-dated in the shared limiter (see fetchAttempt) and windows measured at the API
 * stay within their limits.
 */
export class AnswerClock {
  // Starts at 0: the first answers are the ones most likely to be late.
  private typical = 0;

  /** The typical answer time so far, in ms. */
  get typicalMs(): number {
    return this.typical;
  }

  /** Counts an answer that came `durationMs` after its send; returns whether it was late. */
  note(durationMs: number): boolean {
    const late = durationMs - this.typical > LATE_BY_MS;
    this.typical += (durationMs - this.typical) * 0.1;
    return late;
  }
}
