/**
 * Creating actions are safe under a double click: starting a run, "Run again" on a run's page and
 * in the library each create one run, not two (issue 19: a double click started two runs).
 */
import { expect, test } from '@playwright/test';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);

test('a double click creates one run: start, run again on its page and in the library', async ({
  page,
}) => {
  await page.goto(shell.url + '#/new');
  await page.getByTestId('dataset-select').selectOption({ label: 'Old Faithful (272 rows)' });
  await page.locator('input[name=k]').fill('2');
  await page.getByTestId('run-button').dblclick();
  await expect(page.getByTestId('run-status')).toHaveText('completed');
  const first = Number(/#\/run\/(\d+)/.exec(page.url())![1]);

  await page.getByTestId('run-again').dblclick();
  await expect(page).not.toHaveURL(new RegExp(`#/run/${first}$`));
  await expect(page.getByTestId('run-status')).toHaveText('completed');

  await page.goto(shell.origin + '/#/runs');
  await expect(page.getByTestId('run-row')).toHaveCount(2);
  const row = page.getByTestId('run-row').filter({ has: page.locator(`a[href="#/run/${first}"]`) });
  await row.getByRole('button', { name: 'Run again' }).dblclick();
  await expect(page.getByTestId('run-row')).toHaveCount(3);
  // Read afresh from the store: still three.
  await page.reload();
  await expect(page.getByTestId('run-row')).toHaveCount(3);
});
