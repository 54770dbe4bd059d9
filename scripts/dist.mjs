// `npm run dist [-- electron-builder options]`: the installers, by electron-builder. It rebuilds
// better-sqlite3 for Electron inside node_modules (where the packaged app takes it from), which
// would leave the CLI, the web shell and the tests a binary Node cannot load: Node's build is
// made again afterwards, whether the packaging worked or not.
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const run = (cmd, args) =>
  spawnSync(cmd, args, { stdio: 'inherit', shell: process.platform === 'win32' }).status ?? 1;

let status = run(npm, ['run', 'build']);
if (status === 0) status = run(npx, ['tsx', 'scripts/build-mnist.ts']);
if (status === 0)
  status = run(npx, ['electron-builder', '--publish', 'never', ...process.argv.slice(2)]);
const restored = run(npm, ['rebuild', 'better-sqlite3']);
if (restored !== 0)
  console.error('Could not rebuild better-sqlite3 for Node: run `npm rebuild better-sqlite3`.');
process.exit(status || restored);
