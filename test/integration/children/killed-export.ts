/**
 * Run by export-hostile.test.ts in its own process (`node --import tsx`): exports run RUN_ID of
 * DB into OUT and is killed with SIGKILL part way — while the files are written (`writing`: as
 * the third file is opened) or while they are put in place (`moving`: at the second rename) —
 * as a user's kill -9 or a power cut would stop it.
 *
 *   node --import tsx killed-export.ts DB RUN_ID OUT writing|moving [--overwrite]
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { exportRuns } from '../../../src/main/host/export';
import { Store } from '../../../src/main/host/store';

const [db, runId, out, when, overwrite] = process.argv.slice(2);
const die = () => process.kill(process.pid, 'SIGKILL');
let calls = 0;
if (when === 'writing') {
  const open = fs.promises.open;
  fs.promises.open = (async (...args: Parameters<typeof open>) => {
    if (args[1] === 'wx' && ++calls === 3) die();
    return open(...args);
  }) as typeof open;
} else {
  const rename = fs.promises.rename;
  fs.promises.rename = (async (...args: Parameters<typeof rename>) => {
    if (++calls === 2) die();
    return rename(...args);
  }) as typeof rename;
}
syncBuiltinESMExports();
const store = new Store(db);
await exportRuns(store, [Number(runId)], out, {
  overwrite: overwrite === '--overwrite',
  appVersion: 'test',
});
console.log('not killed');
