/**
 * What `--db` / `SLUICE_DB` names: a PostgreSQL URL or a SQLite file path. A URL may carry a
 * password; only `describeLedger` output is ever printed, logged or put in an error.
 */

/** True for `postgres://` and `postgresql://` URLs (the PostgreSQL ledger). */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** Where a PostgreSQL URL points, without credentials or query: `host:port/database`. */
export interface PostgresPlace {
  host: string;
  port: number;
  database: string;
  user: string;
}

export function postgresPlace(url: string): PostgresPlace {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { host: '?', port: 5432, database: '?', user: '' };
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres';
  return {
    host: parsed.hostname || 'localhost',
    port: parsed.port ? Number(parsed.port) : 5432,
    database,
    user: decodeURIComponent(parsed.username),
  };
}

/**
 * The ledger as it may be shown anywhere: a SQLite path unchanged, a PostgreSQL URL as
 * `postgres://user@host:port/database` (no password, no query parameters, which may hold one).
 */
export function describeLedger(target: string): string {
  if (!isPostgresUrl(target)) return target;
  const p = postgresPlace(target);
  return `postgres://${p.user ? `${encodeURIComponent(p.user)}@` : ''}${p.host}:${p.port}/${encodeURIComponent(p.database)}`;
}
