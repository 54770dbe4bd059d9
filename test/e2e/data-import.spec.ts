/**
 * The files people actually have, imported through the page in a real browser: a GBK CSV saved by
 * Excel on Chinese Windows (its headers read right, a GMM fitted on it), a numeric column with one
 * typo (the sentence shown, both choices), and cells pasted from a spreadsheet. The file crosses to
 * the web shell in chunks (uploads.chunk): the page never holds its text.
 */
import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);
const fixture = (name: string) => join(import.meta.dirname, '../fixtures/data', name);

test('a GBK file from Chinese Excel: Chinese headers, a label column, and a GMM on it', async ({
  page,
}) => {
  await page.goto(shell.url);
  await page.getByTestId('csv-input').setInputFiles(fixture('gbk-chinese.csv'));
  const preview = page.locator('.preview');
  await expect(preview).toContainText('60 rows, 3 columns');
  await expect(page.getByTestId('encoding')).toHaveValue('gb18030');
  await expect(page.getByTestId('reading-options')).toContainText('detected');
  for (const name of ['身高（厘米）', '体重（公斤）', '性别'])
    await expect(preview.locator('thead')).toContainText(name);
  await expect(preview.locator('tbody tr').first()).toContainText('男');

  // Read as UTF-8 instead: the page says characters could not be read; back to GB18030.
  await page.getByTestId('encoding').selectOption('utf-8');
  await expect(page.getByTestId('preview-warnings')).toContainText('could not be read as utf-8');
  await page.getByTestId('encoding').selectOption('gb18030');
  await expect(page.getByTestId('preview-warnings')).toHaveCount(0);
  await expect(preview.locator('thead')).toContainText('身高（厘米）');

  await page.getByTestId('label-column').selectOption('性别');
  await page.getByTestId('dataset-name').fill('身高体重');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByText('Imported “身高体重”: 60 rows.')).toBeVisible();
  const row = page.getByTestId('dataset').filter({ hasText: '身高体重' });
  await expect(row).toContainText('身高（厘米）');

  await row.getByRole('button', { name: 'New run on this data' }).click();
  await page.locator('input[name=k]').fill('2');
  await page.getByTestId('run-button').click();
  await expect(page).toHaveURL(/#\/run\/\d+$/);
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await expect(page.locator('body')).toContainText('身高（厘米）');
});

test('a numeric column with one typo: the sentence, then either choice', async ({ page }) => {
  await page.goto(shell.url);
  await page.getByTestId('csv-input').setInputFiles(fixture('stray-cell.csv'));
  await expect(page.getByTestId('preview-warnings')).toHaveText(
    'x: 299 numbers, 1 other value: “five” on line 4',
  );
  // Left out by default, and the import says so.
  await page.getByTestId('dataset-name').fill('typo left out');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByText('Imported “typo left out”: 300 rows.')).toBeVisible();
  await expect(page.getByTestId('import-notes')).toContainText('x: not imported');
  await expect(page.getByTestId('dataset').filter({ hasText: 'typo left out' })).not.toContainText(
    'x (',
  );

  // Kept, the cell missing and its row dropped.
  await page.getByTestId('csv-input').setInputFiles(fixture('stray-cell.csv'));
  await page.getByRole('radio', { name: 'keep, those cells missing' }).check();
  await page.getByRole('checkbox', { name: 'Drop rows with missing or non-finite values' }).check();
  await page.getByTestId('dataset-name').fill('typo as missing');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByText('Imported “typo as missing”: 299 rows.')).toBeVisible();
  await expect(page.getByTestId('import-notes')).toContainText(
    'x: 1 non-numeric cells treated as missing',
  );
  await expect(page.getByTestId('dataset').filter({ hasText: 'typo as missing' })).toContainText(
    'x (number)',
  );
});

test('cells pasted from a spreadsheet', async ({ page }) => {
  await page.goto(shell.url);
  await page.getByText('or paste a table copied from a spreadsheet').click();
  await page.getByTestId('paste-input').fill('a\tb\tkind\n1\t2,5\tx\n3\t4\ty\n5\t6\tx\n');
  await page.getByRole('button', { name: 'Read the pasted table' }).click();
  await expect(page.locator('.preview')).toContainText('3 rows, 3 columns');
  await expect(page.getByTestId('delimiter')).toHaveValue('\t');
  await expect(page.getByTestId('decimal')).toHaveValue(',');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByText('Imported “pasted table”: 3 rows.')).toBeVisible();
  await expect(page.getByTestId('import-notes')).toContainText(
    'kind: not imported (text, not numbers; it can be kept as labels)',
  );
});
