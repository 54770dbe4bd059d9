/**
 * The GAN from the UI in a real browser against the real web shell: the 8-Gaussian ring needs no
 * data set and shows the discriminator's heat map under real and generated points; step mode
 * explains a D update and a G update; on the bundled digits the galleries are pictures (pixel
 * variance), not blank squares, and the saved generator makes new ones.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);

async function newGanRun(page: Page): Promise<void> {
  await page.goto(`${shell.url}#/new`);
  await page.getByTestId('algorithm').selectOption('gan');
}

/** Variance of the red channel over a canvas region, and how many distinct levels it has. */
function pixelSpread(canvas: Locator, x: number, y: number, w: number, h: number) {
  return canvas.evaluate(
    (el: HTMLCanvasElement, [x0, y0, w0, h0]) => {
      const px = el.getContext('2d')!.getImageData(x0, y0, w0, h0).data;
      let s = 0;
      let s2 = 0;
      const n = px.length / 4;
      const levels = new Set<number>();
      for (let i = 0; i < px.length; i += 4) {
        s += px[i];
        s2 += px[i] * px[i];
        levels.add(px[i]);
      }
      return { variance: s2 / n - (s / n) ** 2, levels: levels.size };
    },
    [x, y, w, h],
  );
}

test('the 8-Gaussian ring: no data set, D’s heat map under real and generated points', async ({
  page,
}) => {
  await newGanRun(page);
  await expect(page.getByTestId('no-data')).toBeVisible();
  await page.locator('input[name=steps]').fill('600');
  await page.getByTestId('run-button').click();
  await expect(page).toHaveURL(/#\/run\/\d+$/);
  await expect(page.getByTestId('gan-view-chart')).toHaveAttribute('data-drawn', /\d/, {
    timeout: 30_000,
  });
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 90_000 });
  await expect(page.getByTestId('gan-modes')).toContainText(/of 8/);
  const view = page.getByTestId('gan-view');
  // The heat map: the chart's canvas has many colours, not a blank plot (polled: the chart
  // redraws on the next animation frame).
  const canvas = view.getByTestId('gan-view-chart').locator('canvas').first();
  await expect
    .poll(async () => (await pixelSpread(canvas, 120, 80, 200, 200)).levels, { timeout: 10_000 })
    .toBeGreaterThan(20);
  expect((await pixelSpread(canvas, 120, 80, 200, 200)).variance).toBeGreaterThan(50);
  await page.getByTestId('gan-arrows').check();
  await expect(page.getByTestId('gan-view-slider')).toBeVisible();
  await expect(page.getByTestId('gan-loss-chart')).toHaveAttribute('data-drawn', /\d/);
  await expect(page.getByTestId('gan-quality-chart')).toHaveAttribute('data-drawn', /\d/);
  await view.screenshot({ path: test.info().outputPath('gan-ring-view.png') });
  // The saved generator draws new points in the page.
  await page.getByTestId('gan-use-model').getByTestId('gan-generate').click();
  await expect(page.getByTestId('gan-generated-points')).toHaveAttribute('data-drawn', /\d/);
  await page.screenshot({ path: test.info().outputPath('gan-ring-page.png'), fullPage: true });
});

