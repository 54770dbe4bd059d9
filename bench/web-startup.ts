/**
 * How fast `npm run web` (on a built checkout) serves an interactive page: from starting the web
 * shell process to the data page listing the bundled data sets in Chromium. Fresh data folder
 * each time (so it includes creating the database and importing the bundled sets).
 * Run: npx tsx bench/web-startup.ts   (needs the build and /usr/bin/chromium)
 */
import { chromium } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumFlags } from '../playwright.config';
import { removeDir, startWebShell } from '../test/e2e/web-shell';

const repeats = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumFlags });
const serverReady: number[] = [];
const interactive: number[] = [];
for (let i = 0; i < repeats; i++) {
  const dataDir = mkdtempSync(join(tmpdir(), 'latent-lab-bench-'));
  const t0 = performance.now();
  const shell = await startWebShell(dataDir);
  const url = shell.url;
  serverReady.push(performance.now() - t0);
  const page = await browser.newPage();
  await page.goto(url);
  await page.getByTestId('dataset').first().waitFor();
  interactive.push(performance.now() - t0);
  await page.close();
  await shell.stop();
  removeDir(dataDir);
}
await browser.close();
console.log(
  JSON.stringify({
    benchmark: 'web_startup',
    repeats,
    server_ready_ms_median: Math.round(median(serverReady)),
    page_interactive_ms_median: Math.round(median(interactive)),
    page_interactive_ms_all: interactive.map(Math.round),
    target_ms: 2000,
  }),
);
