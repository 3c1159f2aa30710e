#!/usr/bin/env node
// `pnpm quickstart`: install dependencies, then run the demo crawl.
// better-sqlite3 is a native addon. Where Node's headers are installed locally (Debian's
// nodejs package puts them in /usr/include/node), build against them instead of downloading
// headers: pnpm only honours this through the environment.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { ...process.env };
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
for (const args of [['install', '--frozen-lockfile'], ['demo']]) {
  const result = spawnSync('pnpm', args, { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
