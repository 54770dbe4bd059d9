/**
 * The VAE from the UI in a real browser against the real web shell: a small model on Old Faithful
 * with a Gaussian likelihood runs to the end with its charts, result and latent plot; and, on the
 * bundled digits, one short epoch draws galleries that are pictures, not blank squares.
 */
import { expect, test, type Page } from '@playwright/test';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);

async function newVaeRun(page: Page, dataset: RegExp): Promise<void> {
  await page.goto(`${shell.url}#/new`);
  await page.getByTestId('algorithm').selectOption('vae');
  // The list arrives from the host after the page: wait for the option, then pick it.
  const option = page.getByTestId('dataset-select').locator('option').filter({ hasText: dataset });
  await expect(option.first(), `a data set like ${dataset}`).toBeAttached();
  const name = (await option.first().textContent())!;
  await page.getByTestId('dataset-select').selectOption({ label: name });
}

async function finish(page: Page): Promise<void> {
  await expect(page).toHaveURL(/#\/run\/\d+$/);
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
}

test('a small VAE on Old Faithful (Gaussian likelihood) from the form to its results', async ({
  page,
}) => {
  await newVaeRun(page, /Old Faithful/);
  await expect(page.locator('input[type=checkbox]').first()).toBeVisible(); // the column picker
  await page.locator('select[name=likelihood]').selectOption('gaussian-learned');
  await page.locator('input[name=latentDim]').fill('2');
  await page.locator('input[name=hiddenUnits]').fill('16');
  await page.locator('input[name=epochs]').fill('5');
  await page.locator('input[name=batchSize]').fill('64');
  await page.locator('input[name=iwaeK]').fill('20');
  await page.getByTestId('run-button').click();
  await finish(page);

  await expect(page.getByTestId('vae-loss-chart')).toHaveAttribute('data-drawn', /\d/);
  await expect(page.getByTestId('vae-epoch-chart')).toHaveAttribute('data-drawn', /\d/);
  await expect(page.getByTestId('active-units')).toContainText(/of 2/);
  const result = page.getByTestId('run-result');
  const testLoss = result.locator('tr').filter({ hasText: 'test −ELBO per example' });
  await expect(testLoss.locator('td')).toHaveText(/^-?\d+\.\d+$/);
  await expect(page.getByTestId('vae-latent-view')).toHaveAttribute('data-drawn', /\d/);
  // Two columns: samples from the model drawn over the data.
  await expect(page.getByTestId('vae-samples-view')).toHaveAttribute('data-drawn', /\d/);
});

test('one epoch of a tiny VAE on the bundled digits draws real galleries', async ({ page }) => {
  await newVaeRun(page, /MNIST digits/);
  await expect(page.getByTestId('image-dataset')).toContainText('28 × 28 × 1');
  await page.locator('input[name=latentDim]').fill('2');
  await page.locator('input[name=hiddenUnits]').fill('32');
  await page.locator('input[name=epochs]').fill('1');
  await page.locator('input[name=iwaeK]').fill('0');
  await page.locator('input[name=galleryEvery]').fill('30');
  await page.getByTestId('run-button').click();
  await finish(page);

  for (const role of ['reconstructions', 'samples', 'manifold']) {
    const canvas = page.getByTestId(`gallery-${role}`);
    await expect(canvas).toBeVisible();
    // Inside the first tile (past the 1-pixel border): dark and light pixels, not one grey.
    const { lo, hi, levels } = await canvas.evaluate((el: HTMLCanvasElement) => {
      const px = el.getContext('2d')!.getImageData(1, 1, 28, 28).data;
      const seen = new Set<number>();
      for (let i = 0; i < px.length; i += 4) seen.add(px[i]);
      return { lo: Math.min(...seen), hi: Math.max(...seen), levels: seen.size };
    });
    expect(hi - lo, role).toBeGreaterThan(100);
    expect(levels, role).toBeGreaterThan(2);
  }
  // Earlier galleries stay reachable.
  await page.getByTestId('gallery-slider').fill('0');
  await expect(page.getByText(/gallery at step 30$/)).toBeVisible();
  await expect(page.getByTestId('vae-latent-view')).toHaveAttribute('data-drawn', /\d/);
});
