/**
 * The desktop window, driven by Playwright's Electron mode. It needs the Electron binary, which
 * cannot be downloaded on machines without internet (install with ELECTRON_SKIP_BINARY_DOWNLOAD=1):
 * there the test is skipped and says why.
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

function electronBinary(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();

test('the desktop window fits a GMM on a bundled data set', async () => {
  test.skip(
    binary === null,
    'Electron binary absent (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1; it cannot be downloaded here)',
  );
  const app = await electron.launch({
    executablePath: binary!,
    args: ['.', '--no-sandbox'],
    env: {
      ...process.env,
      LATENT_LAB_DATA_DIR: mkdtempSync(join(tmpdir(), 'latent-lab-electron-')),
    },
  });
  const page = await app.firstWindow();
  await page.goto(page.url().split('#')[0] + '#/new');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await app.close();
});
