/**
 * Run by export-hostile.test.ts in its own process (`node --import tsx`), so that the process's
 * peak memory is this work's alone: imports the run folder given, exports it to a folder and as
 * a zip streamed into a file, and prints one JSON line with its peak RSS (`process.resourceUsage().maxRSS`).
 *
 *   node --import tsx big-metrics.ts DB RUN_FOLDER OUT_FOLDER
 */
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { exportRuns, importRunFolder, prepareZip } from '../../../src/main/host/export';
import { Store } from '../../../src/main/host/store';

const [db, folder, out] = process.argv.slice(2);

/** The longest the event loop went without a turn while `work` ran (a server's stall), in ms. */
async function longestStall<T>(work: () => Promise<T>): Promise<[T, number]> {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
  }, 5);
  try {
    const result = await work();
    longest = Math.max(longest, performance.now() - last);
    return [result, longest];
  } finally {
    clearInterval(ticker);
  }
}

const store = new Store(db);
const started = performance.now();
const [run, importStallMs] = await longestStall(() => importRunFolder(store, folder));
const imported = (
  store.db.prepare('SELECT COUNT(*) AS n FROM metrics WHERE run_id = ?').get(run.id) as {
    n: number;
  }
).n;
const importSeconds = (performance.now() - started) / 1000;
const [, exportStallMs] = await longestStall(() =>
  exportRuns(store, [run.id], out, { overwrite: false, appVersion: 'test' }),
);
const exportSeconds = (performance.now() - started) / 1000 - importSeconds;
// As the web shell streams it: a piece at a time into a file, waiting when the file lags.
const zipFile = createWriteStream(join(out, '..', 'big.zip'));
const [, zipStallMs] = await longestStall(async () =>
  (await prepareZip(store, [run.id], { appVersion: 'test' }))(async (piece) => {
    if (!zipFile.write(piece)) await once(zipFile, 'drain');
  }),
);
await new Promise<void>((resolve) => zipFile.end(resolve));
// Not closed: closing checkpoints the 100 MB write-ahead log, which measures the disk, not this.
console.log(
  JSON.stringify({
    imported,
    metricsCsvBytes: statSync(join(out, 'metrics.csv')).size,
    zipBytes: statSync(join(out, '..', 'big.zip')).size,
    importSeconds,
    exportSeconds,
    importStallMs: Math.round(importStallMs),
    exportStallMs: Math.round(exportStallMs),
    zipStallMs: Math.round(zipStallMs),
    seconds: (performance.now() - started) / 1000,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
