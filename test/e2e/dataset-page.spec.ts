/**
 * The data set page in a real browser against the web shell: a labelled table's summaries,
 * histograms, scatter matrix (coloured by its labels, the legend capped) and first rows; renamed
 * to a 200-character name without a space, which must not widen the page; in Chinese; deleted;
 * and the page of a data set that is gone.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { Store } from '../../src/main/host/store';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);
const ROWS = 300;

/** x = 0 … 299, y and z a little scattered; twelve labels, so the legend is capped at ten. */
function addFlowers(): number {
  const store = new Store(join(shell.dataDir, 'latent-lab.db'));
  try {
    const values = new Float64Array(ROWS * 3);
    for (let i = 0; i < ROWS; i++) values.set([i, ((i * 37) % 101) / 10, Math.sin(i)], i * 3);
    return store.insertDataset({
      name: 'Flowers',
      columns: ['x', 'y', 'z'].map((name) => ({ name, type: 'number' as const, missing: 0 })),
      rows: ROWS,
      values,
      labels: {
        column: 'kind',
        names: Array.from({ length: 12 }, (_, k) => `kind-${k}`),
        codes: Int32Array.from({ length: ROWS }, (_, i) => i % 12),
      },
    }).id;
  } finally {
    store.close();
  }
}

/** Nothing sticks out sideways: the page scrolls only down. */
async function expectNoSidewaysScroll(page: Page) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scroll).toBeLessThanOrEqual(client);
}

test('a data set page: summaries, histograms, scatter matrix, first rows; rename, delete', async ({
  page,
}, testInfo) => {
  const id = addFlowers();
  await page.goto(shell.url + '#/data');
  await page.getByTestId('dataset-link').filter({ hasText: 'Flowers' }).click();
  await expect(page).toHaveURL(new RegExp(`#/data/${id}$`));
  await expect(page.getByTestId('dataset-title')).toHaveText('Flowers');

  // x = 0 … 299: mean 149.5, sample sd √(300 · 301 / 12) = 86.7468.
  const x = page.getByTestId('column-summary').locator('tbody tr').first();
  await expect(x).toHaveText(/^x\s*number\s*300\s*0\s*0\s*299\s*149\.5\s*86\.7468$/);
  await expect(page.getByTestId('histogram')).toHaveCount(3);
  for (const chart of await page.getByTestId('histogram').all())
    await expect(chart).toHaveAttribute('data-drawn', /\d/);
  await expect(page.getByTestId('scatter-matrix')).toHaveAttribute('data-drawn', /\d/);
  await expect(
    page.getByText('The 10 most frequent of 12 labels have their own colour'),
  ).toBeVisible();
  await expect(page.getByText(`All ${ROWS} rows.`)).toBeVisible();
  const first = page.getByTestId('first-rows');
  await expect(first.locator('tbody tr')).toHaveCount(20);
  await expect(first.locator('tbody tr').nth(1)).toHaveText(
    /^2\s*kind-1\s*1\s*3\.7\s*0\.8414709848$/,
  );

  // Without colours by label, the matrix is drawn again (in one colour, no legend).
  await page.getByTestId('colour-by-label').uncheck();
  await expect(page.getByText('have their own colour')).toHaveCount(0);
  await page.getByTestId('colour-by-label').check();
  await page.screenshot({ path: testInfo.outputPath('dataset-page-en.png'), fullPage: true });

  // Rename to 200 characters without a space: the title wraps, the page does not widen.
  const long = 'n'.repeat(200);
  await page.getByTestId('dataset-rename').click();
  await page.getByTestId('dataset-rename-input').fill(long);
  await page.getByTestId('dataset-rename-input').press('Enter');
  await expect(page.getByTestId('dataset-title')).toHaveText(long);
  await expectNoSidewaysScroll(page);

  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('column-summary')).toContainText('标准差');
  await expect(page.getByText('12 个标签中最常见的 10 个各有颜色')).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('dataset-page-zh.png'), fullPage: true });
  await page.getByTestId('lang-switch').click();

  await page.goto(shell.origin + '/#/data');
  await expect(page.getByTestId('dataset-link').filter({ hasText: long })).toBeVisible();
  await expectNoSidewaysScroll(page);

  // Delete: asked first, then back to the list, without it.
  await page.goto(shell.origin + `/#/data/${id}`);
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('dataset-delete').click();
  await expect(page).toHaveURL(/#\/data$/);
  await expect(page.getByTestId('dataset-link').filter({ hasText: long })).toHaveCount(0);

  // Its page now says so, with a way back.
  await page.goto(shell.origin + `/#/data/${id}`);
  await expect(page.getByTestId('dataset-missing')).toHaveText(
    `There is no data set ${id}: it may have been deleted.`,
  );
  await page.getByRole('link', { name: '← All data sets' }).click();
  await expect(page).toHaveURL(/#\/data$/);
});

test('a bundled table and the bundled image set', async ({ page }) => {
  await page.goto(shell.url + '#/data');
  await page.getByTestId('dataset-link').filter({ hasText: 'Old Faithful' }).click();
  await expect(page.getByTestId('scatter-matrix')).toHaveAttribute('data-drawn', /\d/);
  // The app finds its bundled sets by name and keeps them.
  await expect(page.getByTestId('dataset-rename')).toHaveCount(0);
  await expect(page.getByTestId('dataset-delete')).toHaveCount(0);

  await page.goto(shell.origin + '/#/data');
  await page.getByTestId('dataset-link').filter({ hasText: 'MNIST digits' }).click();
  await expect(page.getByTestId('dataset-images')).toBeVisible();
  await expect(page.getByTestId('label-counts')).toContainText('1127');
  await expect(page.getByTestId('scatter-matrix')).toHaveCount(0);
});
