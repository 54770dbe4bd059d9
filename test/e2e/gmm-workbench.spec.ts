/**
 * The GMM workbench in a real browser against the web shell: step mode, the model-selection
 * sweep, and using a fitted model (scoring a CSV, drawing samples, both downloaded as CSV).
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);

async function newRun(page: Page, algorithm: string, dataset = 'Old Faithful (272 rows)') {
  await page.goto(shell.url + '#/new');
  await page.getByTestId('algorithm').selectOption(algorithm);
  await page.getByTestId('dataset-select').selectOption({ label: dataset });
}

test('step mode: pause before the first E-step, advance E and M steps, then resume', async ({
  page,
}) => {
  await newRun(page, 'gmm');
  await page.locator('input[name=k]').fill('3');
  await page.locator('input[name=startPaused]').check();
  await page.getByTestId('run-button').click();

  const status = page.getByTestId('run-status');
  const explain = page.getByTestId('phase-explain');
  await expect(status).toHaveText('paused');
  await expect(explain).toContainText('After the E-step of iteration 1');
  await expect(page.getByTestId('point-count')).toHaveText('iteration 1');

  await page.getByTestId('step').click();
  await expect(explain).toContainText('After the M-step of iteration 1');
  await page.getByTestId('step').click();
  await expect(explain).toContainText('After the E-step of iteration 2');
  await expect(page.getByTestId('point-count')).toHaveText('iteration 2');
  // Paused, nothing moves on by itself.
  await page.waitForTimeout(500);
  await expect(page.getByTestId('point-count')).toHaveText('iteration 2');

  await page.getByTestId('resume').click();
  await expect(status).toHaveText('completed');
  await expect(page.getByTestId('mixture-table').locator('tbody tr')).toHaveCount(3);
  // The snapshots of every iteration stay available to scrub through.
  await expect(page.getByTestId('snapshot-slider')).toBeVisible();
});

test('model selection sweep: BIC against K per covariance type, each fit openable', async ({
  page,
}) => {
  await newRun(page, 'gmm-sweep');
  await page.locator('input[name=kMin]').fill('1');
  await page.locator('input[name=kMax]').fill('4');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  const rows = page.getByTestId('sweep-table').locator('tbody tr');
  await expect(rows).toHaveCount(16);
  await expect(page.getByTestId('best-model')).toContainText('K = ');
  await expect(page.getByTestId('sweep-table').locator('tr.best')).toHaveCount(1);
  await rows.nth(5).click();
  await expect(page.getByTestId('sweep-fit-view')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('sweep.png'), fullPage: true });
});

test('use a fitted model: score a CSV and draw samples, each downloadable', async ({
  page,
}, testInfo) => {
  await newRun(page, 'gmm');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed');

  const csv = testInfo.outputPath('new-rows.csv');
  writeFileSync(csv, 'waiting,eruptions,note\n80,4.5,a\n55,2.0,b\n70,3.3,c\n');
  await page.getByTestId('score-input').setInputFiles(csv);
  const result = page.getByTestId('score-result');
  await expect(result).toContainText('3 rows scored');
  const [scored] = await Promise.all([
    page.waitForEvent('download'),
    result.getByRole('button', { name: 'Download as CSV' }).click(),
  ]);
  const scoredText = readFileSync(await scored.path(), 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(scoredText[0]).toBe(
    'eruptions,waiting,log_likelihood,responsibility_1,responsibility_2,component',
  );
  expect(scoredText).toHaveLength(4);
  const first = scoredText[1].split(',').map(Number);
  expect(first[0]).toBe(4.5); // columns are matched by name, not position
  expect(first[3] + first[4]).toBeCloseTo(1, 6);

  await page.locator('input[name=sampleN]').fill('300');
  await page.getByTestId('sample-button').click();
  await expect(page.getByTestId('sample-count')).toContainText('300 samples drawn');
  await expect(page.getByTestId('samples-view')).toBeVisible();
  const [samples] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('use-model').getByRole('button', { name: 'Download as CSV' }).last().click(),
  ]);
  const sampleLines = readFileSync(await samples.path(), 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(sampleLines[0]).toBe('eruptions,waiting,component');
  expect(sampleLines).toHaveLength(301);
  await page.screenshot({ path: testInfo.outputPath('use-model.png'), fullPage: true });
});