test('a painted distribution: the brush makes points, and a GAN learns them', async ({ page }) => {
  await newGanRun(page);
  await page.locator('select[name=source]').selectOption('painted');
  const canvas = page.getByTestId('paint-canvas');
  const box = (await canvas.boundingBox())!;
  // A stroke from the upper left towards the centre.
  await page.mouse.move(box.x + 40, box.y + 40);
  await page.mouse.down();
  for (let i = 1; i <= 15; i++) await page.mouse.move(box.x + 40 + 6 * i, box.y + 40 + 5 * i);
  await page.mouse.up();
  const count = Number(/\d+/.exec((await page.getByTestId('paint-count').textContent()) ?? '')![0]);
  expect(count).toBeGreaterThanOrEqual(10);
  // The text field holds the same points: upper left is negative x, positive y.
  const first = (await page.locator('textarea[name=painted]').inputValue()).split(';')[0];
  const [x, y] = first.split(',').map(Number);
  expect(x).toBeLessThan(0);
  expect(y).toBeGreaterThan(0);
  // Read back only at the end (several seconds here): until then the charts of the losses and
  // of D's outputs say what they wait for, not empty axes.
  await page.locator('input[name=steps]').fill('400');
  await page.locator('input[name=viewEvery]').fill('400');
  await page.getByTestId('run-button').click();
  await expect(page).toHaveURL(/#\/run\/\d+$/);
  await expect(page.getByTestId('gan-loss-chart-waiting')).toHaveText(
    'Waiting for the first 400 steps…',
  );
  await expect(page.getByTestId('gan-output-chart-waiting')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('gan-waiting.png') });
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  await expect(page.getByTestId('gan-loss-chart')).toHaveAttribute('data-drawn', /\d/);
  await expect(page.getByTestId('gan-loss-chart-waiting')).toHaveCount(0);
  await expect(page.getByTestId('gan-view-chart')).toHaveAttribute('data-drawn', /\d/);
  await page.screenshot({ path: test.info().outputPath('gan-painted-page.png') });
});

test('step mode: a discriminator update, a generator update or both, each explained', async ({
  page,
}) => {
  await newGanRun(page);
  await page.locator('input[name=steps]').fill('50');
  await page.locator('input[name=startPaused]').check();
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 15_000 });
  const explain = page.getByTestId('phase-explain');
  await expect(explain).toContainText('one discriminator update');
  await page.getByTestId('step').click();
  await expect(explain).toContainText('one generator update');
  await page.getByTestId('step').click();
  await expect(explain).toContainText('Step 2: one discriminator update');
  // A whole step: from D's update of step 2 on through to the end of step 2 (G's update), then
  // through all of step 3 in one click.
  await page.getByTestId('step-cycle').click();
  await expect(explain).toContainText('Step 2: one generator update');
  await page.getByTestId('step-cycle').click();
  await expect(explain).toContainText('Step 3: one generator update');
  await expect(page.getByTestId('gan-view-chart')).toHaveAttribute('data-drawn', /\d/);
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
});

test('the bundled digits: galleries that are pictures, and the saved generator', async ({
  page,
}) => {
  await newGanRun(page);
  await page.locator('select[name=source]').selectOption('dataset');
  const option = page
    .getByTestId('dataset-select')
    .locator('option')
    .filter({ hasText: /MNIST digits/ });
  await expect(option.first()).toBeAttached();
  await page
    .getByTestId('dataset-select')
    .selectOption({ label: (await option.first().textContent())! });
  await page.locator('input[name=noiseDim]').fill('32');
  await page.locator('input[name=steps]').fill('300');
  await page.locator('input[name=batchSize]').fill('64');
  await page.locator('input[name=dLearningRate]').fill('0.001');
  await page.locator('input[name=gLearningRate]').fill('0.001');
  await page.locator('input[name=galleryEvery]').fill('100');
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 120_000 });

  const gallery = page.getByTestId('gan-gallery-grid');
  await expect(gallery).toBeVisible();
  const tile = await pixelSpread(gallery, 1, 1, 28, 28);
  expect(tile.variance).toBeGreaterThan(200);
  expect(tile.levels).toBeGreaterThan(10);
  await expect(page.getByTestId('gan-view-slider')).toBeVisible();

  const use = page.getByTestId('gan-use-model');
  await use.getByTestId('gan-generate').click();
  const made = use.getByTestId('gan-generated');
  await expect(made).toBeVisible();
  expect((await pixelSpread(made, 1, 1, 28, 28)).variance).toBeGreaterThan(200);
  await page.screenshot({ path: test.info().outputPath('gan-digits-page.png'), fullPage: true });
});
