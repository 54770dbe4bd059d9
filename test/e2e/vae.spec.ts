/**
 * The VAE from the UI in a real browser against the real web shell: a small model on Old Faithful
 * with a Gaussian likelihood runs to the end with its charts, result and latent plot; and, on the
 * bundled digits, one short epoch draws galleries that are pictures, not blank squares. Both then
 * use the saved model: new samples, and the decoded path between two picked test examples. A run
 * the engine refuses shows its reason (in either language) and no empty charts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { Store } from '../../src/main/host/store';
import { toImageGrid } from '../../src/shared/image-grid';
import { readVaeModel, type VaeModelMeta } from '../../src/shared/vae-model';
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

async function finish(page: Page): Promise<number> {
  await expect(page).toHaveURL(/#\/run\/\d+$/);
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
  return Number(/#\/run\/(\d+)$/.exec(page.url())![1]);
}

/** The run's saved model and data set as the host stored them, read straight from the database. */
function storedRun(runId: number) {
  const store = new Store(join(shell.dataDir, 'latent-lab.db'));
  try {
    const run = store.getRun(runId)!;
    const [saved] = store.listArtifacts(runId, 'model', true);
    const meta = saved.meta as VaeModelMeta;
    return {
      meta,
      model: readVaeModel(meta, saved.data as Float32Array),
      /** The pixels of each recorded test example. */
      examples: meta.exampleRows!.map((r) => store.datasetImages(run.datasetId!, r, 1)!.pixels),
    };
  } finally {
    store.close();
  }
}

/** The grey levels of tile `i` of a one-row image grid canvas of `w` × `h` tiles (1-pixel gaps). */
function tilePixels(canvas: Locator, i: number, w: number, h: number): Promise<number[]> {
  return canvas.evaluate(
    (el: HTMLCanvasElement, [x0, w0, h0]) => {
      const px = el.getContext('2d')!.getImageData(x0, 1, w0, h0).data;
      return Array.from({ length: w0 * h0 }, (_, k) => px[k * 4]);
    },
    [1 + i * (w + 1), w, h],
  );
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

  // The saved model: new rows over the data, and the path between two test rows.
  const use = page.getByTestId('vae-use-model');
  await use.getByTestId('vae-generate').click();
  await expect(use.getByTestId('vae-generated-view')).toHaveAttribute('data-drawn', /\d/);
  const generated = use.getByTestId('vae-generated-result');
  await expect(generated).toContainText('500 samples');
  await expect(generated.locator('tbody tr')).toHaveCount(8);
  await expect(generated.locator('th')).toHaveText(['eruptions', 'waiting']);
  await use.getByTestId('vae-example-1').click();
  await use.getByTestId('vae-example-4').click();
  await expect(use.getByTestId('vae-example-1')).toHaveText('A');
  await expect(use.getByTestId('vae-example-4')).toHaveText('B');
  const path = use.getByTestId('vae-interpolation-result');
  await expect(path.locator('tbody tr')).toHaveCount(10);
  const values = await path
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => Number(td.textContent))),
    );
  // Minutes and minutes between eruptions, in the data's units.
  for (const [eruptions, waiting] of values) {
    expect(eruptions).toBeGreaterThan(0.5);
    expect(eruptions).toBeLessThan(6.5);
    expect(waiting).toBeGreaterThan(30);
    expect(waiting).toBeLessThan(110);
  }
  expect(values[0]).not.toEqual(values[9]);
  await use.screenshot({ path: test.info().outputPath('vae-table-use-model.png') });
});

