#!/usr/bin/env node
// The CLI is part of the built app: build it first if the sources changed, then run it.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const root = join(__dirname, '..');
const built = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-built.mjs')], {
  cwd: root,
  encoding: 'utf8',
});
if (built.status !== 0) {
  // The build's own output says why; it is shown only when it failed.
  process.stderr.write(built.stdout + built.stderr);
  console.error('latent-lab: building the app failed');
  process.exit(2);
}
import(pathToFileURL(join(root, 'out', 'main', 'cli.js')).href);
