/**
 * The run library, comparison and export in a real browser against the web shell: fit two GMMs
 * with different K, rename and tag one, find it, run it again (same numbers), fork it, compare
 * the two, show only the differences, export the comparison to a folder and check the folder,
 * then download it as a zip.
 */
import { expect, test, type Page } from '@playwright/test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);

async function fit(page: Page, k: number): Promise<number> {
  await page.goto(shell.url + '#/new');
  await page.getByTestId('dataset-select').selectOption({ label: 'Old Faithful (272 rows)' });
  await page.locator('input[name=k]').fill(String(k));
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed');
  return Number(/#\/run\/(\d+)/.exec(page.url())![1]);
}

test('library, run again, fork, compare with only differences, export to a folder', async ({
  page,
}, testInfo) => {
  const two = await fit(page, 2);
  const three = await fit(page, 3);

  // Rename, tag and annotate the K = 3 run from its page.
  await page.getByTestId('run-name').fill('three components');
  await page.getByTestId('run-tags').fill('wide, faithful');
  await page.getByTestId('run-note').fill('looks over-fitted');
  await page.getByTestId('run-save').click();
  await expect(page.getByTestId('run-details')).toContainText('Saved.');
  await expect(page.locator('h1')).toHaveText('three components');

  // The library finds it by tag, and shows both runs otherwise.
  await page.goto(shell.origin + '/#/runs');
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  await page.getByTestId('runs-search').fill('wide');
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('run-row')).toContainText('three components');
  await expect(page.getByTestId('run-row')).toContainText('looks over-fitted');
  await page.getByTestId('runs-search').fill('');

  // Run again: a new run with the same parameters and seed gives identical numbers.
  await page.goto(shell.origin + `/#/run/${three}`);
  const before = await page.getByTestId('mixture-table').textContent();
  await page.getByTestId('run-again').click();
  await expect(page).not.toHaveURL(new RegExp(`#/run/${three}$`));
  await expect(page.getByTestId('run-status')).toHaveText('completed');
  await expect(page.getByTestId('mixture-table')).toHaveText(before!);

  // Fork: the form comes pre-filled with the run's settings.
  await page.goto(shell.origin + `/#/run/${three}`);
  await page.getByTestId('run-fork').click();
  await expect(page.locator('input[name=k]')).toHaveValue('3');
  await expect(page.locator('input[name=name]')).toHaveValue('three components (fork)');

  // Compare the two original runs.
  await page.goto(shell.origin + '/#/runs');
  for (const id of [two, three])
    await page
      .getByTestId('run-row')
      .filter({ has: page.locator(`a[href="#/run/${id}"]`) })
      .getByRole('checkbox')
      .check();
  await page.getByTestId('compare-button').click();
  await expect(page.getByTestId('compare-runs').locator('.chip')).toHaveCount(2);
  const params = page.getByTestId('compare-params');
  await expect(params).toContainText('Tolerance');
  await page.getByTestId('only-differences').check();
  await expect(params).toContainText('Components (K)');
  await expect(params).not.toContainText('Tolerance');
  await expect(page.getByTestId('compare-summary')).toContainText('★');
  await expect(
    page.locator('[data-testid="compare-chart-meanLogLikelihood"][data-drawn]'),
  ).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('compare.png'), fullPage: true });

  // Export the comparison to a folder; a second export to it asks before overwriting.
  const dir = testInfo.outputPath('exported');
  await page.getByTestId('export-dir').fill(dir);
  await page.getByTestId('export-button').click();
  // Every chart is rendered to PNG: on a busy machine that takes seconds.
  await expect(page.getByTestId('export-result')).toContainText('files written', {
    timeout: 30_000,
  });
  const top = readdirSync(dir);
  expect(top).toEqual(expect.arrayContaining(['README.md', 'comparison.json']));
  const runFolders = top.filter((f) => f.startsWith('run-'));
  expect(runFolders).toHaveLength(2);
  for (const f of runFolders) {
    for (const file of ['params.json', 'summary.json', 'metrics.csv', 'README.md'])
      expect(existsSync(join(dir, f, file)), `${f}/${file}`).toBe(true);
  }
  const comparison = JSON.parse(readFileSync(join(dir, 'comparison.json'), 'utf8')) as unknown;
  expect(JSON.stringify(comparison)).toContain('three components');

  let asked = '';
  page.once('dialog', (d) => {
    asked = d.message();
    void d.accept();
  });
  await page.getByTestId('export-button').click();
  // Every chart is rendered to PNG: on a busy machine that takes seconds.
  await expect(page.getByTestId('export-result')).toContainText('files written', {
    timeout: 30_000,
  });
  expect(asked).toContain('exists and is not empty');

  // The same comparison as a zip the browser downloads, streamed by the server: the same files.
  const downloading = page.waitForEvent('download', { timeout: 60_000 });
  await page.getByTestId('export-zip').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^latent-lab-compare-\d+-\d+\.zip$/);
  const zipped = Object.keys(unzipSync(readFileSync((await download.path())!))).sort();
  const walk = (d: string, prefix = ''): string[] =>
    readdirSync(join(d, prefix), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(d, `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
    );
  expect(zipped).toEqual(walk(dir).sort());
});
