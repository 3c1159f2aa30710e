import type { Writable } from 'node:stream';
import type { Logger } from '@sluice/engine';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** Aborted on the first SIGINT/SIGTERM. */
  signal: AbortSignal;
}

/** Global options, after defaults < environment < flags. */
export interface GlobalOptions {
  /**
   * The ledger: a SQLite file, or a `postgres://` / `postgresql://` URL (may hold a password:
   * print `describeLedger(db)` only). Env `SLUICE_DB`. Default `./data/sluice.db`.
   */
  db: string;
  /** Redis URL. Env `REDIS_URL`. Default `redis://127.0.0.1:6379`. */
  redis: string;
  /** Prefix of every Redis key. Env `SLUICE_PREFIX`. Default `sluice`. */
  prefix: string;
  /** Show stacks on errors. */
  verbose: boolean;
  /** `text` (default) or `json` log lines on stderr. Env `SLUICE_LOG_FORMAT`. */
  logFormat: 'text' | 'json';
}

export type CommandContext = CliContext & { options: GlobalOptions; log: Logger };
