// better-sqlite3 for the installed Electron, prepared once into a cache folder of its own:
// `npm ci` builds it for Node (the CLI, the web shell and the tests use that build, untouched);
// Electron needs one for its own ABI. A prebuilt binary is fetched (prebuild-install, which
// better-sqlite3 itself installs with), else it is built from the package's source (node-gyp
// with Electron's headers). Both need the internet; without it, one line says what is missing.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The installed Electron's version and its Node ABI (node-abi's table, as prebuild-install uses). */
export function installedElectron(root) {
  const pkg = join(root, 'node_modules', 'electron', 'package.json');
  const { version } = JSON.parse(readFileSync(pkg, 'utf8'));
  const { getAbi } = require(require.resolve('node-abi', { paths: [root] }));
  return { version, abi: getAbi(version, 'electron') };
}

/** Electron's own program, or null when its install step could not download it. */
export function electronBinary(root) {
  const dir = join(root, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

/** Where the Electron build of better-sqlite3 for `abi` lives, and its binary. */
export function electronSqliteDir(root, abi) {
  return join(root, 'node_modules', '.cache', 'latent-lab', `electron-${abi}`, 'better-sqlite3');
}
export const bindingIn = (dir) => join(dir, 'build', 'Release', 'better_sqlite3.node');

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status === 0) return;
  const said = `${r.stderr ?? ''}\n${r.stdout ?? ''}`.trim().split('\n');
  // The network's refusal says most; else the first complaint.
  const why =
    said.find((l) => /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo/.test(l)) ??
    said.find((l) => /err|warn|fail/i.test(l)) ??
    said.pop() ??
    '';
  throw new Error(r.error?.message ?? (why.trim() || `${command} exited with ${r.status}`));
}

/** prebuild-install into `dir` (it reads the package.json there and writes build/Release). */
export function fetchPrebuilt(dir, { version }) {
  const bin = require.resolve('prebuild-install/bin.js', { paths: [dir, process.cwd()] });
  run(process.execPath, [bin, '--runtime', 'electron', '--target', version, '--verbose'], dir);
}

/** node-gyp in `dir` (a copy of the package's source) against Electron's headers. */
export function buildFromSource(dir, { version }) {
  // npm names its own node-gyp to the scripts it runs; outside npm, the one it ships with Node.
  const bundled = join(
    dirname(process.execPath),
    process.platform === 'win32' ? '' : '../lib',
    'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  );
  const gyp = process.env.npm_config_node_gyp || (existsSync(bundled) ? bundled : undefined);
  const args = [
    'rebuild',
    '--release',
    '--runtime=electron',
    `--target=${version}`,
    '--dist-url=https://electronjs.org/headers',
  ];
  if (gyp) run(process.execPath, [gyp, ...args], dir);
  else run(process.platform === 'win32' ? 'node-gyp.cmd' : 'node-gyp', args, dir);
}

/**
 * The path of better-sqlite3's binary for the installed Electron: the cached one, or one prepared
 * now (fetched, else built) in a folder of its own, moved into place only when complete, so a
 * failed or interrupted attempt never leaves a broken cache. Returns { path } or { error }.
 */
export function prepareSqliteForElectron({
  root,
  fetch = fetchPrebuilt,
  build = buildFromSource,
  log = (line) => console.log(line),
}) {
  let electron;
  try {
    electron = installedElectron(root);
  } catch (e) {
    return { error: `Cannot tell which Electron is installed (${e.message}): run \`npm ci\`.` };
  }
  const dir = electronSqliteDir(root, electron.abi);
  const path = bindingIn(dir);
  if (existsSync(path)) return { path, electron, cached: true };

  const source = dirname(require.resolve('better-sqlite3/package.json', { paths: [root] }));
  const staging = `${dir}.partial-${process.pid}`;
  const attempts = [];
  const tryIn = (what, prepare, files) => {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    for (const f of files) cpSync(join(source, f), join(staging, f), { recursive: true });
    try {
      prepare(staging, electron);
      if (!existsSync(bindingIn(staging))) throw new Error('no better_sqlite3.node was made');
      return true;
    } catch (e) {
      attempts.push(`${what}: ${String(e.message).split('\n')[0]}`);
      return false;
    }
  };
  log(`Preparing better-sqlite3 for Electron ${electron.version} (ABI ${electron.abi}), once…`);
  const made =
    tryIn('download', fetch, ['package.json']) ||
    tryIn('build', build, ['package.json', 'binding.gyp', 'src', 'deps']);
  if (!made) {
    rmSync(staging, { recursive: true, force: true });
    return {
      electron,
      error:
        `The desktop app needs better-sqlite3 built for Electron ${electron.version} ` +
        `(ABI ${electron.abi}), which could not be downloaded or built here ` +
        `(${attempts.join('; ')}): connect to the internet and run \`npm start\` again, ` +
        'or use the same app in a browser with `npm run web`.',
    };
  }
  rmSync(join(staging, 'build', 'Release', 'obj.target'), { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  renameSync(staging, dir);
  return { path, electron, cached: false };
}
