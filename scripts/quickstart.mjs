#!/usr/bin/env node
// `pnpm quickstart`: install dependencies (see install.mjs for why not a plain install), then
// run the demo crawl.
import { spawnSync } from 'node:child_process';
import { installDependencies } from './install.mjs';

const installed = installDependencies();
if (installed !== 0) process.exit(installed);
const demo = spawnSync('pnpm', ['demo'], { stdio: 'inherit' });
process.exit(demo.status ?? 1);
