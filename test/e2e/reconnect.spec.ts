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

test('the page reconnects, keeps its filter and shows a run made while it was disconnected', async ({
  page,
}) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'latent-lab-e2e-reconnect-'));
  const env = { LATENT_LAB_TOKEN: 'reconnect-test-token' };
  const cli = (args: string[]) =>
    execFileSync(process.execPath, [resolve('out/main/cli.js'), 'run', ...args], {
      env: { ...process.env, LATENT_LAB_DATA_DIR: dataDir },
      stdio: 'ignore',
    });
  cli(['mcmc', '--set', 'draws=200', '--set', 'warmup=100']);
  let shell = await startWebShell(dataDir, undefined, env);
  try {
    await page.goto(shell.url + '#/runs');
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    // Only GMM runs: none yet. The filter is kept in the address.
    const algorithm = page.locator('.filters select').first();
    await algorithm.selectOption('gmm');
    await expect(page.getByTestId('run-row')).toHaveCount(0);
    await expect(page).toHaveURL(/#\/runs\?algorithm=gmm$/);
    const port = new URL(shell.url).port;
    await shell.stop();
    await expect(page.getByTestId('connection-lost')).toBeVisible();

    // Meanwhile a run is made from the command line, on the same database.
    cli(['gmm', '--data', 'builtin:old-faithful', '--set', 'k=2']);
    shell = await startWebShell(dataDir, [resolve('out/main/web.js'), '--port', port], env);
    await expect(page.getByTestId('connection-lost')).toBeHidden({ timeout: 20_000 });
    // The page was made afresh from the store, with the same filter: the new GMM run only.
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await expect(page.getByTestId('run-row')).toContainText('Gaussian mixture');
    await expect(algorithm).toHaveValue('gmm');
    // And a reload keeps it too.
    await page.reload();
    await expect(page.locator('.filters select').first()).toHaveValue('gmm');
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    // The top bar's "Runs" is the library unfiltered: the page follows the address.
    await page.locator('.topbar a[href="#/runs"]').click();
    await expect(page.getByTestId('run-row')).toHaveCount(2);
    await expect(page.locator('.filters select').first()).toHaveValue('');
  } finally {
    await shell.stop();
    removeDir(dataDir);
  }
});
