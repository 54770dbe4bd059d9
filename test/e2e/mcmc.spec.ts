/**
 * The samplers from the UI in a real browser against the real web shell: NUTS on the banana
 * needs no data set, streams its draws live over the target's contours and ends with the
 * diagnostics and every draw downloadable; Metropolis in step mode explains each move.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);

async function newSamplerRun(page: Page, algorithm: 'mcmc' | 'hmc'): Promise<void> {
  await page.goto(`${shell.url}#/new`);
  await page.getByTestId('algorithm').selectOption(algorithm);
  // A preset target takes no data: no data set to choose, and saying so.
  await expect(page.getByTestId('no-data')).toBeVisible();
  await expect(page.getByTestId('dataset-select')).toHaveCount(0);
}

const drawnCount = async (page: Page) =>
  Number(/^(\d+) of/.exec((await page.getByTestId('draws-count').textContent()) ?? '')?.[1] ?? 0);

test('NUTS on the banana: live draws over the contours, diagnostics and every draw', async ({
  page,
}) => {
  await newSamplerRun(page, 'hmc');
  await page.locator('select[name=target]').selectOption('banana');
  await page.locator('input[name=warmup]').fill('300');
  await page.locator('input[name=draws]').fill('400');
  await page.getByTestId('run-button').click();
  await expect(page).toHaveURL(/#\/run\/\d+$/);

  // (That draws arrive one transition at a time is checked in step mode, below, where it does
  // not depend on how fast this machine is.)
  await expect(page.getByTestId('mcmc-target')).toHaveAttribute('data-drawn', /\d/);
  await expect(page.getByTestId('move-explain')).toContainText('the path was doubled');

  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await expect.poll(() => drawnCount(page)).toBe(700);
  for (const id of ['trace', 'acf', 'running-mean', 'marginal-0', 'marginal-1'])
    await expect(page.getByTestId(id)).toHaveAttribute('data-drawn', /\d/);

  const diagnostics = page.getByTestId('diagnostics');
  await expect(diagnostics.locator('tbody tr')).toHaveCount(2);
  const rhat = Number(
    await diagnostics
      .locator('tbody tr')
      .first()
      .locator('td')
      .nth(7)
      .innerText()
      .then((s) => s.replace('⚠', '')),
  );
  expect(rhat).toBeGreaterThan(0.98);
  expect(rhat).toBeLessThan(1.2);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download draws (CSV)' }).click(),
  ]);
  const lines = readFileSync(await download.path(), 'utf8')
    .trim()
    .split(/\r?\n/);
  expect(lines[0].split(',').slice(0, 5)).toEqual([
    'chain',
    'draw',
    'warmup',
    'lp__',
    'accept_stat__',
  ]);
  expect(lines).toHaveLength(1 + 4 * 700);
  // Warm-up draws are marked: the first 300 of each chain.
  expect(lines[300].split(',')[2]).toBe('1');
  expect(lines[301].split(',')[2]).toBe('0');
});

test('Metropolis in step mode: one transition at a time, each explained', async ({ page }) => {
  await newSamplerRun(page, 'mcmc');
  await page.locator('select[name=target]').selectOption('correlated');
  await page.locator('input[name=warmup]').fill('100');
  await page.locator('input[name=draws]').fill('100');
  await page.locator('input[name=startPaused]').check();
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 15_000 });

  const explain = page.getByTestId('move-explain');
  await expect(explain).toContainText('Iteration 1:');
  await expect(explain).toContainText(/accepted|rejected/);
  await page.getByTestId('step').click();
  await expect(explain).toContainText('Iteration 2:');
  await page.getByTestId('step').click();
  await expect(explain).toContainText('Iteration 3:');
  // The draws so far reach the page as they are made.
  await expect.poll(() => drawnCount(page)).toBe(3);
  await expect(page.getByTestId('mcmc-target')).toHaveAttribute('data-drawn', /\d/);

  await page.getByTestId('resume').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
});

test('a typed formula: its mistake underlined as you type, then sampled', async ({ page }) => {
  await newSamplerRun(page, 'hmc');
  await page.locator('select[name=target]').selectOption('formula');
  const formula = page.locator('input[name=formula]');
  await formula.fill('-(x^2 + z^2)/2');
  await expect(page.getByTestId('formula-error').locator('mark')).toHaveText('z');
  await page.getByTestId('run-button').click();
  await expect(page.getByRole('alert')).toContainText('Fix the highlighted fields');
  await expect(page).toHaveURL(/#\/new/);

  await formula.fill('-(x^2)/2 - (y - 1)^2/0.5');
  await expect(page.getByTestId('formula-ok')).toContainText('∂/∂x');
  // The drawing box is optional: empty means [−4, 4]²; a typed one must be two rows.
  const bounds = page.locator('textarea[name=bounds]');
  await bounds.fill('-4, 4');
  await page.getByTestId('run-button').click();
  await expect(page.getByRole('alert')).toContainText('bounds: two rows');
  await bounds.fill('-4, 4; -2, 4');
  await page.locator('input[name=warmup]').fill('200');
  await page.locator('input[name=draws]').fill('200');
  await page.locator('select[name=pace]').selectOption('full');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  // y ~ N(1, 0.25): its posterior mean is near 1.
  const yRow = page.getByTestId('diagnostics').locator('tbody tr').nth(1);
  const mean = Number(await yRow.locator('td').nth(1).innerText());
  expect(mean).toBeGreaterThan(0.8);
  expect(mean).toBeLessThan(1.2);
});

test('a GMM fit sampled with NUTS: from the fit’s page to its density’s draws', async ({
  page,
}) => {
  await page.goto(shell.url + '#/new');
  await page.getByTestId('dataset-select').selectOption({ label: 'Old Faithful (272 rows)' });
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 30_000 });
  const fitId = /#\/run\/(\d+)$/.exec(page.url())![1];

  await page.getByTestId('sample-fit').click();
  await expect(page.getByTestId('algorithm')).toHaveValue('hmc');
  await expect(page.locator('select[name=target]')).toHaveValue('gmm-run');
  await expect(page.locator('input[name=gmmRun]')).toHaveValue(fitId);
  await page.locator('input[name=warmup]').fill('200');
  await page.locator('input[name=draws]').fill('300');
  await page.locator('select[name=pace]').selectOption('full');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await expect(page.getByTestId('mcmc-target')).toHaveAttribute('data-drawn', /\d/);
  // The parameters are the fit's columns.
  const names = page.getByTestId('diagnostics').locator('tbody tr td:first-child');
  await expect(names).toHaveText(['eruptions', 'waiting']);
});

test('a 10-D target: pairs of chosen parameters, traces per parameter, the whole table', async ({
  page,
}) => {
  await newSamplerRun(page, 'hmc');
  await page.locator('select[name=target]').selectOption('funnel10');
  await page.locator('input[name=warmup]').fill('200');
  await page.locator('input[name=draws]').fill('200');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await expect(page.getByTestId('diagnostics').locator('tbody tr')).toHaveCount(10);
  await expect(page.getByTestId('pairs-chart')).toHaveAttribute('data-drawn', /\d/);
  const pairs = page.getByTestId('pairs');
  await pairs.getByLabel('x5').check();
  await expect(pairs.getByLabel('x6')).toBeDisabled(); // five at most
  await page.getByTestId('param-select').selectOption('v');
  await expect(page.getByTestId('trace')).toHaveAttribute('data-drawn', /\d/);
});
