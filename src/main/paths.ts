/** Where things are, for every shell: the built app lives in out/, resources next to it. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const productName = 'Latent Lab';

/** Paths of the built app, given the folder of the running out/main/*.js file. */
export function builtAppPaths(mainDir: string) {
  const root = resolve(mainDir, '..', '..');
  return {
    root,
    resourcesDir: join(root, 'resources'),
    rendererDir: join(root, 'out', 'renderer'),
    workerPath: join(root, 'out', 'main', 'worker.js'),
    formulaThreadPath: join(root, 'out', 'main', 'formula-thread.js'),
    preloadPath: join(root, 'out', 'preload', 'index.cjs'),
    iconPath: join(root, 'resources', 'icon.png'),
    // Opened by another program (Help › README): outside the packaged app's asar archive.
    readmePath: unpackedPath(join(root, 'README.md')),
  };
}

/**
 * The path of a file the packager left outside the asar archive (`asarUnpack`), for programs
 * that cannot read inside it; other paths are unchanged (a checkout has no archive).
 */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/**
 * The user's data folder, the same one Electron's app.getPath('userData') gives, so the desktop
 * app, the web shell and the CLI share one database. LATENT_LAB_DATA_DIR overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LATENT_LAB_DATA_DIR) return resolve(env.LATENT_LAB_DATA_DIR);
  if (process.platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', productName);
  if (process.platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), productName);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), productName);
}
