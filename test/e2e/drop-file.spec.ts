/**
 * A table dropped on the window goes to the import's preview, from any page (the data page is
 * shown). Driven in the web shell, whose page is the desktop window's page: there the file crosses
 * in chunks; in the desktop app the preload hands over its path instead.
 */
import { expect, test } from '@playwright/test';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);

test('a CSV dropped on the window is previewed for import', async ({ page }) => {
  await page.goto(`${shell.url.split('#')[0]}#/runs`);
  const drop = async (name: string, text: string) => {
    const transfer = await page.evaluateHandle(
      ([n, t]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([t], n, { type: 'text/csv' }));
        return dt;
      },
      [name, text] as const,
    );
    await page.dispatchEvent('main', 'dragover', { dataTransfer: transfer });
    await expect(page.getByTestId('drop-overlay')).toBeVisible();
    await page.dispatchEvent('main', 'drop', { dataTransfer: transfer });
    await expect(page.getByTestId('drop-overlay')).toHaveCount(0);
  };
  await drop('dropped.csv', 'a,b\n1,2\n3,4\n5,7\n');
  await expect(page).toHaveURL(/#\/data$/);
  await expect(page.locator('.preview')).toContainText('3 rows, 2 columns');
  await expect(page.getByTestId('dataset-name')).toHaveValue('dropped');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByText('Imported “dropped”: 3 rows.')).toBeVisible();
  // Not a table: nothing happens.
  await drop('notes.pdf', '%PDF');
  await expect(page.locator('.preview')).toHaveCount(0);
});
