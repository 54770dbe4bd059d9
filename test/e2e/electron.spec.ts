/**
 * The desktop window, driven by Playwright's Electron mode. It needs the Electron binary, which
 * cannot be downloaded on machines without internet (install with ELECTRON_SKIP_BINARY_DOWNLOAD=1),
 * and better-sqlite3 for Electron's ABI, prepared as `npm start` prepares it: where either is
 * missing the test is skipped and says why.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { electronBinary, prepareSqliteForElectron } from '../../scripts/electron-native.mjs';

const root = resolve(import.meta.dirname, '../..');
const binary = electronBinary(root);

test('the desktop window fits a GMM on a bundled data set', async () => {
  test.skip(
    binary === null,
    'Electron binary absent (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1; it cannot be downloaded here)',
  );
  const sqlite = prepareSqliteForElectron({ root });
  test.skip(sqlite.path === undefined, sqlite.error ?? '');
  const app = await electron.launch({
    executablePath: binary!,
    args: ['.', '--no-sandbox'],
    env: {
      ...process.env,
      LATENT_LAB_DATA_DIR: mkdtempSync(join(tmpdir(), 'latent-lab-electron-')),
      LATENT_LAB_SQLITE_BINDING: sqlite.path!,
    },
  });
  const page = await app.firstWindow();
  await page.goto(page.url().split('#')[0] + '#/new');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await app.close();
});
