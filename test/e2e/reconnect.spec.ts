/**
 * A page whose connection drops (the server dropped it for falling behind, or restarted) connects
 * again by itself and fetches what it shows afresh: events pushed while it was away are lost, the
 * store is not.
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { removeDir, startWebShell } from './web-shell';

test('the page reconnects and shows a run made while it was disconnected', async ({ page }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latent-lab-e2e-reconnect-'));
  const env = { LATENT_LAB_TOKEN: 'reconnect-test-token' };
  let shell = await startWebShell(dataDir, undefined, env);
  try {
    await page.goto(shell.url + '#/runs');
    await expect(page.getByTestId('run-row')).toHaveCount(0);
    const port = new URL(shell.url).port;
    await shell.stop();
    await expect(page.getByTestId('connection-lost')).toBeVisible();

    // Meanwhile a run is made from the command line, on the same database.
    execFileSync(
      process.execPath,
      [resolve('out/main/cli.js'), 'run', 'gmm', '--data', 'builtin:old-faithful', '--set', 'k=2'],
      { env: { ...process.env, LATENT_LAB_DATA_DIR: dataDir }, stdio: 'ignore' },
    );
    shell = await startWebShell(dataDir, [resolve('out/main/web.js'), '--port', port], env);
    await expect(page.getByTestId('connection-lost')).toBeHidden({ timeout: 20_000 });
    await expect(page.getByTestId('run-row')).toHaveCount(1);
  } finally {
    await shell.stop();
    removeDir(dataDir);
  }
});
