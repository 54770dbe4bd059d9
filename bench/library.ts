/**
 * Run library and compare view at scale: a store with 1,000 runs and 10 million metric points.
 * Measures, in Chromium against the web shell:
 *  - library: from clicking "Runs" (in-app navigation) to the table showing all 1,000 runs;
 *  - compare: from opening a comparison of 6 runs × 10,000 points to its charts drawn.
 * Target (issue 4): library < 300 ms, compare < 500 ms. Medians of 5.
 * Run: npx tsx bench/library.ts   (needs the build and /usr/bin/chromium)
 */
import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumFlags } from '../playwright.config';
import { removeDir, startWebShell } from '../test/e2e/web-shell';
import { migrate } from '../src/main/host/migrations';
import Database from 'better-sqlite3';

const RUNS = 1000;
const POINTS_PER_RUN = 10_000;
const repeats = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function buildStore(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  migrate(db);
  const run = db.prepare(
    `INSERT INTO runs (name, algorithm, dataset_id, dataset_name, columns_json, params_json, seed, status,
       backend, progress, summary_json, started_at, finished_at)
     VALUES (?, 'gmm', NULL, 'synthetic', '["x","y"]', ?, ?, 'completed', 'wasm', 1, ?, ?, ?)`,
  );
  const metric = db.prepare(
    `INSERT INTO metrics (run_id, key, step, value, wall_ms) VALUES (?, 'meanLogLikelihood', ?, ?, ?)`,
  );
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  db.transaction(() => {
    for (let r = 1; r <= RUNS; r++) {
      const k = 1 + (r % 8);
      const ll = -3 - 1 / k;
      run.run(
        `run ${r}`,
        JSON.stringify({
          k,
          covarianceType: 'full',
          init: 'kmeans',
          nInit: 1,
          maxIter: POINTS_PER_RUN,
          tol: 1e-9,
          regCovar: 1e-6,
          standardize: false,
        }),
        r,
        JSON.stringify({
          covarianceType: 'full',
          meanLogLikelihood: ll,
          bic: 1000 + r,
          aic: 900 + r,
          iterations: POINTS_PER_RUN,
          converged: false,
        }),
        new Date(t0 + r * 60_000).toISOString(),
        new Date(t0 + r * 60_000 + 5000).toISOString(),
      );
      for (let s = 1; s <= POINTS_PER_RUN; s++) metric.run(r, s, ll - 2 / s, s * 0.5);
    }
  })();
  db.close();
}

const dataDir = mkdtempSync(join(tmpdir(), 'latent-lab-bench-library-'));
const t0 = performance.now();
buildStore(join(dataDir, 'latent-lab.db'));
const buildSeconds = (performance.now() - t0) / 1000;

const shell = await startWebShell(dataDir);
const url = shell.url;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumFlags });
const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
await page.goto(url + '#/data');
await page.getByTestId('dataset').first().waitFor();

const library: number[] = [];
const compare: number[] = [];
for (let i = 0; i < repeats; i++) {
  await page.goto(url.split('?')[0] + '#/data');
  await page.getByTestId('dataset').first().waitFor();
  const ms = await page.evaluate(async (runs) => {
    const start = performance.now();
    (document.querySelector('a[href="#/runs"]') as HTMLAnchorElement).click();
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      if (document.querySelectorAll('[data-testid=run-row]').length === runs)
        return performance.now() - start;
    }
  }, RUNS);
  library.push(ms);

  const ids = [1, 2, 3, 4, 5, 6].map((x) => x + i * 6);
  const drawn = await page.evaluate(async (ids) => {
    const start = performance.now();
    location.hash = `#/compare?ids=${ids.join(',')}`;
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      const chart = document.querySelector('[data-testid="compare-chart-meanLogLikelihood"]');
      const at = chart?.getAttribute('data-drawn');
      if (at) return Number(at) - start;
    }
  }, ids);
  compare.push(drawn);
}
await browser.close();
await shell.stop();
removeDir(dataDir);

console.log(
  JSON.stringify({
    benchmark: 'run_library',
    runs: RUNS,
    metric_points: RUNS * POINTS_PER_RUN,
    store_build_seconds: Math.round(buildSeconds * 10) / 10,
    library_open_ms_median: Math.round(median(library)),
    library_open_ms_all: library.map(Math.round),
    library_target_ms: 300,
    compare_6x10000_draw_ms_median: Math.round(median(compare)),
    compare_draw_ms_all: compare.map(Math.round),
    compare_target_ms: 500,
  }),
);
