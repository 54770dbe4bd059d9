import {
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../src/shared/api';
import {
  hashValues,
  Store,
  VALUES_FILE_FROM_BYTES,
  type MetricPoint,
} from '../../src/main/host/store';
import { localText, translate } from '../../src/shared/i18n';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'latent-lab-store-'));
  store = new Store(join(dir, 'test.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const columns: ColumnInfo[] = [
  { name: 'x', type: 'number', missing: 0 },
  { name: 'y', type: 'integer', missing: 0 },
];

function addDataset(name = 'set') {
  // Values that do not survive a float32 or decimal-text round trip.
  const values = Float64Array.from([0.1, 1 / 3, -1e-300, 2 ** 53 + 2, Math.PI, -0]);
  return { meta: store.insertDataset({ name, columns, rows: 3, values }), values };
}

function addRun(datasetId: number) {
  return store.createRun({
    name: 'r',
    algorithm: 'gmm',
    datasetId,
    datasetName: 'set',
    columns: ['x', 'y'],
    params: { k: 2, maxIter: 10, tol: 1e-3, regCovar: 1e-6 },
    seed: 7,
  });
}

describe('Store', () => {
  it('round-trips data sets exactly', () => {
    const { meta, values } = addDataset('first');
    addDataset('second');
    expect(meta).toMatchObject({ name: 'first', rows: 3, columns, builtin: false });
    expect(meta.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(store.listDatasets().map((d) => d.name)).toEqual(['first', 'second']);
    const back = store.datasetValues(meta.id)!;
    expect(back.values).toBeInstanceOf(Float64Array);
    expect(Array.from(back.values)).toEqual(Array.from(values));
    expect(Object.is(back.values[5], -0)).toBe(true);
    expect(back).toMatchObject({ id: meta.id, columns: ['x', 'y'], rows: 3 });
    expect(store.datasetValues(9999)).toBeNull();
    expect(store.deleteDataset(meta.id)).toBe(true);
    expect(store.listDatasets().map((d) => d.name)).toEqual(['second']);
  });

  it("keeps a table's labels beside its values, renames, and leaves the hash to the values", () => {
    const values = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const plain = store.insertDataset({ name: 'plain', columns, rows: 3, values });
    const labelled = store.insertDataset({
      name: 'labelled',
      columns,
      rows: 3,
      values,
      labels: {
        column: '品种',
        names: ['setosa', 'virginica'],
        codes: Int32Array.from([1, -1, 0]),
      },
    });
    expect(plain).toMatchObject({ labels: false });
    expect(plain.labelColumn).toBeUndefined();
    expect(labelled).toMatchObject({ labels: true, labelColumn: '品种', hash: plain.hash });
    expect(store.datasetLabels(plain.id)).toBeNull();
    const back = store.datasetLabels(labelled.id)!;
    expect(back.names).toEqual(['setosa', 'virginica']);
    expect(Array.from(back.codes)).toEqual([1, -1, 0]);
    expect(() =>
      store.insertDataset({
        name: 'short',
        columns,
        rows: 3,
        values,
        labels: { column: 'c', names: ['a'], codes: Int32Array.from([0]) },
      }),
    ).toThrow(/3 rows need 3 labels, got 1/);
    expect(store.renameDataset(labelled.id, 'renamed')).toBe(true);
    expect(store.getDataset(labelled.id)?.name).toBe('renamed');
    expect(store.renameDataset(9999, 'x')).toBe(false);
  });

  it('lists builtin data sets first and finds them by name', () => {
    addDataset('imported');
    store.insertDataset({
      name: 'Old Faithful',
      columns,
      rows: 1,
      values: Float64Array.from([1, 2]),
      builtin: true,
    });
    expect(store.listDatasets().map((d) => [d.name, d.builtin])).toEqual([
      ['Old Faithful', true],
      ['imported', false],
    ]);
    expect(store.findBuiltin('Old Faithful')?.rows).toBe(1);
    expect(store.findBuiltin('imported')).toBeNull();
  });

  it('keeps each note with its translatable text, in order, null where it has none', () => {
    const run = addRun(addDataset().meta.id);
    store.markRunning(run.id);
    const kept = localText('note.keptRestart', {
      best: 2,
      n: 3,
      starts: '1, 9, 20',
      logLikelihoods: '-1.5, -1.2, -1.3',
    });
    store.addNote(run.id, 'English only');
    store.addNote(run.id, 'kept restart 2 of 3 …', kept);
    // A key this version does not know (a newer engine's) reads back as no text.
    store.addNote(run.id, 'from a newer engine', { key: 'note.future' } as never);
    const back = store.getRun(run.id)!;
    expect(back.notes).toEqual(['English only', 'kept restart 2 of 3 …', 'from a newer engine']);
    expect(back.noteTexts).toEqual([null, kept, null]);
    expect(translate('zh', back.noteTexts[1]!.key, back.noteTexts[1]!.vars)).toBe(
      '保留了 3 次重启中的第 2 次（各次重启分别从第 1, 9, 20 步开始；最终的平均对数似然依次为 -1.5, -1.2, -1.3）',
    );
    expect(store.listRuns().find((r) => r.id === run.id)!.noteTexts).toEqual(back.noteTexts);
  });

  it('follows a run through its lifecycle', () => {
    const { meta } = addDataset();
    const run = addRun(meta.id);
    expect(run).toMatchObject({
      status: 'queued',
      progress: 0,
      backend: null,
      seed: 7,
      columns: ['x', 'y'],
      notes: [],
    });
    expect(run.params).toEqual({ k: 2, maxIter: 10, tol: 1e-3, regCovar: 1e-6 });
    store.markRunning(run.id);
    store.setBackend(run.id, 'wasm');
    store.addNote(run.id, 'first note');
    store.addNote(run.id, 'second "quoted" note');
    store.setProgress(run.id, 0.5);
    const running = store.getRun(run.id)!;
    expect(running).toMatchObject({ status: 'running', backend: 'wasm', progress: 0.5 });
    expect(running.notes).toEqual(['first note', 'second "quoted" note']);
    expect(running.startedAt).not.toBeNull();

    expect(store.finishRun(run.id, 'completed', { summary: { bic: 1.5, means: [[1, 2]] } })).toBe(
      true,
    );
    const done = store.getRun(run.id)!;
    expect(done).toMatchObject({
      status: 'completed',
      progress: 1,
      summary: { bic: 1.5, means: [[1, 2]] },
    });
    expect(done.finishedAt).not.toBeNull();
    // A finished run cannot end a second time.
    expect(store.finishRun(run.id, 'failed', { error: 'late' })).toBe(false);
    expect(store.getRun(run.id)).toMatchObject({ status: 'completed', error: null });

    const failed = addRun(meta.id);
    expect(store.finishRun(failed.id, 'failed', { error: 'boom' })).toBe(true);
    expect(store.getRun(failed.id)).toMatchObject({ status: 'failed', error: 'boom', progress: 0 });
    expect(store.listRuns().map((r) => r.id)).toEqual([failed.id, run.id]);
  });

  it('writes metrics in batches and reads them back as series', () => {
    const run = addRun(addDataset().meta.id);
    const batch: MetricPoint[] = [];
    for (let step = 0; step < 500; step++) {
      batch.push({ step, key: 'loss', value: 1 / (step + 1), wallMs: step });
      if (step % 2 === 0) batch.push({ step, key: 'acc', value: step / 1000, wallMs: step });
    }
    store.insertMetrics(run.id, batch.slice(0, 300));
    store.insertMetrics(run.id, batch.slice(300));
    store.insertMetrics(run.id, [{ step: 500, key: 'loss', value: Infinity, wallMs: 1 }]);
    store.insertMetrics(run.id, []);
    const series = store.metricSeries(run.id);
    expect(series.map((s) => s.key)).toEqual(['acc', 'loss']);
    const loss = series[1];
    expect(loss.steps).toBeInstanceOf(Float64Array);
    expect(loss.steps.length).toBe(501);
    expect(loss.steps[499]).toBe(499);
    expect(loss.values[0]).toBe(1);
    expect(loss.values[499]).toBe(1 / 500);
    // Non-finite values are stored as NULL and come back as NaN.
    expect(loss.values[500]).toBeNaN();
    expect(series[0].steps.length).toBe(250);
    expect(series[0].values[10]).toBe(0.02);
    expect(store.metricSeries(run.id + 100)).toEqual([]);
  });

  it('round-trips artifacts with typed-array data and selects the latest of each kind', () => {
    const run = addRun(addDataset().meta.id);
    const f32 = Float32Array.from([1.5, -2.25, 3.1]);
    const f64 = Float64Array.from([0.1, 0.2, 1 / 3]);
    const u8 = Uint8Array.from([0, 1, 255, 128, 7]);
    store.insertArtifact(run.id, { kind: 'mixture', step: 1, meta: { weights: [1] } });
    store.insertArtifact(run.id, { kind: 'points2d', step: 1, meta: null, data: f32 });
    store.insertArtifact(run.id, {
      kind: 'mixture',
      step: 3,
      meta: { weights: [0.5, 0.5] },
      data: f64,
    });
    store.insertArtifact(run.id, { kind: 'image-grid', step: 2, meta: { width: 5 }, data: u8 });
    store.insertArtifact(run.id, { kind: 'mixture', step: 2, meta: { weights: [0.9, 0.1] } });

    const all = store.listArtifacts(run.id);
    expect(all.map((a) => [a.kind, a.step])).toEqual([
      ['mixture', 1],
      ['points2d', 1],
      ['image-grid', 2],
      ['mixture', 2],
      ['mixture', 3],
    ]);
    expect(all[0].data).toBeUndefined();
    expect(all[1].data).toBeInstanceOf(Float32Array);
    expect(Array.from(all[1].data!)).toEqual(Array.from(f32));
    expect(all[2].data).toBeInstanceOf(Uint8Array);
    expect(Array.from(all[2].data!)).toEqual(Array.from(u8));
    expect(all[4].data).toBeInstanceOf(Float64Array);
    expect(Array.from(all[4].data!)).toEqual(Array.from(f64));

    const mixtures = store.listArtifacts(run.id, 'mixture');
    expect(mixtures.map((a) => a.step)).toEqual([1, 2, 3]);
    const latest = store.listArtifacts(run.id, undefined, true);
    expect(latest.map((a) => [a.kind, a.step])).toEqual([
      ['image-grid', 2],
      ['mixture', 3],
      ['points2d', 1],
    ]);
    expect(latest[1].meta).toEqual({ weights: [0.5, 0.5] });
    expect(store.listArtifacts(run.id, 'mixture', true).map((a) => a.step)).toEqual([3]);
    // Another run's artifacts never leak in.
    const other = addRun(addDataset('b').meta.id);
    store.insertArtifact(other.id, { kind: 'mixture', step: 9, meta: {} });
    expect(store.listArtifacts(run.id, 'mixture', true).map((a) => a.step)).toEqual([3]);
  });

  it('marks runs a dead process left running or queued as interrupted, keeping their data', () => {
    const id = addDataset().meta.id;
    const running = addRun(id);
    const queued = addRun(id);
    const done = addRun(id);
    store.markRunning(running.id);
    store.insertMetrics(running.id, [
      { step: 1, key: 'll', value: -3, wallMs: 1 },
      { step: 2, key: 'll', value: -2, wallMs: 2 },
    ]);
    store.insertArtifact(running.id, { kind: 'mixture', step: 2, meta: { weights: [1] } });
    store.finishRun(done.id, 'completed', { summary: { ok: true } });

    expect(store.markInterrupted()).toBe(2);
    expect(store.getRun(running.id)).toMatchObject({ status: 'interrupted' });
    expect(store.getRun(running.id)!.error).toMatch(/stopped/);
    expect(store.getRun(running.id)!.errorText).toEqual({ key: 'fail.appStopped' });
    expect(store.getRun(running.id)!.finishedAt).not.toBeNull();
    expect(store.getRun(queued.id)!.status).toBe('interrupted');
    expect(store.getRun(done.id)).toMatchObject({ status: 'completed', error: null });
    expect(Array.from(store.metricSeries(running.id)[0].values)).toEqual([-3, -2]);
    expect(store.listArtifacts(running.id)).toHaveLength(1);
    expect(store.markInterrupted()).toBe(0);
  });

  it('leaves a run alone whose process is still alive (the app beside a CLI)', () => {
    const id = addDataset().meta.id;
    const elsewhere = addRun(id);
    const orphan = addRun(id);
    const setPid = (runId: number, pid: number) =>
      store.db
        .prepare(`UPDATE runs SET status = 'running', host_pid = ? WHERE id = ?`)
        .run(pid, runId);
    setPid(elsewhere.id, 4242);
    setPid(orphan.id, 4343);
    const alive = (pid: number) => pid === 4242;
    expect(store.markInterrupted(alive)).toBe(1);
    expect(store.getRun(elsewhere.id)!.status).toBe('running');
    expect(store.getRun(orphan.id)!.status).toBe('interrupted');
  });

  it('deletes a run with its metrics and artifacts', () => {
    const id = addDataset().meta.id;
    const run = addRun(id);
    const keep = addRun(id);
    for (const r of [run, keep]) {
      store.insertMetrics(r.id, [{ step: 1, key: 'll', value: -1, wallMs: 1 }]);
      store.insertArtifact(r.id, {
        kind: 'mixture',
        step: 1,
        meta: {},
        data: Float64Array.from([1]),
      });
    }
    expect(store.deleteRun(run.id)).toBe(true);
    expect(store.getRun(run.id)).toBeNull();
    const count = (table: string, runId: number) =>
      (
        store.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`).get(runId) as {
          n: number;
        }
      ).n;
    expect(count('metrics', run.id)).toBe(0);
    expect(count('artifacts', run.id)).toBe(0);
    expect(count('metrics', keep.id)).toBe(1);
    expect(count('artifacts', keep.id)).toBe(1);
    expect(store.deleteRun(run.id)).toBe(false);
  });

  it('keeps runs when their data set is deleted', () => {
    const id = addDataset().meta.id;
    const run = addRun(id);
    store.deleteDataset(id);
    expect(store.getRun(run.id)).toMatchObject({ datasetId: null, datasetName: 'set' });
  });

  it('persists across reopening the file', () => {
    const run = addRun(addDataset().meta.id);
    store.insertMetrics(run.id, [{ step: 1, key: 'll', value: -1.25, wallMs: 1 }]);
    store.close();
    store = new Store(join(dir, 'test.db'));
    expect(store.getRun(run.id)?.seed).toBe(7);
    expect(Array.from(store.metricSeries(run.id)[0].values)).toEqual([-1.25]);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
  });
});

describe('an imported run, stored in pieces', () => {
  const imported = {
    name: 'imported',
    algorithm: 'mcmc',
    datasetId: null,
    datasetName: '',
    columns: [],
    params: {},
    seed: 1,
    backend: null,
    status: 'completed' as const,
    progress: 1,
    error: null,
    notes: [],
    tags: [],
    note: '',
    summary: null,
    startedAt: null,
    finishedAt: null,
  };
  const points = function* (n: number, failAt = Infinity): Generator<MetricPoint> {
    for (let i = 0; i < n; i++) {
      if (i === failAt) throw new Error('the file ended mid-line');
      yield { key: 'logDensity', step: i, value: -i, wallMs: i };
    }
  };
  const countRows = (table: string) =>
    (store.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

  it('lets the event loop turn between pieces, and shows the run only once whole', async () => {
    const n = 55_000;
    let turns = 0;
    const seen: number[] = [];
    const ticker = setInterval(() => {
      turns++;
      seen.push(store.listRuns().length);
    }, 0);
    const run = await store.insertImportedRun(imported, points(n), [
      { kind: 'mixture', step: n - 1, meta: { weights: [1] } },
    ]);
    clearInterval(ticker);
    // Several pieces of at most ~10,000 points each, the loop turning between them.
    expect(turns).toBeGreaterThanOrEqual(4);
    expect(seen.every((count) => count === 0)).toBe(true);
    expect(store.getRun(run.id)).toMatchObject({ status: 'completed', name: 'imported' });
    expect(store.listRuns().map((r) => r.id)).toEqual([run.id]);
    expect(store.metricSeries(run.id)[0].values.length).toBe(n);
    expect(store.listArtifacts(run.id)).toHaveLength(1);
  });

  it('leaves nothing when a piece fails part way', async () => {
    await expect(store.insertImportedRun(imported, points(40_000, 25_000), [])).rejects.toThrow(
      'the file ended mid-line',
    );
    expect(store.listRuns()).toEqual([]);
    expect(countRows('runs')).toBe(0);
    expect(countRows('metrics')).toBe(0);
  });

  it('removes, at the next open, an import a stopped process left half stored', async () => {
    const run = await store.insertImportedRun(imported, points(10), []);
    // As a process killed mid-import leaves it: marked importing, by a process now gone.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    store.db.prepare(`UPDATE runs SET importing = 1, host_pid = ? WHERE id = ?`).run(gone, run.id);
    const alive = await store.insertImportedRun(imported, points(10), []);
    // Another process, still importing.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    store.db
      .prepare(`UPDATE runs SET importing = 1, host_pid = ? WHERE id = ?`)
      .run(other.pid, alive.id);
    // And one marked with this process's id: left by an earlier process that had the same id.
    const samePid = await store.insertImportedRun(imported, points(10), []);
    store.db
      .prepare(`UPDATE runs SET importing = 1, host_pid = ? WHERE id = ?`)
      .run(process.pid, samePid.id);
    expect(store.getRun(run.id)).toBeNull();
    store.close();
    try {
      store = new Store(join(dir, 'test.db'));
    } finally {
      other.kill();
    }
    expect(countRows('runs')).toBe(1); // the live process's import is left to it
    expect(store.db.prepare(`SELECT id FROM runs`).get()).toEqual({ id: alive.id });
    expect(
      (
        store.db.prepare(`SELECT COUNT(*) AS n FROM metrics WHERE run_id = ?`).get(run.id) as {
          n: number;
        }
      ).n,
    ).toBe(0);
  });
});

describe('a big table’s values in a file of their own', () => {
  // 600,000 values (4.8 MB): past VALUES_FILE_FROM_BYTES.
  const big = () => Float64Array.from({ length: 600_000 }, (_, i) => Math.sin(i) * 1e3 + 1 / 3);
  const valuesDir = () => join(dir, 'test.db-values');
  const insertBig = (values = big()) =>
    store.insertDataset({ name: 'big', columns, rows: values.length / 2, values });

  it('writes them once beside the database, reads them back bit for bit, and deletes them with the set', () => {
    const values = big();
    expect(values.byteLength).toBeGreaterThanOrEqual(VALUES_FILE_FROM_BYTES);
    const meta = insertBig(values);
    const files = readdirSync(valuesDir());
    expect(files).toEqual([expect.stringMatching(/^[0-9a-f-]{36}\.f64$/)]);
    expect(statSync(join(valuesDir(), files[0])).size).toBe(values.byteLength);
    const inside = store.db
      .prepare(`SELECT length(data) AS n FROM datasets WHERE id = ?`)
      .get(meta.id);
    expect(inside).toEqual({ n: 0 });
    const back = store.datasetValues(meta.id)!.values;
    expect(
      Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(values.buffer)),
    ).toBe(true);
    // A small set stays inside the database.
    addDataset();
    expect(readdirSync(valuesDir())).toHaveLength(1);
    expect(store.deleteDataset(meta.id)).toBe(true);
    expect(readdirSync(valuesDir())).toEqual([]);
  });

  it('stores blocks of rows as the one table they make, hashing while the file is written', async () => {
    const values = big();
    const blocks = [
      values.subarray(0, 200_000),
      values.subarray(200_000, 450_000),
      values.subarray(450_000),
    ];
    const stored = await store.storeValues(blocks, ['x', 'y']);
    expect(stored.hash).toBe(hashValues(values, ['x', 'y']));
    const meta = store.insertDataset({
      name: 'blocks',
      columns,
      rows: 300_000,
      values: blocks,
      stored,
    });
    const back = store.datasetValues(meta.id)!.values;
    expect(
      Buffer.from(back.buffer, back.byteOffset, back.byteLength).equals(Buffer.from(values.buffer)),
    ).toBe(true);
    expect(meta.hash).toBe(insertBig(values).hash);
  });

  it('refuses a damaged values file with a sentence naming it', () => {
    const meta = insertBig();
    const file = join(valuesDir(), readdirSync(valuesDir())[0]);
    truncateSync(file, 1000);
    expect(() => store.datasetValues(meta.id)).toThrow(
      /holds 1000 bytes where 4800000 were written/,
    );
    rmSync(file);
    expect(() => store.datasetValues(meta.id)).toThrow(
      /cannot read this data set’s values from .*ENOENT/,
    );
  });

  it('leaves no file behind when the row cannot be written', () => {
    store.db.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON datasets BEGIN SELECT RAISE(ABORT, 'refused'); END`,
    );
    expect(() => insertBig()).toThrow('refused');
    expect(readdirSync(valuesDir())).toEqual([]);
  });

  it('removes, at the next open, its own files no row names once they are an hour old', () => {
    insertBig();
    const kept = readdirSync(valuesDir())[0];
    const old = join(valuesDir(), '0b4e3c55-1d2a-4c3b-9e8f-0123456789ab.f64');
    const fresh = join(valuesDir(), '1b4e3c55-1d2a-4c3b-9e8f-0123456789ab.f64.partial');
    // Not a name the store gives: never its to remove, however old.
    const foreign = join(valuesDir(), 'notes.txt');
    for (const f of [old, fresh, foreign]) writeFileSync(f, 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const f of [old, foreign, join(valuesDir(), kept)])
      utimesSync(f, twoHoursAgo, twoHoursAgo);
    store.close();
    store = new Store(join(dir, 'test.db'));
    expect(readdirSync(valuesDir()).sort()).toEqual(
      [kept, '1b4e3c55-1d2a-4c3b-9e8f-0123456789ab.f64.partial', 'notes.txt'].sort(),
    );
  });

  it('keeps two databases in one folder apart', () => {
    const meta = insertBig();
    const other = new Store(join(dir, 'other.db'));
    try {
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
      const [file] = readdirSync(valuesDir());
      utimesSync(join(valuesDir(), file), twoHoursAgo, twoHoursAgo);
      other.close();
      new Store(join(dir, 'other.db')).close(); // opened again: its cleanup sees only its folder
      expect(store.datasetValues(meta.id)!.rows).toBe(300_000);
    } finally {
      if (other.db.open) other.close();
    }
  });
});
