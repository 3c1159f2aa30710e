import { createHash } from 'node:crypto';
import type { RedisClient } from '@sluice/queue';

/** A Lua script run by its SHA1, loaded by a plain EVAL when Redis does not know it yet. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * EVALSHA, falling back to EVAL (which also caches the script) on NOSCRIPT: after a Redis
 * restart or SCRIPT FLUSH the first call of each script pays one extra round trip.
 */
export async function runScript(
  redis: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return await redis.eval(script.source, keys.length, ...keys, ...args);
  }
}

/** Redis replies that mean "try again later" rather than "this call is wrong". */
const TRANSIENT_REPLIES = ['LOADING', 'BUSY', 'READONLY', 'MASTERDOWN', 'TRYAGAIN', 'CLUSTERDOWN', 'OOM', 'NOREPLICAS'];

/**
 * True for errors worth waiting out: a lost connection, a command given up after retries, or a
 * Redis reply saying it is busy, loading or failing over. A script or type error is a bug or
 * a clobbered key, which retrying cannot fix.
 */
export function isTransientRedisError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name !== 'ReplyError') return true;
  return TRANSIENT_REPLIES.some((code) => err.message.startsWith(code));
}

/** Catch `unknown`, keep an `Error`. */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err), { cause: err });
}
