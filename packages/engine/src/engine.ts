import { openStore, type Store } from '@sluice/store';

/** Where log lines go. The CLI decides the format (text or JSON) and the stream. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface EngineConfig {
  /**
   * The ledger: a SQLite file path, or a `postgres://` / `postgresql://` URL (which may hold a
   * password: never print it unredacted; `store.path` is the printable form).
   */
  dbPath: string;
  /** Redis URL (may hold a password: never print it unredacted). */
  redisUrl: string;
  /** Prefix of every Redis key. */
  prefix: string;
  /** Environment that `{env.NAME}` placeholders read. */
  env: NodeJS.ProcessEnv;
  log: Logger;
}

/** The engine: configuration plus the open ledger. Redis connections are opened per use. */
export interface Engine {
  readonly config: EngineConfig;
  readonly store: Store;
  close(): Promise<void>;
}

/**
 * Opens the ledger (applying pending migrations).
 * @throws InfrastructureError when the ledger cannot be reached, opened or migrated.
 */
export async function openEngine(config: EngineConfig): Promise<Engine> {
  const store = await openStore(config.dbPath);
  return { config, store, close: () => store.close() };
}
