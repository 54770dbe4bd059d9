/**
 * The habit that keeps layouts whole: every page (data, a data set, the new-run form of each
 * algorithm, runs, a run of a data set and of a fixed target, compare) at 1440 × 900 and
 * 1024 × 700, in English and Chinese, with a 198-character name without a space in play. A page
 * must not scroll sideways, and nothing may stick out of its page or card (unless inside something
 * that scrolls or clips it on purpose). Each page's screenshot is kept in the test's results folder.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { Store } from '../../src/main/host/store';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);
const LONG_NAME = `Measurements_${'x'.repeat(170)}_of_the_final_month`;

/** A table with the long name, and two finished runs: a GMM on it and a sampler of a fixed target. */
async function seed(): Promise<{ datasetId: number; runIds: number[] }> {
  const store = new Store(join(shell.dataDir, 'latent-lab.db'));
  let datasetId: number;
  try {
    const rows = 300;
    const values = new Float64Array(rows * 2);
    for (let i = 0; i < rows; i++) values.set([(i % 2) * 5 + Math.sin(i), Math.cos(i * 7)], i * 2);
    datasetId = store.insertDataset({
      name: LONG_NAME,
      columns: ['a_rather_long_column_name_without_spaces_x', 'y'].map((name) => ({
        name,
        type: 'number' as const,
        missing: 0,
      })),
      rows,
      values,
    }).id;
  } finally {
    store.close();
  }
  const cli = (args: string[]) =>
    promisify(execFile)(process.execPath, [resolve('out/main/cli.js'), ...args, '--json'], {
      env: { ...process.env, LATENT_LAB_DATA_DIR: shell.dataDir },
    });
  const gmm = await cli(['run', 'gmm', '--data', `dataset:${datasetId}`, '--set', 'k=2']);
  const mcmc = await cli(['run', 'mcmc', '--set', 'draws=500', '--set', 'warmup=200']);
  const runId = (out: { stdout: string }) =>
    (JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { runId: number }).runId;
  return { datasetId, runIds: [runId(gmm), runId(mcmc)] };
}

/** What sticks out: the page sideways, and any element past its card's edges. */
async function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth)
      found.push(`the page is ${doc.scrollWidth} px wide in a ${doc.clientWidth} px window`);
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''} “${(el.textContent ?? '').slice(0, 40)}”`;
    for (const card of document.querySelectorAll('.page, .card')) {
      const box = card.getBoundingClientRect();
      for (const el of card.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        if (r.right <= box.right + 1 && r.left >= box.left - 1) continue;
        // Inside something that scrolls or clips sideways on purpose (a wide table): fine.
        let clipped = false;
        for (let p = el.parentElement; p && p !== card; p = p.parentElement)
          if (getComputedStyle(p).overflowX !== 'visible') clipped = true;
        if (!clipped)
          found.push(
            `${describe(el)} reaches ${Math.round(r.right)} px, its card ends at ${Math.round(box.right)} px`,
          );
      }
    }
    return found.slice(0, 8);
  });
}

const viewports = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
];

for (const lang of ['en', 'zh'] as const)
  test(`every page holds its layout with long names (${lang})`, async ({ page }, testInfo) => {
    test.setTimeout(240_000);
    const { datasetId, runIds } = await seed();
    await page.addInitScript((l) => localStorage.setItem('latent-lab.lang', l), lang);
    const problems: string[] = [];
    const look = async (what: string, size: (typeof viewports)[number]) => {
      await page.waitForTimeout(600); // charts and late rows settle
      const found = await overflows(page);
      problems.push(...found.map((f) => `${what} at ${size.width} × ${size.height}: ${f}`));
      // Kept as the test's artifacts (test-results/), to look at.
      await page.screenshot({
        path: testInfo.outputPath(`${lang}-${size.width}-${what.replace(/[^a-z0-9]+/gi, '-')}.png`),
        fullPage: true,
      });
    };
    for (const size of viewports) {
      await page.setViewportSize(size);
      const pages: [string, string][] = [
        ['data', '#/data'],
        ['dataset', `#/data/${datasetId}`],
        ['runs', '#/runs'],
        ['gmm run', `#/run/${runIds[0]}`],
        ['mcmc run', `#/run/${runIds[1]}`],
        ['compare', `#/compare?ids=${runIds.join(',')}`],
      ];
      for (const [what, hash] of pages) {
        await page.goto(shell.url + hash);
        await expect(page.locator('.page').first()).toBeVisible();
        // Dates read the same everywhere: 2026-12-03 16:59, not 03/12/2026.
        if (what === 'runs')
          await expect(page.locator('.runs-table tbody tr').first()).toContainText(
            /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/,
          );
        await look(what, size);
      }
      await page.goto(shell.url + `#/new?dataset=${datasetId}`);
      const algorithms = page.getByTestId('algorithm');
      await expect(algorithms).toBeVisible();
      const ids = await algorithms
        .locator('option')
        .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
      for (const id of ids) {
        await algorithms.selectOption(id);
        await look(`new ${id}`, size);
      }
    }
    expect(problems).toEqual([]);
  });
