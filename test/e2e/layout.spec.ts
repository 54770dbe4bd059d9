/**
 * The habit that keeps layouts whole: every page (data, a data set, the new-run form of each
 * algorithm, runs, a run of each algorithm, compare) at 1440 × 900 and 1024 × 700, in English and
 * Chinese, with a 198-character name without a space in play. A page must not scroll sideways,
 * and nothing may stick out of its page or card (unless inside something that scrolls or clips it
 * on purpose). Every chart's legend must show each entry in the colour its series is drawn in.
 * Each page's screenshot is kept in the test's results folder.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { Store } from '../../src/main/host/store';
import { webShellForFile } from './web-shell';

const shell = webShellForFile(test);
const LONG_NAME = `Measurements_${'x'.repeat(170)}_of_the_final_month`;

/**
 * A table with the long name, and a small finished run of each algorithm (a few seconds each): a
 * GMM on it (K = 2, and K = 12 for a long legend), a VAE and an RBM on the bundled digits, a GAN on
 * the ring, and MCMC and NUTS on the banana.
 */
async function seed(): Promise<{ datasetId: number; runIds: number[]; more: [string, number][] }> {
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
  const digits = ['--data', 'builtin:mnist', '--set', 'epochs=1', '--set', 'hiddenUnits=32'];
  const more: [string, string[]][] = [
    ['gmm k12 run', ['gmm', '--data', `dataset:${datasetId}`, '--set', 'k=12']],
    ['vae run', ['vae', ...digits, '--set', 'latentDim=2', '--set', 'iwaeK=5']],
    ['rbm run', ['rbm', ...digits, '--set', 'aisRuns=5', '--set', 'aisTemperatures=50']],
    ['gan run', ['gan', '--set', 'steps=200', '--set', 'gUnits=16', '--set', 'dUnits=16']],
    ['hmc run', ['hmc', '--set', 'draws=300', '--set', 'warmup=200', '--set', 'pace=full']],
  ];
  const ran: [string, number][] = [];
  for (const [what, args] of more) ran.push([what, runId(await cli(['run', ...args]))]);
  return { datasetId, runIds: [runId(gmm), runId(mcmc)], more: ran };
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

/**
 * Legend entries whose colour is not the colour their series is drawn in, in every chart on the
 * page: the legend's own colour for the entry against each series of that name's colour and each
 * of its points' colours, as ECharts resolved them (so per-point colours and visual maps count).
 */
async function legendMismatches(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    interface Visual {
      fill?: unknown;
      stroke?: unknown;
    }
    interface SeriesModel {
      subType: string;
      getData():
        | undefined
        | {
            count(): number;
            getVisual(k: 'style'): Visual;
            getItemVisual(i: number, k: 'style'): Visual;
          };
    }
    interface Chart {
      getOption(): { legend?: { show?: boolean; data?: unknown[] }[] };
      getModel(): { getSeriesByName(name: string): SeriesModel[] };
    }
    const instanceOf = (globalThis as { echartsInstanceOf?: (el: Element) => Chart | undefined })
      .echartsInstanceOf;
    if (!instanceOf) return ['the charts are not reachable (EChart exposes echartsInstanceOf)'];
    const ctx = document.createElement('canvas').getContext('2d')!;
    // Any CSS colour as r,g,b (opacity aside: faint warm-up dots are still the chain's colour).
    const rgb = (c: unknown): string | null => {
      if (typeof c !== 'string' || c === 'none' || c === 'transparent') return null;
      ctx.fillStyle = '#000';
      ctx.fillStyle = c;
      const s = ctx.fillStyle;
      if (s.startsWith('#')) return [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16)).join(',');
      return (s.match(/[\d.]+/g) ?? []).slice(0, 3).join(',');
    };
    const found: string[] = [];
    document.querySelectorAll('.chart').forEach((el, n) => {
      const chart = instanceOf(el);
      if (!chart) return;
      const title = `chart ${n + 1} (${(el.closest('.card, section')?.querySelector('h2, h3')?.textContent ?? '').slice(0, 30)})`;
      for (const legend of chart.getOption().legend ?? []) {
        if (legend.show === false) continue;
        for (const entry of legend.data ?? []) {
          const name = typeof entry === 'string' ? entry : (entry as { name: string }).name;
          const series = chart.getModel().getSeriesByName(name);
          if (!series.length) continue;
          const pick = (s: SeriesModel, v: Visual) =>
            rgb(s.subType === 'line' || s.subType === 'lines' ? v.stroke : v.fill);
          const own = (entry as { itemStyle?: { color?: unknown } }).itemStyle?.color;
          // A series not drawn yet has no data to read: it is read at the next look.
          const drawn = series.filter((s) => s.getData());
          if (!drawn.length) continue;
          const shown = rgb(own) ?? pick(drawn[0], drawn[0].getData()!.getVisual('style'));
          for (const s of drawn) {
            const data = s.getData()!;
            const colours = new Set([pick(s, data.getVisual('style'))]);
            for (let i = 0; i < Math.min(data.count(), 300); i++)
              colours.add(rgb(data.getItemVisual(i, 'style')?.fill));
            colours.delete(null);
            for (const c of colours)
              if (c !== shown)
                found.push(
                  `${title}: legend “${name}” is rgb(${shown}), its series draws rgb(${c})`,
                );
          }
        }
      }
    });
    return [...new Set(found)].slice(0, 8);
  });
}

const viewports = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
];

for (const lang of ['en', 'zh'] as const)
  test(`every page holds its layout with long names (${lang})`, async ({ page }, testInfo) => {
    test.setTimeout(420_000);
    const { datasetId, runIds, more } = await seed();
    await page.addInitScript((l) => localStorage.setItem('latent-lab.lang', l), lang);
    const problems: string[] = [];
    const look = async (what: string, size: (typeof viewports)[number]) => {
      await page.waitForTimeout(600); // charts and late rows settle
      const found = [...(await overflows(page)), ...(await legendMismatches(page))];
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
        ...more.map(([what, id]): [string, string] => [what, `#/run/${id}`]),
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
