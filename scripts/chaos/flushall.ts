import { connect } from 'node:net';

/**
 * Sends FLUSHALL to the Redis at `url` over a plain socket (RESP), so the script needs no Redis
 * client of its own. Resolves on `+OK`.
 * @throws Error on any other answer, a socket error or after `timeoutMs`.
 */
export function flushAll(url: string, timeoutMs = 5_000): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    let answer = '';
    const finish = (err?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`FLUSHALL: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('error', (err) => finish(new Error(`FLUSHALL: ${err.message}`, { cause: err })));
    socket.on('connect', () => socket.write('*1\r\n$8\r\nFLUSHALL\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (!answer.includes('\r\n')) return;
      if (answer.startsWith('+OK')) finish();
      else finish(new Error(`FLUSHALL answered ${answer.trim()}`));
    });
  });
}
