// Builds the app (electron-vite build) only when a source is newer than the build, so
// `npm run web` starts at once on a built checkout and never serves a stale one.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const inputs = ['src', 'resources', 'electron.vite.config.ts', 'package.json', 'package-lock.json'];
const outputs = [
  'out/main/web.js',
  'out/main/cli.js',
  'out/main/worker.js',
  'out/main/index.js',
  'out/renderer/index.html',
];

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, f) => Math.max(m, newest(join(path, f))), s.mtimeMs);
}

const stale =
  outputs.some((f) => !existsSync(f)) ||
  Math.max(...inputs.filter(existsSync).map(newest)) >
    Math.min(...outputs.map((f) => statSync(f).mtimeMs));
if (stale) {
  const r = spawnSync(
    process.execPath,
    ['node_modules/electron-vite/bin/electron-vite.js', 'build'],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}
