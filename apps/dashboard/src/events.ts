import type { ServerResponse } from 'node:http';

/**
 * Server-Sent Events to every open page: one status read per tick, whatever the number of
 * pages, and no timer at all while nobody watches. A tick that is still reading (slow Redis)
 * is not overlapped by the next one.
 */
export interface EventHub {
  /** Starts streaming to `res` (headers written here); it leaves when the connection closes. */
  add(res: ServerResponse): void;
  /** Ends every stream and stops the timer. */
  close(): void;
  readonly clients: number;
}

export function createEventHub(read: () => Promise<unknown>, intervalMs: number, onError: (err: unknown) => void): EventHub {
  const clients = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | null = null;
  let busy = false;

  const send = (res: ServerResponse, frame: string) => {
    // A client that does not keep up skips frames instead of buffering them without bound.
    if (!res.writableNeedDrain) res.write(frame);
  };
  const tick = async () => {
    if (busy || clients.size === 0) return;
    busy = true;
    try {
      const frame = `event: status\ndata: ${JSON.stringify(await read())}\n\n`;
      for (const res of clients) send(res, frame);
    } catch (err) {
      onError(err);
    } finally {
      busy = false;
    }
  };
  const stopTimerIfIdle = () => {
    if (clients.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };

  return {
    add(res) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
      });
      res.write('retry: 2000\n\n');
      clients.add(res);
      res.on('close', () => {
        clients.delete(res);
        stopTimerIfIdle();
      });
      if (timer === null) timer = setInterval(() => void tick(), intervalMs);
      void tick();
    },
    close() {
      for (const res of clients) res.end();
      clients.clear();
      stopTimerIfIdle();
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
    get clients() {
      return clients.size;
    },
  };
}
