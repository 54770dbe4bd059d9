/**
 * Export pieces without a worker: safe names, metrics.csv both ways, server-side chart rendering,
 * and exports of runs written straight into a store (a metric with gaps and non-finite values, an
 * algorithm without its own charts).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gmmParams } from '../../src/shared/algorithms/gmm';
import type { ApiError, MetricSeries, RunInfo } from '../../src/shared/api';
import { metricLineOption } from '../../src/shared/charts';
import { renderChart, renderSvg } from '../../src/main/host/chart-render';
import {
  exportRuns,
  prepareZip,
  importRunFolder,
  metricsCsv,
  parseMetricsCsv,
  runEntries,
  runExporters,
  runFolderName,
  sanitizeName,
} from '../../src/main/host/export';
import { drawnSeries } from '../../src/main/host/export/metric-pages';
import { translate } from '../../src/shared/i18n';
import { Store } from '../../src/main/host/store';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'latent-lab-export-unit-'));
  store = new Store(join(dir, 'test.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const series = (
  key: string,
  steps: number[],
  values: number[],
  wallMs = steps.map((s) => s * 10),
): MetricSeries => ({
  key,
  steps: Float64Array.from(steps),
  values: Float64Array.from(values),
  wallMs: Float64Array.from(wallMs),
});

/** Numbers that a decimal round trip with too few digits would change. */
const awkward = [0.1 + 0.2, 1 / 3, -1e-300, 5e-324, 2 ** 53 + 2, -123456.78901234567, Math.PI];

describe('sanitizeName', () => {
  it('keeps a name one harmless path segment', () => {
    const cases: [string, string][] = [
      ['../../etc/passwd', 'etc-passwd'],
      ['..', ''],
      ['.', ''],
      ['a/b\\c', 'a-b-c'],
      ['a\\..\\b', 'a-..-b'],
      ['/abs/path', 'abs-path'],
      ['C:\\Windows', 'C-Windows'],
      ['.hidden', 'hidden'],
      ['gmm on Old Faithful', 'gmm-on-Old-Faithful'],
      ['高斯 混合', '高斯-混合'],
      ['tab\tnew\nline\0nul', 'tab-new-line-nul'],
      ['trailing...', 'trailing'],
    ];
    for (const [name, safe] of cases) expect(sanitizeName(name), name).toBe(safe);
    expect(sanitizeName('x'.repeat(500))).toHaveLength(60);
  });

  it('names run folders run-<id>-<name>, or run-<id> when nothing is left', () => {
    expect(runFolderName({ id: 3, name: '../../escape' })).toBe('run-3-escape');
    expect(runFolderName({ id: 4, name: '..' })).toBe('run-4');
    expect(runFolderName({ id: 5, name: '///' })).toBe('run-5');
  });
});

