import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './redis';

/** A PostgreSQL cluster of a test's own (trust auth, user `postgres`), stopped by `stop`. */
export interface OwnPostgres {
  readonly host: string;
  readonly port: number;
  /** `postgres://postgres@<host>:<port>/<database>`. */
  url(database?: string): string;
  /** `pg_ctl stop -m immediate` (waits), as the `postgres` user: every connection drops at once, as in a crash. */
  stop(): void;
  /** Starts the stopped server again on the same port and data (crash recovery runs first). */
  start(): void;
}

/** The numeric uid and gid of the `postgres` user, which initdb and the server must run as. */
function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function asPostgres(command: string, args: readonly string[], timeoutMs: number): string {
  const r = spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')], {
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (r.status !== 0) throw new Error(`${command} failed (${r.status}): ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * Starts a private PostgreSQL cluster in `dir` listening on `host` (an address of a test
 * network, or 127.0.0.1) on a free port, with trust auth for `clientCidr` (the test network).
 * PostgreSQL refuses to run as root, so initdb and pg_ctl run as the `postgres` user (the
 * caller must be root, or that user). Takes a few seconds; stop it in a `finally`.
 */
export async function startPostgresServer(dir: string, options: { host: string; clientCidr: string }): Promise<OwnPostgres> {
  const port = await freePort();
  const dataDir = join(dir, 'pgdata');
  mkdirSync(dataDir, { recursive: true });
  const { uid, gid } = postgresIds();
  chownSync(dir, uid, gid);
  chownSync(dataDir, uid, gid);
  asPostgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync'], 60_000);
  writeFileSync(
    join(dataDir, 'pg_hba.conf'),
    `local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ${options.clientCidr} trust\n`,
  );
  const serverOptions = `-p ${port} -k ${dataDir} -c listen_addresses=${options.host} -c fsync=off -c max_connections=200`;
  const start = () =>
    asPostgres('pg_ctl', ['-D', dataDir, '-o', serverOptions, '-l', join(dataDir, 'server.log'), '-w', '-t', '60', 'start'], 90_000);
  start();
  let stopped = false;
  return {
    host: options.host,
    port,
    url: (database = 'postgres') => `postgres://postgres@${options.host}:${port}/${database}`,
    stop: () => {
      if (stopped) return;
      stopped = true;
      asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], 60_000);
    },
    start: () => {
      if (!stopped) return;
      start();
      stopped = false;
    },
  };
}
