import { type Engine, openEngine } from '@sluice/engine';
import type { CommandContext } from './context';

/** Opens the engine with the command's global options; the caller closes it. */
export function engineFor(ctx: CommandContext): Promise<Engine> {
  return openEngine({ dbPath: ctx.options.db, redisUrl: ctx.options.redis, prefix: ctx.options.prefix, env: ctx.env, log: ctx.log });
}

/** Runs `fn` with an open engine and always closes it. */
export async function withEngine<T>(ctx: CommandContext, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await engineFor(ctx);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
