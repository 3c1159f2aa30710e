#!/usr/bin/env node
// The `sluice` command. Runs the bundled build (dist/sluice.cjs), rebuilding it first when any
// source of the workspace is newer, so a checkout always runs its current code.
const { readdirSync, statSync } = require('node:fs');
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

async function start() {
  const sources = ['apps', 'packages'].map((top) => newestSource(join(workspace, top)));
  if (builtAt() < Math.max(...sources)) await require('../scripts/bundle.cjs').bundle();
  require(dist).runMain(process.argv);
}

start().catch((err) => {
  process.stderr.write(`sluice: cannot start: ${err.stack ?? err}\n`);
  process.exit(3);
});
