/**
 * Adding an algorithm touches only its own modules and the registries: the toy random walk of
 * test/toy/ (spec, engine module, exporter, views — nothing else of the app changed) runs from the
 * new-run form in a real browser against a web shell with a real worker process and database; its
 * run page shows its own panel and results, the compare page its own pictures, and an export its
 * own files. A second algorithm registered everywhere but in the page's views gets a clear
 * message, never another algorithm's panel.
 */
import { expect, test, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildToyRenderer } from '../toy/build';
import { TOY, TOY_WITHOUT_VIEWS } from '../toy/spec';
import { removeDir, startWebShell, type WebShell } from './web-shell';

let shell: WebShell;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  await buildToyRenderer();
  const dataDir = mkdtempSync(join(tmpdir(), 'latent-lab-toy-'));
  shell = await startWebShell(dataDir, ['--import', 'tsx', resolve('test/toy/server.ts'), dataDir]);
});

test.afterAll(async () => {
  await shell?.stop();
  if (shell) removeDir(shell.dataDir);
});

async function walk(page: Page, algorithm: string, steps: number, drift: number): Promise<number> {
  await page.goto(shell.url + '#/new');
  await page.getByTestId('algorithm').selectOption(algorithm);
  await page.locator('input[name=steps]').fill(String(steps));
  await page.locator('input[name=drift]').fill(String(drift));
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed');
  return Number(/#\/run\/(\d+)/.exec(page.url())![1]);
}

test('a toy algorithm from its own modules: run page, compare page and export', async ({
  page,
}, testInfo) => {
  const up = await walk(page, TOY, 25, 2);
  // Its own panel, its own result rows, its own source line; no other algorithm's views.
  await expect(page.getByTestId('toy-steps')).toHaveText('toy-walk: 25 steps'); // its default name
  await expect(page.locator('[data-testid="toy-chart"][data-drawn]')).toBeVisible();
  await expect(page.getByTestId('run-result')).toContainText('finalPosition');
  await expect(page.getByText('no data: a random walk')).toBeVisible();
  await expect(page.getByTestId('mixture-view')).toHaveCount(0);
  const upFinal = Number(
    await page
      .getByTestId('run-result')
      .locator('tr', { hasText: 'finalPosition' })
      .locator('td')
      .innerText(),
  );
  expect(upFinal).toBeGreaterThan(25); // drift 2 per step; a sd-5 walk never loses 25 here

  const down = await walk(page, TOY, 10, -3);
  await page.goto(shell.url + `#/compare?ids=${up},${down}`);
  await expect(page.getByTestId('compare-runs').locator('.chip')).toHaveCount(2);
  // Each run's own picture at the newest step ≤ the slider's (the last: step 25).
  const pictures = page.getByTestId('toy-compare');
  await expect(pictures).toHaveCount(2);
  await expect(pictures.first()).toContainText(`#${up}`);
  await expect(pictures.nth(1)).toContainText(`#${down}`);
  expect(Number(await pictures.first().getByTestId('toy-compare-last').innerText())).toBeCloseTo(
    upFinal,
    2,
  );
  await expect(page.locator('[data-testid="compare-chart-position"][data-drawn]')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('toy-compare.png'), fullPage: true });

  // Export the comparison: each run folder has the toy exporter's file beside the common ones.
  const dir = testInfo.outputPath('exported');
  await page.getByTestId('export-dir').fill(dir);
  await page.getByTestId('export-button').click();
  await expect(page.getByTestId('export-result')).toContainText('files written', {
    timeout: 30_000,
  });
  const runFolders = readdirSync(dir).filter((f) => f.startsWith('run-'));
  expect(runFolders).toHaveLength(2);
  for (const f of runFolders) {
    for (const file of ['params.json', 'summary.json', 'metrics.csv', 'walk.csv'])
      expect(existsSync(join(dir, f, file)), `${f}/${file}`).toBe(true);
    const walkCsv = readFileSync(join(dir, f, 'walk.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(walkCsv[0]).toBe('step,position');
    expect(walkCsv.length - 1).toBe(f.startsWith(`run-${up}-`) ? 26 : 11);
  }
});

test('an algorithm without views: a clear message, never another algorithm’s panel', async ({
  page,
}) => {
  await walk(page, TOY_WITHOUT_VIEWS, 5, 1);
  await expect(page.getByTestId('no-views')).toContainText(
    `no views for the algorithm “${TOY_WITHOUT_VIEWS}”`,
  );
  await expect(page.getByTestId('toy-panel')).toHaveCount(0);
  await expect(page.getByTestId('mixture-view')).toHaveCount(0);
  // Its parameters and every plain result are still listed.
  await expect(page.getByTestId('run-result')).toContainText('finalPosition');
});
