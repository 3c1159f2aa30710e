/**
 * Whether the crawl's BullMQ queue is paused (a pause made with a BullMQ tool, such as
 * bull-board's button, holds requests too). Read in the background, one read at a time, so the
 * monitor never waits on Redis for it; `paused` is the last answer.
 */
export class QueuePauseReader {
  paused = false;
  private reading = false;

  constructor(private readonly queue: { isPaused(): Promise<boolean> }) {}

  /** Starts a read unless one is under way. */
  read(): void {
    if (this.reading) return;
    this.reading = true;
    this.queue
      .isPaused()
      .then((paused) => {
        this.paused = paused;
      })
      .catch(() => {})
      .finally(() => {
        this.reading = false;
      });
  }
}
