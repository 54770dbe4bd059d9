/**
 * `npm start`'s native-module step (scripts/electron-native.mjs) with its download and build
 * replaced by stubs: the ABI comes from the installed Electron, a cached build is reused, a
 * missing one is prepared once, and offline it says in one line what is missing.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  existsSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bindingIn,
  electronSqliteDir,
  installedElectron,
  prepareSqliteForElectron,
  type Prepare,
} from '../../scripts/electron-native.mjs';

const repo = resolve(__dirname, '../..');
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A checkout with an installed Electron of `version` and the real better-sqlite3 and node-abi. */
function checkout(version: string): string {
  const root = mkdtempSync(join(tmpdir(), 'latent-lab-native-'));
  roots.push(root);
  mkdirSync(join(root, 'node_modules', 'electron'), { recursive: true });
  writeFileSync(
    join(root, 'node_modules', 'electron', 'package.json'),
    JSON.stringify({ name: 'electron', version }),
  );
  // The packages it resolves are the repository's (symlinked, not copied).
  for (const pkg of ['node-abi', 'better-sqlite3'])
    symlink(join(repo, 'node_modules', pkg), join(root, 'node_modules', pkg));
  return root;
}
const symlink = (target: string, path: string) => symlinkSync(target, path, 'dir');

/** A stub that "downloads" a binary as prebuild-install would, counting its calls. */
function stubFetch(): Prepare & { calls: { dir: string; version: string; source: boolean }[] } {
  const calls: { dir: string; version: string; source: boolean }[] = [];
  const fetch = ((dir, electron) => {
    calls.push({ dir, version: electron.version, source: existsSync(join(dir, 'binding.gyp')) });
    // prebuild-install reads the package's own package.json in the folder it is run in.
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name).toBe('better-sqlite3');
    mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
    writeFileSync(bindingIn(dir), `electron ${electron.abi}`);
  }) as Prepare & { calls: typeof calls };
  fetch.calls = calls;
  return fetch;
}
const offline: Prepare = () => {
  throw new Error('prebuild-install warn install getaddrinfo ENOTFOUND github.com');
};
const silent = () => {};

describe('better-sqlite3 for Electron', () => {
  it('reads the ABI from the installed Electron’s version', () => {
    expect(installedElectron(checkout('38.8.6'))).toEqual({ version: '38.8.6', abi: '139' });
    expect(installedElectron(checkout('37.2.0'))).toEqual({ version: '37.2.0', abi: '136' });
    // And from this checkout's own Electron.
    const own = JSON.parse(readFileSync(join(repo, 'node_modules/electron/package.json'), 'utf8'));
    expect(installedElectron(repo).version).toBe(own.version);
  });

  it('prepares a missing build once, into its own cache folder, then reuses it', () => {
    const root = checkout('38.8.6');
    const fetch = stubFetch();
    const build = stubFetch();
    const nodeBuild = join(repo, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    const nodeBuildBefore = statSync(nodeBuild).mtimeMs;

    const first = prepareSqliteForElectron({ root, fetch, build, log: silent });
    const dir = electronSqliteDir(root, '139');
    expect(first).toMatchObject({ path: bindingIn(dir), cached: false });
    expect(dir).toBe(join(root, 'node_modules/.cache/latent-lab/electron-139/better-sqlite3'));
    expect(readFileSync(first.path!, 'utf8')).toBe('electron 139');
    expect(fetch.calls).toHaveLength(1);
    expect(fetch.calls[0].version).toBe('38.8.6');
    expect(build.calls).toHaveLength(0);

    const second = prepareSqliteForElectron({ root, fetch, build, log: silent });
    expect(second).toMatchObject({ path: first.path, cached: true });
    expect(fetch.calls).toHaveLength(1);
    // The Node build the CLI and the tests use is never touched.
    expect(statSync(nodeBuild).mtimeMs).toBe(nodeBuildBefore);
    // Another Electron is another ABI, another folder.
    const newer = checkout('37.2.0');
    expect(prepareSqliteForElectron({ root: newer, fetch, build, log: silent }).path).toContain(
      'electron-136',
    );
  });

  it('builds from source when no prebuilt binary can be had', () => {
    const root = checkout('38.8.6');
    const build = stubFetch();
    const r = prepareSqliteForElectron({ root, fetch: offline, build, log: silent });
    expect(r.cached).toBe(false);
    expect(build.calls).toHaveLength(1);
    // The build gets the package's source to compile.
    expect(build.calls[0].source).toBe(true);
  });

  it('offline: one line saying what is missing and suggesting npm run web, and no cache left', () => {
    const root = checkout('38.8.6');
    const logged: string[] = [];
    const r = prepareSqliteForElectron({
      root,
      fetch: offline,
      build: () => {
        throw new Error('gyp ERR! stack Error: getaddrinfo ENOTFOUND electronjs.org');
      },
      log: (l) => logged.push(l),
    });
    expect(r.path).toBeUndefined();
    expect(r.error).not.toContain('\n');
    expect(r.error).toMatch(/better-sqlite3 built for Electron 38\.8\.6 \(ABI 139\)/);
    expect(r.error).toContain('ENOTFOUND github.com');
    expect(r.error).toContain('`npm run web`');
    expect(existsSync(bindingIn(electronSqliteDir(root, '139')))).toBe(false);
    // A stub that "succeeds" without making a binary is a failure too.
    const r2 = prepareSqliteForElectron({ root, fetch: () => {}, build: () => {}, log: silent });
    expect(r2.error).toContain('no better_sqlite3.node was made');
  });

  it('without an installed Electron, says to install', () => {
    const root = mkdtempSync(join(tmpdir(), 'latent-lab-native-'));
    roots.push(root);
    expect(prepareSqliteForElectron({ root, log: silent }).error).toMatch(/npm ci/);
  });
});
