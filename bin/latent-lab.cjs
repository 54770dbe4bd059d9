#!/usr/bin/env node
// The CLI is built with the app (npm run build); this file only finds it.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  console.error('latent-lab: the app is not built yet; run `npm run build` first');
  process.exit(2);
}
import(require('node:url').pathToFileURL(cli).href);
