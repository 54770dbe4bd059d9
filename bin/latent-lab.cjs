#!/usr/bin/env node
// The CLI is part of the built app: build it first if the sources changed, then run it.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const root = join(__dirname, '..');
const built = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-built.mjs')], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (built.status !== 0) {
  console.error('latent-lab: building the app failed; run `npm run build` to see why');
  process.exit(2);
}
import(pathToFileURL(join(root, 'out', 'main', 'cli.js')).href);
