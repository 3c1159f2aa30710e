import type { CrawlScope, RedisClient } from '@sluice/queue';
import { limiterPauseKey } from './limiterKeys';
import { toError } from './luaScript';

/**
 * Tells this process of the crawl-wide pauses any process sets (see `PAUSE_LUA`). Each
 * extension is announced on the pause key's channel and reported within a round trip; the key
 * is also polled every `pollMs`, for announcements missed while the subscriber reconnects (the
 * poll alone would let a process without rate limits send for up to `pollMs` after another got
 * a 429). The crawl limiter feeds what it reports into its PauseState, the process's one record
 * of the pause. With any rate limit configured the acquire script also checks the pause on every
 * admission, which makes a pause exact across processes; this watch serves the rest (admission
 * without rate limits, the engine's waits before a request, status).
 */
export interface PauseWatch {
  /** Settles once the subscriber listens on the channel, or failed to (then only the poll reports). */
  readonly ready: Promise<void>;
  /** Stops polling and closes the subscriber. */
  stop(): void;
}

export interface PauseWatchOptions {
  redis: RedisClient;
  /** The crawl whose pause is watched. */
  scope: CrawlScope;
  /** Called with epoch ms `untilMs` for each pause still ahead that was announced or polled (repeats are possible). */
  onPause: (untilMs: number) => void;
  /** Called when the subscriber cannot subscribe (the poll goes on). Default: ignored. */
  onSubscribeError?: (err: Error) => void;
  /** Poll interval in ms. Default 100. */
  pollMs?: number;
}

export const PAUSE_POLL_MS = 100;

export function watchPauses(options: PauseWatchOptions): PauseWatch {
  const { redis, onPause } = options;
  const pauseKey = limiterPauseKey(options.scope);
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const pausedUntil = Number(await redis.get(pauseKey));
      if (pausedUntil > Date.now()) onPause(pausedUntil);
    } catch {
      // Redis away: the next poll tries again; nothing to adopt meanwhile.
    } finally {
      polling = false;
    }
  };
  const poller = setInterval(() => void poll(), options.pollMs ?? PAUSE_POLL_MS);
  poller.unref();
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  subscriber.on('message', (channel: string, message: string) => {
    const untilMs = Number(message);
    if (channel === pauseKey && untilMs > Date.now()) onPause(untilMs);
  });
  const ready = subscriber.subscribe(pauseKey).then(
    () => {},
    (err: unknown) => options.onSubscribeError?.(toError(err)),
  );
  return {
    ready,
    stop() {
      clearInterval(poller);
      subscriber.disconnect();
    },
  };
}