test('two epochs of a small VAE on the bundled digits: real galleries, samples, interpolation', async ({
  page,
}) => {
  await newVaeRun(page, /MNIST digits/);
  await expect(page.getByTestId('image-dataset')).toContainText('28 × 28 × 1');
  await page.locator('input[name=latentDim]').fill('2');
  // Enough training for the saved model's samples to be more than blurs (a few seconds).
  await page.locator('input[name=hiddenUnits]').fill('128');
  await page.locator('input[name=learningRate]').fill('0.003');
  await page.locator('input[name=epochs]').fill('2');
  await page.locator('input[name=iwaeK]').fill('0');
  await page.locator('input[name=galleryEvery]').fill('30');
  await page.getByTestId('run-button').click();
  const runId = await finish(page);

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

  // New digits from the saved model: 64 tiles that are pictures, and not all the same.
  const use = page.getByTestId('vae-use-model');
  await use.locator('input[name=vaeSeed]').fill('5');
  await use.getByTestId('vae-generate').click();
  const generated = use.getByTestId('vae-generated');
  await expect(generated).toBeVisible();
  expect(await generated.evaluate((el: HTMLCanvasElement) => [el.width, el.height])).toEqual([
    8 * 29 + 1,
    8 * 29 + 1,
  ]);
  const tiles = await Promise.all([0, 1, 2].map((i) => tilePixels(generated, i, 28, 28)));
  for (const tile of tiles) {
    const mean = tile.reduce((a, b) => a + b, 0) / tile.length;
    const variance = tile.reduce((a, b) => a + (b - mean) ** 2, 0) / tile.length;
    // Grey squares have a spread near 0; these digits' strokes on black, about 30 to 40.
    expect(Math.sqrt(variance)).toBeGreaterThan(20);
    expect(Math.max(...tile) - Math.min(...tile)).toBeGreaterThan(100);
  }
  expect(tiles[1]).not.toEqual(tiles[0]);

  // Interpolation: test examples A then B, and the decoded path between them.
  await expect(use.getByTestId('vae-example-31')).toBeVisible();
  await use.getByTestId('vae-example-2').click();
  await use.getByTestId('vae-example-7').click();
  await expect(use.getByTestId('vae-example-2')).toHaveAttribute('aria-pressed', 'true');
  const strip = use.getByTestId('vae-interpolation');
  await expect(strip).toBeVisible();
  expect(await strip.evaluate((el: HTMLCanvasElement) => el.width)).toBe(10 * 29 + 1);
  // The first tile is A's decoded latent mean, the last B's: from the stored model and pixels.
  const stored = storedRun(runId);
  const decodedRow = (example: number) => {
    const pixels = Float64Array.from(stored.examples[example], (v) => v / 255);
    const x = stored.model.decode(stored.model.encodeMean(pixels, 1), 1);
    return Array.from(toImageGrid(x, stored.meta.image!, { role: 'samples', columns: 1 }).data);
  };
  const [a, b] = [decodedRow(2), decodedRow(7)];
  expect(a).not.toEqual(b);
  expect(await tilePixels(strip, 0, 28, 28)).toEqual(a);
  expect(await tilePixels(strip, 9, 28, 28)).toEqual(b);
  await use.screenshot({ path: test.info().outputPath('vae-digits-use-model.png') });

  // The strip as a PNG file: the picture on the page, ten tiles wide.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    use.getByRole('button', { name: 'Download as PNG' }).nth(1).click(),
  ]);
  const rows = stored.meta.exampleRows!;
  expect(download.suggestedFilename()).toBe(
    `run-${runId}-interpolation-rows-${rows[2] + 1}-${rows[7] + 1}.png`,
  );
  const png = readFileSync((await download.path())!);
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([10 * 29 + 1, 28 + 2]);

  // Fewer steps: the strip follows.
  await use.locator('input[name=vaeSteps]').fill('5');
  await expect.poll(() => strip.evaluate((el: HTMLCanvasElement) => el.width)).toBe(5 * 29 + 1);
});

test('a run the engine refuses says why in the page’s language, without empty charts', async ({
  page,
}) => {
  // A Bernoulli likelihood on minutes and waiting times: the engine stops before the first step.
  await newVaeRun(page, /Old Faithful/);
  await expect(page.locator('input[type=checkbox]').first()).toBeVisible();
  await page.getByTestId('run-button').click();
  await expect(page.getByTestId('run-status')).toHaveText('failed', { timeout: 60_000 });
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('a Bernoulli likelihood needs values in [0, 1]');
  await expect(page.getByTestId('nothing-recorded')).toBeVisible();
  await expect(page.getByTestId('vae-loss-chart')).toHaveCount(0);
  await page.getByTestId('lang-switch').click();
  await expect(alert).toContainText('Bernoulli 似然要求取值在 [0, 1] 内');
});
