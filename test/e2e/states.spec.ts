/**
 * States that explain themselves (issue 20), in a real browser against the web shell, in English
 * and Chinese: error pages that say what is wrong and lead back; the page a browser without the
 * token gets; queued runs that say they wait and where; a comparison in human words; a run whose
 * data set was deleted; names over their limit refused in the field, in the reader's language.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { Store } from '../../src/main/host/store';
import { specOf } from '../../src/shared/algorithms';
import type { ParamValues } from '../../src/shared/algorithms/fields';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);

/** The page in Chinese from now on (the choice is kept in the browser). */
async function toChinese(page: Page) {
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('lang-switch')).toHaveText('English');
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

test('error pages say what is wrong and lead back, in both languages', async ({ page }) => {
  await page.goto(`${shell.url}#/run/999`);
  await expect(page.getByTestId('page-error')).toHaveText(
    'There is no run 999: it may have been deleted, or the address is mistyped.',
  );
  await shot(page, 'no-run-en');
  await page.getByTestId('page-back').click();
  await expect(page).toHaveURL(/#\/runs$/);
  await expect(page.locator('h1')).toHaveText('Runs');

  await page.goto(`${shell.origin}/#/compare?ids=998,999`);
  await expect(page.getByTestId('page-error')).toContainText('These runs cannot be compared');
  await expect(page.getByTestId('page-back')).toHaveAttribute('href', '#/runs');
  await page.goto(`${shell.origin}/#/compare?ids=5`);
  await expect(page.getByTestId('page-error')).toHaveText(
    'Choose between 2 and 6 runs to compare.',
  );

  await toChinese(page);
  await page.goto(`${shell.origin}/#/run/999`);
  await expect(page.getByTestId('page-error')).toHaveText(
    '没有编号为 999 的运行：它可能已被删除，或地址有误。',
  );
  await expect(page.getByTestId('page-back')).toHaveText('← 全部运行');
  await shot(page, 'no-run-zh');
});

test('an address opened without its key: a page saying how to get in, reader’s language first', async ({
  browser,
}) => {
  for (const [locale, first, second] of [
    ['en-US', 'To open the app:', '打开应用的方法：'],
    ['zh-CN', '打开应用的方法：', 'To open the app:'],
  ]) {
    // Another browser profile: no cookie, and an address copied without its ?token=…
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const response = await page.goto(`${shell.origin}/#/runs`);
    expect(response!.status()).toBe(401);
    const text = await page.locator('body').innerText();
    expect(text.indexOf(first)).toBeGreaterThanOrEqual(0);
    expect(text.indexOf(second)).toBeGreaterThan(text.indexOf(first));
    expect(text).toContain('npm run web');
    expect(text).toContain(`${shell.origin}/?token=…`);
    expect(await page.content()).not.toContain(new URL(shell.url).searchParams.get('token')!);
    await page.screenshot({
      path: test.info().outputPath(`token-page-${locale}.png`),
      fullPage: true,
    });
    await context.close();
  }
});

test('runs beyond the free workers say they wait, and where they stand in the queue', async ({
  page,
}) => {
  // The web shell runs as many at once as the cores less one: hold them all with paused runs.
  const workers = Math.max(1, availableParallelism() - 1);
  const start = async (paused: boolean) => {
    await page.goto(`${shell.url}#/new`);
    await page.getByTestId('algorithm').selectOption('mcmc');
    await page.locator('select[name=target]').selectOption('correlated');
    if (paused) await page.locator('input[name=startPaused]').check();
    await page.getByTestId('run-button').click();
    await expect(page).toHaveURL(/#\/run\/\d+$/);
    return Number(/#\/run\/(\d+)/.exec(page.url())![1]);
  };
  const holding: number[] = [];
  for (let i = 0; i < workers; i++) {
    holding.push(await start(true));
    await expect(page.getByTestId('run-status')).toHaveText('paused', { timeout: 15_000 });
  }
  const next = await start(false);
  await expect(page.getByTestId('run-status')).toHaveText('queued');
  const after = await start(false);
  const place = page.getByTestId('queue-place');
  await expect(place).toHaveText(
    `Waiting for a free worker: number 2 in the queue (the app runs ${workers} at a time).`,
  );
  await toChinese(page);
  await expect(place).toHaveText(
    `正在等待空闲的工作进程：排在队列第 2 位（同时最多运行 ${workers} 个）。`,
  );
  await shot(page, 'queued-zh');
  // The one ahead leaves the queue: this page follows without a reload.
  await page.evaluate(() => localStorage.setItem('latent-lab.lang', 'en'));
  const other = await page.context().newPage();
  await other.goto(`${shell.origin}/#/run/${next}`);
  await other.getByRole('button', { name: 'Cancel' }).click();
  await expect(other.getByTestId('run-status')).toHaveText('cancelled');
  await expect(place).toContainText('下一个就轮到它');
  await page.reload();
  await expect(place).toHaveText(
    `Waiting for a free worker: next in the queue (the app runs ${workers} at a time).`,
  );
  await shot(page, 'queued-en');
  for (const id of [after, ...holding]) {
    await other.goto(`${shell.origin}/#/run/${id}`);
    await other.getByRole('button', { name: 'Cancel' }).click();
    await expect(other.getByTestId('run-status')).toHaveText('cancelled');
  }
});

/** A small two-column table straight into the shell's database. */
function addBlobs(): number {
  const store = new Store(join(shell.dataDir, 'latent-lab.db'));
  try {
    const rows = 200;
    const values = Float64Array.from({ length: rows * 2 }, (_, i) =>
      i % 2 === 0 ? (i % 4 === 0 ? 0 : 4) + Math.sin(i) : Math.cos(i * 1.3),
    );
    return store.insertDataset({
      name: 'Blobs',
      columns: ['a', 'b'].map((name) => ({ name, type: 'number' as const, missing: 0 })),
      rows,
      values,
    }).id;
  } finally {
    store.close();
  }
}

test('a comparison in human words; names over their limit; a run whose data set was deleted', async ({
  page,
}) => {
  const blobs = addBlobs();
  const fit = async (dataset: string, restarts: number) => {
    await page.goto(`${shell.url}#/new`);
    await page.getByTestId('dataset-select').selectOption({ label: dataset });
    await page.locator('input[name=k]').fill('2');
    await page.locator('input[name=nInit]').fill(String(restarts));
    await page.getByTestId('run-button').click();
    await expect(page.getByTestId('run-status')).toHaveText('completed');
    return Number(/#\/run\/(\d+)/.exec(page.url())![1]);
  };
  const onBlobs = await fit('Blobs (200 rows)', 3);
  const onFaithful = await fit('Old Faithful (272 rows)', 1);

  // A name over 200 characters is refused in the field, saying so, before anything is sent.
  const name = page.getByTestId('run-name');
  await name.fill('n'.repeat(201));
  await expect(page.getByTestId('run-name-limit')).toHaveText(
    'At most 200 characters: this has 201.',
  );
  await expect(page.getByTestId('run-save')).toBeDisabled();
  await name.fill('n'.repeat(200));
  await expect(page.getByTestId('run-name-limit')).toHaveCount(0);
  await page.getByTestId('run-tags').fill(`fine, ${'t'.repeat(41)}`);
  await expect(page.getByTestId('run-tags-limit')).toContainText('A tag has at most 40 characters');
  await expect(page.getByTestId('run-save')).toBeDisabled();
  await page.getByTestId('run-tags').fill('fine');
  await expect(page.getByTestId('run-save')).toBeEnabled();
  // A folder for the host is a full path: a relative one is said so before it is sent.
  await page.getByTestId('export-dir').fill('exports/run');
  await expect(page.getByTestId('export-dir-problem')).toHaveText(
    'A full path from the root is needed, like /home/me/exports or C:\\exports.',
  );
  await expect(page.getByTestId('export-button')).toBeDisabled();
  await page.getByTestId('export-dir').fill('/tmp/exports/run');
  await expect(page.getByTestId('export-dir-problem')).toHaveCount(0);
  await page.goto(`${shell.origin}/#/new`);
  await page.locator('input[name=name]').fill('m'.repeat(250));
  await expect(page.getByTestId('run-name-limit')).toHaveText(
    'At most 200 characters: this has 250.',
  );
  await expect(page.getByTestId('run-button')).toBeDisabled();

  // The comparison names the algorithm and the best restart as people say them.
  await page.goto(`${shell.origin}/#/compare?ids=${onBlobs},${onFaithful}`);
  const params = page.getByTestId('compare-params');
  const summary = page.getByTestId('compare-summary');
  await expect(params.locator('tr').filter({ hasText: 'algorithm' }).locator('td')).toHaveText([
    'Gaussian mixture (EM)',
    'Gaussian mixture (EM)',
  ]);
  const best = summary.locator('tr').filter({ hasText: 'best restart' }).locator('td');
  await expect(best).toHaveCount(2);
  const [first, second] = (await best.allTextContents()).map((s) => Number(s.trim()));
  expect(first).toBeGreaterThanOrEqual(1);
  expect(first).toBeLessThanOrEqual(3);
  expect(second).toBe(1);
  // No row is named by a program's word (camelCase) instead of a reader's.
  for (const th of await page.locator('[data-testid^=compare-] tbody th').allTextContents())
    expect(th).not.toMatch(/^[a-z]+[A-Z]\w*$/);
  await shot(page, 'compare-en');
  await toChinese(page);
  await expect(params.locator('tr').filter({ hasText: '算法' }).locator('td').first()).toHaveText(
    '高斯混合模型（EM）',
  );
  await expect(summary).toContainText('最佳重启');
  await shot(page, 'compare-zh');

  // The data set is deleted: its run says so, in its header and where its view drew the data.
  const store = new Store(join(shell.dataDir, 'latent-lab.db'));
  try {
    expect(store.deleteDataset(blobs)).toBe(true);
  } finally {
    store.close();
  }
  await page.goto(`${shell.origin}/#/run/${onBlobs}`);
  await expect(page.getByTestId('dataset-gone')).toHaveText(
    '数据集“Blobs”在这次运行之后被删除了。运行的结果仍然保留，但需要画出数据的视图无法显示，也不能再次运行。',
  );
  await expect(page.getByTestId('view-data-gone')).toBeVisible();
  await expect(page.getByTestId('mixture-view')).toHaveCount(0);
  await shot(page, 'dataset-gone-zh');
  await page.getByTestId('lang-switch').click();
  await expect(page.getByTestId('dataset-gone')).toContainText(
    'The data set “Blobs” was deleted after this run.',
  );
  await expect(page.getByTestId('view-data-gone')).toHaveText(
    'The data this view draws over is gone: its data set was deleted.',
  );
  await shot(page, 'dataset-gone-en');
  // So do the run library and the comparison, where the fitted model was drawn over the data.
  await page.goto(`${shell.origin}/#/runs`);
  await expect(
    page.getByTestId('run-row').filter({ has: page.locator(`a[href="#/run/${onBlobs}"]`) }),
  ).toContainText('Blobs (deleted)');
  await page.goto(`${shell.origin}/#/compare?ids=${onBlobs},${onFaithful}`);
  await expect(page.getByTestId('compare-data-gone')).toHaveText(
    `#${onBlobs} gmm on Blobs: The data this view draws over is gone: its data set was deleted.`,
  );
});

test('the tfjs-node note: in the reader’s language even on an older run, never on a run without tensors', async ({
  page,
}) => {
  // Two runs as older versions kept them: the note in English only, with no text to translate.
  const english = 'native TensorFlow (@tensorflow/tfjs-node) is not installed here';
  const store = new Store(join(shell.dataDir, 'latent-lab.db'));
  const ids: Record<string, number> = {};
  try {
    for (const [algorithm, backend] of [
      ['gmm', 'wasm'],
      ['mcmc', 'js'],
    ]) {
      const run = store.createRun({
        name: `older ${algorithm}`,
        algorithm,
        datasetId: null,
        datasetName: '',
        columns: [],
        params: specOf(algorithm)!.params.parse({}) as ParamValues,
        seed: 0,
      });
      store.markRunning(run.id);
      store.setBackend(run.id, backend);
      store.addNote(run.id, english);
      store.finishRun(run.id, 'cancelled', {});
      ids[algorithm] = run.id;
    }
  } finally {
    store.close();
  }
  await page.goto(`${shell.url}#/run/${ids.gmm}`);
  await expect(page.getByTestId('run-note-item')).toHaveText(english);
  await toChinese(page);
  await expect(page.getByTestId('run-note-item')).toHaveText(
    '这里没有安装原生 TensorFlow（@tensorflow/tfjs-node）',
  );
  // A sampler runs on plain JavaScript: what tfjs lacks is not said of it.
  await page.goto(`${shell.origin}/#/run/${ids.mcmc}`);
  await expect(page.getByTestId('run-status')).toHaveText('已取消');
  await expect(page.getByTestId('run-note-item')).toHaveCount(0);
});