describe('metrics.csv', () => {
  it('writes one row per step, one column per metric, and reads back every digit', () => {
    const input = [
      series('loss', [0, 1, 2, 3], [awkward[0], NaN, awkward[1], awkward[2]]),
      series('a,"quoted" key', [1, 3, 10], [awkward[3], awkward[4], awkward[5]]),
      series('z', [2], [awkward[6]]),
    ];
    const csv = metricsCsv(input);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('step,loss,"a,""quoted"" key",z,wall_ms');
    expect(lines[1]).toBe(`0,${String(awkward[0])},,,0`);
    expect(lines[2]).toBe(`1,NaN,5e-324,,10`);
    expect(lines).toHaveLength(6); // header + steps 0, 1, 2, 3, 10
    const back = parseMetricsCsv(csv);
    for (const s of input) {
      const mine = back.filter((p) => p.key === s.key);
      expect(mine.map((p) => p.step)).toEqual(Array.from(s.steps));
      expect(mine.map((p) => p.value)).toEqual(Array.from(s.values));
      mine.forEach((p, i) => expect(Object.is(p.value, s.values[i])).toBe(true));
      expect(mine.map((p) => p.wallMs)).toEqual(Array.from(s.wallMs));
    }
  });

  it('keeps each metric’s own wall time when metrics of a step were reported at different times', () => {
    const input = [
      series('bic:diag', [1, 2], [10, 20], [100, 300]),
      series('bic:full', [1, 2], [11, 21], [200, 400]),
    ];
    const csv = metricsCsv(input);
    expect(csv.split('\n')[0]).toBe('step,bic:diag,bic:full,wall_ms,wall_ms:bic:full');
    const back = parseMetricsCsv(csv);
    expect(back.filter((p) => p.key === 'bic:full').map((p) => p.wallMs)).toEqual([200, 400]);
    expect(back.filter((p) => p.key === 'bic:diag').map((p) => p.wallMs)).toEqual([100, 300]);
  });

  it('refuses malformed files, naming the line', () => {
    const bad: [string, RegExp][] = [
      ['x,y\n1,2\n', /line 1: the header/],
      ['step,a,wall_ms\n1,2\n', /line 2: 2 fields where the header has 3/],
      ['step,a,wall_ms\n1,0x10,5\n', /line 2: "a" "0x10" is not a number/],
      ['step,a,wall_ms\n1.5,1,5\n', /line 2: step "1.5" is not an integer/],
      ['step,a,a,wall_ms\n', /line 1: a metric column appears twice/],
      ['step,a,wall_ms,wall_ms:b\n', /line 1: column "wall_ms:b"/],
      ['step,a,wall_ms\n1,Infinity,5\n', /not a number/],
    ];
    for (const [text, reason] of bad) expect(() => parseMetricsCsv(text), text).toThrow(reason);
  });
});

describe('chart rendering', () => {
  const option = metricLineOption({
    title: 'A title',
    xName: 'the x axis',
    yName: 'the y axis',
    series: [
      { name: 'first <series>', steps: [0, 1, 2], values: [3, 1, 2] },
      { name: 'second', steps: [0, 1], values: [1, 2] },
    ],
  });

  it('draws SVG with title, axis names and legend, and a PNG of twice its size', () => {
    const svg = renderSvg(option, { width: 640, height: 360 });
    expect(svg).toMatch(/^<svg[^>]* width="640" height="360"/);
    // Opaque: on a dark viewer a transparent chart's black text cannot be read.
    expect(svg).toMatch(/^<svg[^>]*>\s*<rect width="640" height="360" x="0" y="0" fill="#ffffff"/);
    for (const text of ['A title', 'the x axis', 'the y axis', 'first &lt;series&gt;', 'second'])
      expect(svg).toContain(text);
    const { png } = renderChart(option, { width: 300, height: 200 });
    const header = Buffer.from(png);
    expect(header.toString('latin1', 12, 16)).toBe('IHDR');
    expect([header.readUInt32BE(16), header.readUInt32BE(20)]).toEqual([600, 400]);
  });
});

