/**
 * The installers' configuration (electron-builder.json): valid by electron-builder's own schema
 * and checks, every target the issue asks for, and what it packs present after `npm run build`:
 * the entry points, the engine worker and threads, the page, the bundled data sets, the wasm
 * binaries, the icon and the README. (The packaging itself needs Electron's binary and is not run
 * here.)
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuilt, root } from './helpers';

const config = JSON.parse(readFileSync(join(root, 'electron-builder.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const require = createRequire(import.meta.url);

describe('electron-builder configuration', () => {
  it('passes electron-builder’s own validation', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
      validateConfiguration(c: unknown, log: { isEnabled: boolean; add(): void }): Promise<void>;
    };
    const log = { isEnabled: false, add() {} };
    const { $schema: _schema, ...rest } = config;
    await expect(validateConfiguration(rest, log)).resolves.toBeUndefined();
    // And it would catch a mistake.
    await expect(validateConfiguration({ ...rest, linux: { targt: 'deb' } }, log)).rejects.toThrow(
      /Invalid configuration object/,
    );
  });

  it('builds AppImage and deb, NSIS and dmg, with the app icon', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.npmRebuild).toBe(true); // native modules rebuilt for Electron
    // Fuses (docs/desktop-security.md): the packaged program cannot be run as plain Node.
    expect(config.electronFuses).toMatchObject({ runAsNode: false, onlyLoadAppFromAsar: true });
    const icon = readFileSync(join(root, config.icon));
    expect(icon.subarray(1, 4).toString()).toBe('PNG');
    // 512 × 512: macOS needs at least 512, the others take it.
    expect(icon.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    expect(icon.readUInt32BE(20)).toBeGreaterThanOrEqual(512);
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/); // shown in About (app.getVersion)
  });

  it('packs files that exist after the build', () => {
    requireBuilt(join(root, 'out', 'main', 'index.js'), ['src']);
    const mustExist = [
      pkg.main,
      'out/main/worker.js',
      'out/main/table-reader.js',
      'out/main/formula-thread.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'resources/datasets/old-faithful.csv',
      'README.md',
    ];
    for (const f of mustExist) expect(existsSync(join(root, f)), f).toBe(true);
    // Each is covered by a `files` pattern (the first segment of each inclusion).
    const included = config.files.filter((f: string) => !f.startsWith('!'));
    for (const f of ['out/main/worker.js', 'resources/datasets/old-faithful.csv', 'README.md'])
      expect(
        included.some((p: string) => p === f || f.startsWith(p.replace('/**/*', '/'))),
        f,
      ).toBe(true);
    // The wasm binaries the engine loads are there to unpack.
    const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
    expect(readdirSync(wasmDir).filter((f) => f.endsWith('.wasm')).length).toBeGreaterThan(0);
    expect(config.asarUnpack).toContain(
      '**/node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm',
    );
    // Help › README is opened by another program: it must be outside the archive.
    expect(config.asarUnpack).toContain('README.md');
  });
});
