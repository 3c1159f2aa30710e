#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `sluice` works from a checkout without a build.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const tsx = require.resolve('tsx/cli', { paths: [__dirname] });
const result = spawnSync(process.execPath, [tsx, join(__dirname, '..', 'src', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