describe('exporting runs straight from a store', () => {
  function dataset() {
    const values = Float64Array.from({ length: 40 }, (_, i) => (i % 2 ? i / 7 : -i / 5));
    return store.insertDataset({
      name: 'tiny',
      columns: [
        { name: 'x', type: 'number', missing: 0 },
        { name: 'y', type: 'number', missing: 0 },
      ],
      rows: 20,
      values,
    });
  }

  it('draws one chart per metric with a curve for an algorithm without its own charts, with unique file names', async () => {
    const d = dataset();
    const run = store.createRun({
      name: 'sampler',
      algorithm: 'future-model',
      datasetId: d.id,
      datasetName: d.name,
      columns: ['x', 'y'],
      params: { draws: 10 },
      seed: 1,
    });
    store.markStarted(run.id, 'cpu');
    store.insertMetrics(run.id, [
      { step: 0, key: 'accept rate', value: 0.5, wallMs: 1 },
      { step: 1, key: 'accept rate', value: 0.25, wallMs: 2 },
      { step: 0, key: 'a/b', value: 1, wallMs: 1 },
      { step: 1, key: 'a/b', value: 1.5, wallMs: 2 },
      { step: 0, key: 'a:b', value: 2, wallMs: 1 },
      { step: 1, key: 'a:b', value: 3, wallMs: 2 },
      // One value: a number in metrics.csv, not a chart of one dot.
      { step: 1, key: 'final ess', value: 400, wallMs: 2 },
    ]);
    store.finishRun(run.id, 'completed', { summary: { acceptRate: 0.5 } });
    const out = join(dir, 'out');
    const r = await exportRuns(store, [run.id], out, { overwrite: false, appVersion: '9.9.9' });
    expect(r.files).toEqual([
      'README.md',
      'a-b-2.png',
      'a-b-2.svg',
      'a-b.png',
      'a-b.svg',
      'accept-rate.png',
      'accept-rate.svg',
      'metrics.csv',
      'params.json',
      'summary.json',
    ]);
    expect(readdirSync(out).sort()).toEqual(r.files);
    const svg = readFileSync(join(out, 'accept-rate.svg'), 'utf8');
    expect(svg).toContain('accept rate');
    expect(svg).toContain('step');
    expect(JSON.parse(readFileSync(join(out, 'params.json'), 'utf8'))).toMatchObject({
      appVersion: '9.9.9',
      algorithm: 'future-model',
      backend: 'cpu',
    });
    // An algorithm this version does not know cannot be imported (its parameters cannot be checked).
    await expect(importRunFolder(store, out)).rejects.toMatchObject({
      code: 'bad-data',
      message: 'params.json: unknown algorithm "future-model"',
    });
  });

  it('writes each gallery’s latest picture as a PNG and a model’s weights', async () => {
    const d = dataset();
    const run = store.createRun({
      name: 'net',
      algorithm: 'future-model',
      datasetId: d.id,
      datasetName: d.name,
      columns: ['x', 'y'],
      params: {},
      seed: 1,
    });
    store.markStarted(run.id, 'cpu');
    const grid = (step: number, fill: number) => ({
      kind: 'image-grid' as const,
      step,
      meta: {
        role: 'samples',
        width: 3,
        height: 2,
        channels: 1,
        count: 4,
        columns: 2,
        range: [0, 1],
      },
      data: new Uint8Array(24).fill(fill),
    });
    store.insertArtifact(run.id, grid(1, 10));
    store.insertArtifact(run.id, grid(5, 250));
    const weights = Float32Array.from([0.5, -1.25, 3]);
    store.insertArtifact(run.id, {
      kind: 'model',
      step: 5,
      meta: { entries: [{ name: 'w', shape: [3], offset: 0 }] },
      data: weights,
    });
    store.finishRun(run.id, 'completed', { summary: {} });
    const out = join(dir, 'out');
    const r = await exportRuns(store, [run.id], out, { overwrite: false, appVersion: '1' });
    expect(r.files).toEqual(
      expect.arrayContaining(['gallery-samples.png', 'weights.bin', 'weights.json']),
    );
    const png = readFileSync(join(out, 'gallery-samples.png'));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    // IHDR: width and height of 2 × 2 tiles of 3 × 2 with 1-pixel gaps.
    expect(png.readUInt32BE(16)).toBe(1 + 2 * (3 + 1));
    expect(png.readUInt32BE(20)).toBe(1 + 2 * (2 + 1));
    // The latest of the two galleries.
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('the samples gallery at step 5');
    const bin = readFileSync(join(out, 'weights.bin'));
    expect(Array.from(new Float32Array(bin.buffer, bin.byteOffset, 3))).toEqual(
      Array.from(weights),
    );
    expect(JSON.parse(readFileSync(join(out, 'weights.json'), 'utf8'))).toEqual({
      entries: [{ name: 'w', shape: [3], offset: 0 }],
    });
  });

  it('draws a 2-D GAN’s last view and writes its generated points', async () => {
    const run = store.createRun({
      name: 'ring',
      algorithm: 'gan',
      datasetId: null,
      datasetName: '',
      columns: [],
      params: {},
      seed: 1,
    });
    store.markStarted(run.id, 'wasm');
    const size = 4;
    const bounds: [[number, number], [number, number]] = [
      [-2, 2],
      [-1, 1],
    ];
    const field = (step: number, v: number) => ({
      kind: 'field2d' as const,
      step,
      meta: { role: 'discriminator', size, bounds, scale: 'probability' },
      data: new Float32Array(size * size).fill(v),
    });
    const generated = (step: number, xy: number[][]) => ({
      kind: 'points2d' as const,
      step,
      meta: {
        role: 'generated',
        count: xy.length,
        stride: 4,
        projection: 'none',
        axisNames: ['u', 'w'],
      },
      data: Float32Array.from(xy.flatMap(([x, y]) => [x, y, 0.1, -0.1])),
    });
    store.insertArtifact(run.id, {
      kind: 'points2d',
      step: 0,
      meta: { role: 'real', count: 2, stride: 2, projection: 'none', axisNames: ['u', 'w'] },
      data: Float32Array.from([1, 0.5, -1, -0.5]),
    });
    store.insertArtifact(run.id, field(0, 0.5));
    store.insertArtifact(run.id, generated(0, [[0, 0]]));
    store.insertArtifact(run.id, field(50, 0.9));
    store.insertArtifact(
      run.id,
      generated(50, [
        [0.25, -0.5],
        [1.5, 0.75],
      ]),
    );
    store.finishRun(run.id, 'completed', { summary: {} });
    const out = join(dir, 'out');
    const r = await exportRuns(store, [run.id], out, { overwrite: false, appVersion: '1' });
    expect(r.files).toEqual(
      expect.arrayContaining(['gan-view.png', 'gan-view.svg', 'generated.csv']),
    );
    // The latest generated points, under the data's own axis names.
    expect(readFileSync(join(out, 'generated.csv'), 'utf8')).toBe('u,w\n0.25,-0.5\n1.5,0.75\n');
    const svg = readFileSync(join(out, 'gan-view.svg'), 'utf8');
    expect(svg).toContain('step 50');
    expect(svg).toContain('generated');
    // D = 0.9 everywhere: every heat-map cell is the same light green, none is step 0's white.
    const cellFill = /<path d="M[^"]*" fill="(rgb\([^)]*\)|#[0-9a-f]{6})"/g;
    const fills = new Set([...svg.matchAll(cellFill)].map((m) => m[1]));
    expect(fills.has('rgb(71,145,93)') || fills.has('#47915d')).toBe(true);
    expect(fills.has('rgb(247,247,247)') || fills.has('#f7f7f7')).toBe(false);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('the last view, at step 50');
  });

  it('refuses a folder in the way before writing anything, and a failure midway leaves nothing', async () => {
    const d = dataset();
    const run = store.createRun({
      name: 'r',
      algorithm: 'other',
      datasetId: d.id,
      datasetName: d.name,
      columns: ['x'],
      params: {},
      seed: 0,
    });
    store.insertMetrics(run.id, [
      { step: 0, key: 'loss', value: 1, wallMs: 0 },
      { step: 1, key: 'loss', value: 0.5, wallMs: 1 },
    ]);
    const out = join(dir, 'out');
    // A folder where summary.json should go: refused before any file is written.
    mkdirSync(join(out, 'summary.json'), { recursive: true });
    await expect(
      exportRuns(store, [run.id], out, { overwrite: true, appVersion: '1' }),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/cannot write "summary\.json": a folder of that name exists/),
    });
    expect(readdirSync(out)).toEqual(['summary.json']);

    // Reading the metrics fails while metrics.csv is written: nothing is put in place, and no
    // staging folder is left behind.
    rmSync(join(out, 'summary.json'), { recursive: true });
    const read = store.metricPage.bind(store);
    let calls = 0;
    const spy = vi.spyOn(store, 'metricPage').mockImplementation((...args) => {
      if (++calls > 1) throw new Error('disk on fire');
      return read(...args);
    });
    try {
      await expect(
        exportRuns(store, [run.id], out, { overwrite: true, appVersion: '1' }),
      ).rejects.toMatchObject({
        message: expect.stringMatching(
          /stopped before any file was put in place \(nothing was written\): .*disk on fire/,
        ),
      });
    } finally {
      spy.mockRestore();
    }
    expect(readdirSync(out)).toEqual([]);
  });

  it('round-trips a failed run with gaps and non-finite metric values exactly', async () => {
    const d = dataset();
    const run = store.createRun({
      name: 'awkward',
      algorithm: 'gmm',
      datasetId: d.id,
      datasetName: d.name,
      columns: ['x', 'y'],
      params: gmmParams.parse({ k: 2 }),
      seed: 4,
    });
    store.markStarted(run.id, 'wasm');
    store.insertMetrics(
      run.id,
      awkward.map((value, step) => ({ step, key: 'meanLogLikelihood', value, wallMs: step * 1.5 })),
    );
    store.insertMetrics(run.id, [
      { step: 2, key: 'other', value: NaN, wallMs: 3 },
      { step: 9, key: 'other', value: -1, wallMs: 9.25 },
    ]);
    store.finishRun(run.id, 'failed', { error: 'a component collapsed' });
    const out = join(dir, 'out');
    const r = await exportRuns(store, [run.id], out, { overwrite: false, appVersion: '1' });
    expect(r.files).toContain('loglik.svg');
    expect(r.files).not.toContain('model.json');
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain(
      'No model.json: the run has no fitted mixture.',
    );
    const imported = await importRunFolder(store, out);
    expect(imported).toMatchObject({
      status: 'failed',
      error: 'a component collapsed',
      summary: null,
      datasetId: d.id,
    });
    const plain = (id: number) =>
      store.metricSeries(id).map((s) => ({
        key: s.key,
        steps: Array.from(s.steps),
        values: Array.from(s.values),
        wallMs: Array.from(s.wallMs),
      }));
    expect(plain(imported.id)).toEqual(plain(run.id));
  });
});

