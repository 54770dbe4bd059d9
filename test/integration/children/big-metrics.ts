/**
 * Run by export-hostile.test.ts in its own process (`node --import tsx`), so that the process's
 * peak memory is this work's alone: imports the run folder given, exports it to a folder and as
 * a zip, and prints one JSON line with its peak RSS (`process.resourceUsage().maxRSS`).
 *
 *   node --import tsx big-metrics.ts DB RUN_FOLDER OUT_FOLDER
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { exportRuns, exportRunsZip, importRunFolder } from '../../../src/main/host/export';
import { Store } from '../../../src/main/host/store';

const [db, folder, out] = process.argv.slice(2);
const store = new Store(db);
const started = performance.now();
const run = await importRunFolder(store, folder);
const imported = (
  store.db.prepare('SELECT COUNT(*) AS n FROM metrics WHERE run_id = ?').get(run.id) as {
    n: number;
  }
).n;
const importSeconds = (performance.now() - started) / 1000;
await exportRuns(store, [run.id], out, { overwrite: false, appVersion: 'test' });
const exportSeconds = (performance.now() - started) / 1000 - importSeconds;
const zip = await exportRunsZip(store, [run.id], { appVersion: 'test' });
// Not closed: closing checkpoints the 100 MB write-ahead log, which measures the disk, not this.
console.log(
  JSON.stringify({
    imported,
    metricsCsvBytes: statSync(join(out, 'metrics.csv')).size,
    zipBytes: zip.data.length,
    importSeconds,
    exportSeconds,
    seconds: (performance.now() - started) / 1000,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
