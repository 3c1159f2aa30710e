import { withClosing } from '@sluice/core';
import { type Engine, openEngine } from '@sluice/engine';
import type { CommandContext } from './context';

/** Opens the engine with the command's global options; the caller closes it. */
export function engineFor(ctx: CommandContext): Promise<Engine> {
  return openEngine({
    dbPath: ctx.options.db,
    redisUrl: ctx.options.redis,
    redisCluster: ctx.options.redisCluster,
    prefix: ctx.options.prefix,
    env: ctx.env,
    log: ctx.log,
  });
}

/** Runs `fn` with an open engine and always closes it. */
export function withEngine<T>(ctx: CommandContext, fn: (engine: Engine) => Promise<T>): Promise<T> {
  return withClosing(engineFor(ctx), fn);
}
