#!/usr/bin/env node
// Installs the workspace's dependencies with the settings a plain `pnpm install` lacks.
// better-sqlite3 is a native addon: with no prebuilt binary to download (no internet, or an
// unusual platform) node-gyp compiles it, and without `npm_config_nodedir` node-gyp first
// tries to download Node's headers. Where the headers are installed locally (Debian's nodejs
// package puts them in /usr/include/node), build against them. pnpm only honours this
// through the environment, which is why `verifyDepsBeforeRun: false` in pnpm-workspace.yaml
// stops `pnpm <script>` from installing on its own, without it.
// Up to date, this takes about a second; `pnpm test` and `pnpm quickstart` both start here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function installDependencies() {
  const env = { ...process.env };
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const result = spawnSync('pnpm', ['install', '--frozen-lockfile', '--reporter', 'append-only'], { stdio: 'inherit', env, cwd: root });
  return result.status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exit(installDependencies());
