import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InfrastructureError, redactUrl } from '@sluice/core';
import { isPostgresUrl, pingRedis } from '@sluice/engine';
import type { CommandContext } from './context';
import { DEFAULT_REDIS } from './globalOptions';

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure Redis answers. When nobody configured Redis (default URL) and none runs, but
 * `redis-server` is installed, start a managed one beside the database (AOF on, so queued work
 * survives its restart) and say so. Otherwise fail with both fixes.
 * @throws InfrastructureError (exit 3) when no Redis can be had.
 */
export async function ensureRedis(ctx: CommandContext): Promise<void> {
  const url = ctx.options.redis;
  if (await pingRedis(url, 1500)) return;
  const explain = `Redis at ${redactUrl(url)} does not answer. Start one (e.g. \`redis-server\`, or \`apt-get install redis-server\`) or point --redis / REDIS_URL at yours.`;
  if (url !== DEFAULT_REDIS || !hasRedisServer()) throw new InfrastructureError(explain);
  // Beside the SQLite file; with a PostgreSQL ledger, in ./data like the default file.
  const dir = isPostgresUrl(ctx.options.db) ? join(ctx.cwd, 'data', 'redis') : join(dirname(ctx.options.db), 'redis');
  mkdirSync(dir, { recursive: true });
  const started = spawnSync(
    'redis-server',
    [
      '--port',
      '6379',
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--daemonize',
      'yes',
      '--pidfile',
      join(dir, 'redis.pid'),
      '--logfile',
      join(dir, 'redis.log'),
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore' },
  );
  if (started.status !== 0) throw new InfrastructureError(explain);
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (await pingRedis(url, 500)) {
      ctx.log.info(`started a managed Redis on 127.0.0.1:6379 (data in ${dir}, AOF on); stop it with \`redis-cli shutdown\``);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new InfrastructureError(`${explain} (a managed redis-server was started but does not answer; see ${join(dir, 'redis.log')})`);
}
