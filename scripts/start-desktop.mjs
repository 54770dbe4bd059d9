// `npm start` (after ensure-built.mjs): better-sqlite3 for the installed Electron prepared once
// (electron-native.mjs), then the Electron window on the built app, handed that build's path.
// What cannot be had offline is said in one line, with the browser alternative.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { electronBinary, prepareSqliteForElectron } from './electron-native.mjs';

const root = resolve(import.meta.dirname, '..');

const binary = electronBinary(root);
if (!binary) {
  console.error(
    "Electron's own program is not installed (its download was skipped or failed): with internet, " +
      'run `node node_modules/electron/install.js` then `npm start`, or use `npm run web`.',
  );
  process.exit(1);
}
const sqlite = prepareSqliteForElectron({ root });
if (sqlite.error) {
  console.error(sqlite.error);
  process.exit(1);
}
const child = spawn(binary, [root, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, LATENT_LAB_SQLITE_BINDING: sqlite.path },
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