describe('the exporter registry', () => {
  function runOf(algorithm: string) {
    const run = store.createRun({
      name: 'made up',
      algorithm,
      datasetId: null,
      datasetName: '',
      columns: [],
      params: { target: 'nowhere' },
      seed: 3,
    });
    store.insertMetrics(run.id, [
      { step: 0, key: 'loss', value: 1, wallMs: 0 },
      { step: 1, key: 'loss', value: 0.5, wallMs: 1 },
    ]);
    store.finishRun(run.id, 'completed', { summary: { loss: 0.5 } });
    return store.getRun(run.id)!;
  }
  const label = (key: Parameters<typeof translate>[1]) => translate('en', key);
  /** One run's export's entries, its metrics read as buildExport reads them. */
  const entriesOf = async (run: RunInfo) =>
    runEntries(store, run, {
      appVersion: '1',
      exportedAt: '2000-01-01T00:00:00.000Z',
      t: label,
      drawn: new Map([[run.id, await drawnSeries(store, run.id)]]),
    });
  /** The files of one run's export: those every run has, and `own`. */
  const filesOf = async (run: RunInfo) => (await entriesOf(run)).map((e) => e.path);
  const withCommon = (...own: string[]) =>
    [...own, 'README.md', 'metrics.csv', 'params.json', 'summary.json'].sort();

  it('uses the exporter registered for an algorithm id, added at run time', async () => {
    const run = runOf('made-up-algorithm');
    const seen: string[] = [];
    runExporters['made-up-algorithm'] = {
      files({ run: r, series, bundle, notes, t }) {
        seen.push(`${r.id}: ${series.map((s) => s.key).join(',')}`);
        bundle.add('own.txt', `${t('run.chart.iteration')}\n`, 'the made-up algorithm’s own file');
        notes.push('A note of the made-up exporter.');
      },
    };
    try {
      expect((await filesOf(run)).sort()).toEqual(withCommon('own.txt'));
      expect(seen).toEqual([`${run.id}: loss`]);
      // The same through a folder export, a zip and a comparison's run folder.
      const out = join(dir, 'out');
      const r = await exportRuns(store, [run.id], out, { overwrite: false, appVersion: '1' });
      expect(r.files).toContain('own.txt');
      expect(readFileSync(join(out, 'own.txt'), 'utf8')).toBe(
        `${translate('en', 'run.chart.iteration')}\n`,
      );
      const readme = readFileSync(join(out, 'README.md'), 'utf8');
      expect(readme).toContain('- `own.txt`: the made-up algorithm’s own file');
      expect(readme).toContain('- A note of the made-up exporter.');
      expect(readme).not.toContain('no exporter');
      const pieces: Uint8Array[] = [];
      await (
        await prepareZip(store, [run.id], { appVersion: '1' })
      )((p) => void pieces.push(p));
      expect(Object.keys(unzipSync(Buffer.concat(pieces))).sort()).toEqual(r.files);
      const other = runOf('made-up-algorithm');
      const compare = await exportRuns(store, [run.id, other.id], join(dir, 'compare'), {
        overwrite: false,
        appVersion: '1',
      });
      expect(compare.files).toEqual(
        expect.arrayContaining([
          `${runFolderName(run)}/own.txt`,
          `${runFolderName(other)}/own.txt`,
        ]),
      );
    } finally {
      delete runExporters['made-up-algorithm'];
    }
  });

  it('gives an algorithm without an exporter the generic files and says so', async () => {
    const run = runOf('unregistered-algorithm');
    expect(runExporters['unregistered-algorithm']).toBeUndefined();
    const entries = await entriesOf(run);
    // One line chart per metric with a curve; nothing of another algorithm (no model.json, no
    // draws, no mixture or GAN view).
    expect(entries.map((e) => e.path).sort()).toEqual(withCommon('loss.png', 'loss.svg'));
    const readme = entries.find((e) => e.path === 'README.md')!.data as string;
    expect(readme).toContain(
      '## Notes\n\n- No files of its own: this version of Latent Lab has no exporter for the algorithm "unregistered-algorithm"',
    );
    // A name of Object.prototype is no exporter either.
    const proto = runOf('constructor');
    expect(await filesOf(proto)).toContain('loss.svg');
  });

  it('refuses with a text the page can show in Chinese', async () => {
    const run = runOf('unregistered-algorithm');
    const refusal = await exportRuns(store, [run.id, run.id], join(dir, 'twice'), {
      overwrite: false,
      appVersion: '1',
    }).catch((e: unknown) => e);
    expect(refusal).toMatchObject({
      code: 'invalid-input',
      message: 'a run is listed twice in the comparison',
      text: { key: 'export.runTwice' },
    });
    expect(translate('zh', 'export.runTwice')).toBe('比较中同一个运行出现了两次');
    let bad: unknown;
    try {
      parseMetricsCsv('step,a,wall_ms\n1,2\n');
    } catch (e) {
      bad = e;
    }
    expect(bad).toMatchObject({
      message: 'metrics.csv, line 2: 2 fields where the header has 3',
      text: { key: 'import.metricsFieldCount', vars: { file: 'metrics.csv', line: 2 } },
    });
    const { key, vars } = (bad as ApiError).text!;
    expect(translate('zh', key, vars)).toBe('metrics.csv 第 2 行有 2 个字段，而表头有 3 个');
  });
});
