import { resolve } from 'node:path';
import { ConfigError } from '@sluice/core';
import { DEFAULT_PREFIX, isPostgresUrl } from '@sluice/engine';
import type { GlobalOptions } from './context';

export const DEFAULT_DB = './data/sluice.db';
export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

/** Raw global flags as commander parsed them (undefined when not given). */
export interface GlobalFlags {
  db?: string;
  redis?: string;
  prefix?: string;
  verbose?: boolean;
  logFormat?: string;
}

/**
 * Resolves global options with precedence defaults < environment < flags, and reports every
 * problem at once.
 */
export function resolveGlobalOptions(flags: GlobalFlags, env: NodeJS.ProcessEnv, cwd: string): GlobalOptions {
  const problems: string[] = [];
  const logFormat = flags.logFormat ?? env.SLUICE_LOG_FORMAT ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json') problems.push(`--log-format: expected text or json, got ${logFormat}`);
  const redis = flags.redis ?? env.REDIS_URL ?? DEFAULT_REDIS;
  if (!/^rediss?:\/\//.test(redis)) problems.push('--redis: expected a redis:// or rediss:// URL');
  const prefix = flags.prefix ?? env.SLUICE_PREFIX ?? DEFAULT_PREFIX;
  if (!/^[A-Za-z0-9{}_.-]{1,64}$/.test(prefix)) problems.push('--prefix: expected 1-64 characters from A-Z a-z 0-9 { } _ . -');
  const db = flags.db ?? env.SLUICE_DB ?? DEFAULT_DB;
  // The URL may hold a password: the problem never quotes it.
  if (isPostgresUrl(db) && !URL.canParse(db)) problems.push('--db: not a valid postgres:// URL');
  if (problems.length > 0) throw new ConfigError(problems.join('\n'), problems);
  return {
    db: isPostgresUrl(db) ? db : resolve(cwd, db),
    redis,
    prefix,
    verbose: flags.verbose ?? false,
    logFormat: logFormat as 'text' | 'json',
  };
}
