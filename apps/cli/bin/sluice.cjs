#!/usr/bin/env node
// The `sluice` command: loads the bundled build, dist/sluice.cjs (`pnpm build` makes it).
//
// In a development checkout it first rebuilds the bundle when a workspace source is newer, so
// `sluice` always runs the code you see. That takes esbuild, a dev dependency, so the rebuild
// happens only where esbuild resolves from here. Anywhere else (an install without dev
// dependencies, a Docker image) the bundle is used as it is, and a missing bundle is reported
// with the command that builds it. The bundle's runtime needs (the better-sqlite3 addon) are
// dependencies of this package and resolve from dist/ like from any file of it. The script is
// found through symlinks (a global link) because Node resolves a main script's real path.
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const workspace = join(__dirname, '..', '..', '..');
const dist = join(__dirname, '..', 'dist', 'sluice.cjs');

function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith('.ts') || entry.name === 'package.json') newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(dist).mtimeMs;
  } catch {
    return 0;
  }
}

/** True in a checkout with dev dependencies: the sources and esbuild are both here. */
function canBuild() {
  if (!existsSync(join(__dirname, '..', 'src', 'main.ts'))) return false;
  try {
    require.resolve('esbuild', { paths: [__dirname] });
    return true;
  } catch {
    return false;
  }
}

async function start() {
  if (canBuild()) {
    const sources = ['apps', 'packages'].map((top) => newestSource(join(workspace, top)));
    if (builtAt() < Math.max(...sources)) await require('../scripts/bundle.cjs').bundle();
  } else if (!existsSync(dist)) {
    process.stderr.write(
      `sluice: the bundled build ${dist} is missing and cannot be made here (esbuild, a dev dependency, is not installed).\n` +
        'Build it in a checkout with dev dependencies: pnpm install && pnpm build\n',
    );
    process.exit(3);
  }
  require(dist).runMain(process.argv);
}

start().catch((err) => {
  process.stderr.write(`sluice: cannot start: ${err.stack ?? err}\n`);
  process.exit(3);
});
