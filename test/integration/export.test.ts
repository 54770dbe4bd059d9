/**
 * Export and import through the host (real worker fits, real SQLite, real files): what an export
 * writes, that it refuses to overwrite or to leave its folder, comparisons, zips, and the round
 * trip export → import.
 */
import type { Dirent } from 'node:fs';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { inflateSync, crc32 } from 'node:zlib';
import { unzipSync } from 'fflate';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExportResult, MetricSeries, RunInfo } from '../../src/shared/api';
import { colorOf } from '../../src/shared/charts';
import type { Host } from '../../src/main/host/host';
import { openTestHost, tempDir, type TestHost } from './helpers';

let host: Host;
let tmp: TestHost;
/** gmm K=2 and K=3 on Old Faithful, gmm on 3 columns, gmm on 1 column, a sweep, and a fit whose
 * data set was deleted afterwards. */
let k2: RunInfo, k3: RunInfo, three: RunInfo, one: RunInfo, sweep: RunInfo, orphan: RunInfo;

/** Two blobs in three columns, from a fixed generator. */
function blobsCsv(rows: number): string {
  let state = 7;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const lines = ['a,b,c'];
  for (let i = 0; i < rows; i++) {
    const shift = i % 2 === 0 ? 0 : 5;
    lines.push([0, 1, 2].map(() => (shift + normal()).toFixed(5)).join(','));
  }
  return lines.join('\n') + '\n';
}

async function fit(input: {
  algorithm?: string;
  datasetId: number;
  columns: string[];
  params: Record<string, unknown>;
  name: string;
}): Promise<RunInfo> {
  const run = await host.call('runs.start', { algorithm: 'gmm', seed: 1, ...input });
  const done = await host.runs.whenSettled(run.id);
  expect(done.status, done.error ?? '').toBe('completed');
  return done;
}

beforeAll(async () => {
  tmp = await openTestHost('export', { dataIn: 'data' });
  host = tmp.host;
  const datasets = host.store.listDatasets();
  const faithful = datasets.find((d) => d.name === 'Old Faithful')!.id;
  const seed1d = datasets.find((d) => d.builtin && d.columns.length === 1)!;
  const { dataset: blobs } = await host.call('datasets.import', {
    source: { kind: 'text', text: blobsCsv(200) },
    name: 'blobs',
  });
  const { dataset: doomed } = await host.call('datasets.import', {
    source: { kind: 'text', text: blobsCsv(60) },
    name: 'doomed',
    columns: ['a', 'b'],
  });
  const faithfulFit = { datasetId: faithful, columns: ['eruptions', 'waiting'] };
  [k2, k3, three, one, sweep, orphan] = await Promise.all([
    fit({ ...faithfulFit, params: { k: 2 }, name: 'Faithful K=2' }),
    fit({ ...faithfulFit, params: { k: 3 }, name: 'Faithful K=3' }),
    fit({ datasetId: blobs.id, columns: ['a', 'b', 'c'], params: { k: 2 }, name: 'blobs' }),
    fit({
      datasetId: seed1d.id,
      columns: [seed1d.columns[0].name],
      params: { k: 2 },
      name: 'one column',
    }),
    fit({
      ...faithfulFit,
      algorithm: 'gmm-sweep',
      params: { kMin: 1, kMax: 3, covarianceTypes: ['full', 'diag'] },
      name: 'sweep',
    }),
    fit({ datasetId: doomed.id, columns: ['a', 'b'], params: { k: 2 }, name: 'orphan' }),
  ]);
  await host.call('datasets.delete', { id: doomed.id });
  k2 = await host.call('runs.update', {
    id: k2.id,
    tags: ['baseline', 'faithful'],
    note: 'the reference fit',
  });
}, 60_000);

afterAll(() => tmp?.close());

// ---------------------------------------------------------------- helpers

/** Every file under `dir`, relative, `/`-separated, sorted. */
function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/**
 * Decodes a PNG enough to trust it: signature, every chunk's CRC, the IHDR, and the IDAT stream
 * inflated to exactly the size the header promises.
 */
function decodePng(bytes: Uint8Array): { width: number; height: number } {
  const buf = Buffer.from(bytes);
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  let offset = 8;
  let width = 0,
    height = 0,
    channels = 0;
  const idat: Buffer[] = [];
  for (;;) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    expect(buf.readUInt32BE(offset + 8 + length), `CRC of ${type}`).toBe(
      crc32(buf.subarray(offset + 4, offset + 8 + length)),
    );
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8], 'bit depth').toBe(8);
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[data[9]];
      expect(channels, `colour type ${data[9]}`).toBeGreaterThan(0);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
    if (type === 'IEND') break;
  }
  expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (1 + width * channels));
  return { width, height };
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const readJson = <T = Record<string, unknown>>(dir: string, file: string): T =>
  JSON.parse(read(dir, file)) as T;
/** Text as it appears inside SVG (ECharts escapes XML characters). */
const svgText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function expectChart(dir: string, base: string, texts: string[], png = { w: 1600, h: 900 }) {
  const svg = read(dir, `${base}.svg`);
  expect(svg.startsWith('<svg')).toBe(true);
  for (const text of texts) expect(svg, `${base}.svg shows "${text}"`).toContain(svgText(text));
  const size = decodePng(readFileSync(join(dir, `${base}.png`)));
  expect(size).toEqual({ width: png.w, height: png.h });
}

/** metrics.csv back into series, independently of the app's parser. */
function csvSeries(text: string): { key: string; steps: number[]; values: number[] }[] {
  const [header, ...rows] = text.trimEnd().split('\n');
  const names = header.split(',');
  const keys = names.slice(1, names.indexOf('wall_ms'));
  return keys.map((key, j) => {
    const steps: number[] = [];
    const values: number[] = [];
    for (const row of rows) {
      const cells = row.split(',');
      if (cells[j + 1] === '') continue;
      steps.push(Number(cells[0]));
      values.push(Number(cells[j + 1]));
    }
    return { key, steps, values };
  });
}

const plain = (list: MetricSeries[]) =>
  list.map((s) => ({
    key: s.key,
    steps: Array.from(s.steps),
    values: Array.from(s.values),
    wallMs: Array.from(s.wallMs),
  }));

function exportTo(ids: number[], name: string, overwrite = false): Promise<ExportResult> {
  return host.call('runs.export', { ids, dir: join(tmp.dir, name), overwrite });
}

// ---------------------------------------------------------------- tests

describe('exporting one run', () => {
  it('writes params, summary, metrics, charts, the model and a README that lists them', async () => {
    const r = await exportTo([k2.id], 'k2');
    expect(r.dir).toBe(join(tmp.dir, 'k2'));
    expect(r.files).toEqual([
      'README.md',
      'data.csv',
      'fit_sklearn.py',
      'loglik.png',
      'loglik.svg',
      'metrics.csv',
      'mixture.png',
      'mixture.svg',
      'model.json',
      'params.json',
      'summary.json',
    ]);
    expect(walk(r.dir)).toEqual(r.files);

    const params = readJson(r.dir, 'params.json');
    const dataset = host.store.getDataset(k2.datasetId!)!;
    expect(params).toMatchObject({
      algorithm: 'gmm',
      params: k2.params,
      seed: 1,
      backend: k2.backend,
      dataset: { name: 'Old Faithful', hash: dataset.hash },
      columns: ['eruptions', 'waiting'],
      appVersion: '0.0.0',
      run: {
        id: k2.id,
        name: 'Faithful K=2',
        status: 'completed',
        createdAt: k2.createdAt,
        startedAt: k2.startedAt,
        finishedAt: k2.finishedAt,
        tags: ['baseline', 'faithful'],
        note: 'the reference fit',
        notes: k2.notes,
      },
    });
    expect(Date.parse(params.exportedAt as string)).not.toBeNaN();
    expect(readJson(r.dir, 'summary.json')).toEqual(k2.summary);
    const summary = k2.summary as Record<string, unknown>;
    expect(readJson(r.dir, 'model.json')).toEqual({
      covarianceType: 'full',
      weights: summary.weights,
      means: summary.means,
      covariances: summary.covariances,
    });

    // metrics.csv: exactly the stored points, every digit.
    const csv = read(r.dir, 'metrics.csv');
    expect(csv.split('\n')[0]).toBe('step,meanLogLikelihood,wall_ms');
    const stored = host.store.metricSeries(k2.id);
    expect(csvSeries(csv)).toEqual(
      stored.map((s) => ({ key: s.key, steps: Array.from(s.steps), values: Array.from(s.values) })),
    );
    const wall = csv
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',').at(-1)));
    expect(wall).toEqual(Array.from(stored[0].wallMs));

    expectChart(r.dir, 'loglik', [
      'Mean log-likelihood per iteration',
      'mean log-likelihood',
      'iteration',
    ]);
    expectChart(r.dir, 'mixture', [
      'Fitted components over the data',
      'eruptions',
      'waiting',
      'component 1',
      'component 2',
      'density contours',
    ]);

    const readme = read(r.dir, 'README.md');
    expect(readme).toContain('Faithful K=2');
    for (const f of r.files) expect(readme, f).toContain(`\`${f}\``);
  });

  it('adds a pairs chart for more than two columns, and a histogram for one', async () => {
    const r3 = await exportTo([three.id], 'three');
    expect(r3.files).toContain('pairs.svg');
    expectChart(r3.dir, 'pairs', ['component 1', 'component 2', 'a', 'b', 'c'], {
      w: 1600,
      h: 1600,
    });
    expectChart(r3.dir, 'mixture', ['Fitted components over the data', 'a', 'b']);
    const r1 = await exportTo([one.id], 'one');
    expect(r1.files).not.toContain('pairs.svg');
    expectChart(r1.dir, 'mixture', [
      'Histogram and fitted density',
      'density',
      'data',
      'mixture density',
      'component 2',
      one.columns[0],
    ]);
  });

  it('exports a sweep: BIC and AIC against K with the best marked, every fit, the best fit drawn', async () => {
    const r = await exportTo([sweep.id], 'sweep');
    expect(r.files).toEqual(
      expect.arrayContaining(['bic.svg', 'bic.png', 'aic.svg', 'aic.png', 'best-fit.svg']),
    );
    expectChart(r.dir, 'bic', [
      'BIC against K for each covariance type',
      'K (components)',
      'BIC = −2 log L + p log n (lower is better)',
      'full',
      'diagonal',
      'best',
    ]);
    expectChart(r.dir, 'aic', ['AIC against K for each covariance type', 'full', 'diagonal']);
    const model = readJson<{ best: unknown; fits: { k: number; covarianceType: string }[] }>(
      r.dir,
      'model.json',
    );
    expect(model.best).toEqual((sweep.summary as { best: unknown }).best);
    expect(model.fits.map((f) => `${f.k}${f.covarianceType}`).sort()).toEqual(
      ['1diag', '1full', '2diag', '2full', '3diag', '3full'].sort(),
    );
    const header = read(r.dir, 'metrics.csv').split('\n')[0];
    // Each covariance type is fitted at its own time: their wall times follow the first's.
    expect(header).toMatch(
      /^step,aic:diag,aic:full,bic:diag,bic:full,loglik:diag,loglik:full,wall_ms(,wall_ms:[a-z:]+)+$/,
    );
    expect(csvSeries(read(r.dir, 'metrics.csv'))).toEqual(
      host.store
        .metricSeries(sweep.id)
        .map((s) => ({ key: s.key, steps: Array.from(s.steps), values: Array.from(s.values) })),
    );
  });

  it('says in the README why the mixture is not drawn when the data set was deleted', async () => {
    const r = await exportTo([orphan.id], 'orphan');
    expect(r.files).not.toContain('mixture.svg');
    expect(r.files).toContain('model.json');
    expect(readJson(r.dir, 'params.json')).toMatchObject({
      dataset: { name: 'doomed', hash: null },
    });
    expect(read(r.dir, 'README.md')).toMatch(
      /No mixture chart: the data set "doomed" is no longer/,
    );
  });
});

describe('never overwriting without being asked', () => {
  it('refuses a folder that is not empty, changes nothing in it, and overwrites when allowed', async () => {
    const dir = join(tmp.dir, 'occupied');
    mkdirSync(dir);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    writeFileSync(join(dir, 'params.json'), 'old');
    await expect(exportTo([k2.id], 'occupied')).rejects.toMatchObject({
      code: 'exists',
      message: expect.stringMatching(
        /already exists and is not empty; choose another folder or allow overwriting/,
      ),
    });
    expect(walk(dir)).toEqual(['keep.txt', 'params.json']);
    expect(read(dir, 'params.json')).toBe('old');

    const r = await exportTo([k2.id], 'occupied', true);
    expect(walk(dir)).toEqual([...r.files, 'keep.txt'].sort());
    expect(read(dir, 'keep.txt')).toBe('mine');
    expect(readJson(dir, 'params.json')).toMatchObject({ algorithm: 'gmm' });
  });

  it('uses an existing empty folder, and refuses a path that is a file', async () => {
    mkdirSync(join(tmp.dir, 'empty'));
    await expect(exportTo([one.id], 'empty')).resolves.toMatchObject({
      files: expect.arrayContaining(['params.json']),
    });
    writeFileSync(join(tmp.dir, 'a-file'), 'x');
    await expect(exportTo([one.id], 'a-file', true)).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('is not a folder'),
    });
  });
});

describe('never writing outside the chosen folder', () => {
  const names = ['../../escape', '..', '/abs/path', 'a\\..\\b', '../', 'C:\\Windows\\x', '.hidden'];

  it('exports runs named like paths only inside the folder', async () => {
    const parent = tempDir('traversal');
    try {
      const inner = join(parent.dir, 'a', 'b');
      for (const [i, name] of names.entries()) {
        await host.call('runs.update', { id: one.id, name });
        const r = await host.call('runs.export', {
          ids: [one.id],
          dir: join(inner, `single-${i}`),
          overwrite: false,
        });
        expect(readJson(r.dir, 'params.json')).toMatchObject({ run: { name } });
        await host.call('runs.update', { id: three.id, name: names[(i + 1) % names.length] });
        const c = await host.call('runs.export', {
          ids: [one.id, three.id],
          dir: join(inner, `compare-${i}`),
          overwrite: false,
        });
        for (const f of c.files) {
          expect(f.split('/').every((part) => part !== '..' && part !== '.' && part !== '')).toBe(
            true,
          );
          expect(f).not.toMatch(/\\|^\//);
        }
        const folders = [
          ...new Set(c.files.filter((f) => f.includes('/')).map((f) => f.split('/')[0])),
        ];
        expect(folders).toHaveLength(2);
        for (const folder of folders)
          expect(folder).toMatch(/^run-\d+(-[\p{L}\p{N}_][\p{L}\p{N}._-]*)?$/u);
      }
      // Everything written is under a/b/single-i or a/b/compare-i; nothing anywhere else.
      const all = walk(parent.dir);
      expect(all.length).toBeGreaterThan(names.length * 20);
      for (const f of all) expect(f).toMatch(/^a\/b\/(single|compare)-\d+\//);
      expect(existsSync(join(parent.dir, 'escape'))).toBe(false);
      expect(existsSync(join(parent.dir, 'a', 'escape'))).toBe(false);
      expect(existsSync('/abs/path')).toBe(false);
    } finally {
      await host.call('runs.update', { id: one.id, name: 'one column' });
      await host.call('runs.update', { id: three.id, name: 'blobs' });
      parent.remove();
    }
  });

  it('does not follow a link in the folder that leads outside it', async () => {
    const parent = tempDir('symlink');
    try {
      const outside = join(parent.dir, 'outside');
      const out = join(parent.dir, 'out');
      mkdirSync(outside);
      mkdirSync(out);
      symlinkSync(outside, join(out, `run-${one.id}-one-column`), 'dir');
      await expect(
        host.call('runs.export', { ids: [one.id, three.id], dir: out, overwrite: true }),
      ).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringMatching(/leads outside it; nothing was written/),
      });
      expect(readdirSync(outside)).toEqual([]);
      expect(readdirSync(out)).toEqual([`run-${one.id}-one-column`]);
    } finally {
      parent.remove();
    }
  });
});

describe('comparison export', () => {
  let r: ExportResult;
  it('overlays each metric of every run, one colour per run, and marks what differs', async () => {
    r = await exportTo([k2.id, k3.id], 'compare');
    const a = `run-${k2.id}-Faithful-K-2`;
    const b = `run-${k3.id}-Faithful-K-3`;
    expect(r.files.filter((f) => !f.includes('/'))).toEqual([
      'README.md',
      'comparison.json',
      'meanLogLikelihood.png',
      'meanLogLikelihood.svg',
    ]);
    for (const folder of [a, b])
      expect(r.files.filter((f) => f.startsWith(`${folder}/`)).map((f) => f.split('/')[1])).toEqual(
        [
          'README.md',
          'data.csv',
          'fit_sklearn.py',
          'loglik.png',
          'loglik.svg',
          'metrics.csv',
          'mixture.png',
          'mixture.svg',
          'model.json',
          'params.json',
          'summary.json',
        ],
      );
    expect(walk(r.dir)).toEqual(r.files);

    const names = [`#${k2.id} Faithful K=2`, `#${k3.id} Faithful K=3`];
    expectChart(r.dir, 'meanLogLikelihood', [
      ...names,
      'Mean log-likelihood per iteration',
      'mean log-likelihood',
      'iteration',
    ]);
    const svg = read(r.dir, 'meanLogLikelihood.svg').toLowerCase();
    expect(svg).toContain(colorOf(0).toLowerCase());
    expect(svg).toContain(colorOf(1).toLowerCase());

    type Row = { name: string; values: unknown[]; differs: boolean };
    const c = readJson<{
      runs: { id: number; folder: string; label: string }[];
      setup: Row[];
      parameters: Row[];
      differingParameters: string[];
      summary: { name: string; values: unknown[]; best: number | null }[];
    }>(r.dir, 'comparison.json');
    expect(c.runs.map((x) => [x.id, x.folder, x.label])).toEqual([
      [k2.id, a, names[0]],
      [k3.id, b, names[1]],
    ]);
    expect(c.differingParameters).toEqual(['k']);
    expect(c.parameters.find((p) => p.name === 'k')).toEqual({
      name: 'k',
      values: [2, 3],
      differs: true,
    });
    expect(c.parameters.find((p) => p.name === 'covarianceType')?.differs).toBe(false);
    expect(c.setup.find((p) => p.name === 'seed')).toEqual({
      name: 'seed',
      values: [1, 1],
      differs: false,
    });
    const ll = c.summary.find((s) => s.name === 'meanLogLikelihood')!;
    const lls = [k2, k3].map((x) => (x.summary as { meanLogLikelihood: number }).meanLogLikelihood);
    expect(ll.values).toEqual(lls);
    expect(ll.best).toBe(lls[0] > lls[1] ? k2.id : k3.id);
    const bics = [k2, k3].map((x) => (x.summary as { bic: number }).bic);
    expect(c.summary.find((s) => s.name === 'bic')!.best).toBe(bics[0] < bics[1] ? k2.id : k3.id);
    expect(c.summary.find((s) => s.name === 'iterations')!.best).toBeNull();

    const readme = read(r.dir, 'README.md');
    for (const f of r.files) expect(readme, f).toContain(`\`${f}\``);
  });

  /** The host's zip of `ids`, its pieces gathered (the web shell streams them instead). */
  async function zipOf(ids: number[]): Promise<{ fileName: string; data: Uint8Array }> {
    const zip = await host.exportZip(ids);
    const pieces: Uint8Array[] = [];
    await (
      await zip.build()
    )((piece) => void pieces.push(piece));
    return { fileName: zip.fileName, data: new Uint8Array(Buffer.concat(pieces)) };
  }

  it('zips the same files (one run, and a comparison)', async () => {
    const zip = await zipOf([k2.id, k3.id]);
    expect(zip.fileName).toBe(`latent-lab-compare-${k2.id}-${k3.id}.zip`);
    const files = unzipSync(zip.data);
    expect(Object.keys(files).sort()).toEqual(r.files);
    decodePng(files['meanLogLikelihood.png']);
    const params = JSON.parse(
      new TextDecoder().decode(files[`run-${k2.id}-Faithful-K-2/params.json`]),
    ) as { params: unknown };
    expect(params.params).toEqual(k2.params);
    expect(new TextDecoder().decode(files[`run-${k2.id}-Faithful-K-2/metrics.csv`])).toBe(
      read(r.dir, `run-${k2.id}-Faithful-K-2/metrics.csv`),
    );

    const single = await zipOf([sweep.id]);
    expect(single.fileName).toBe(`latent-lab-run-${sweep.id}.zip`);
    expect(Object.keys(unzipSync(single.data)).sort()).toEqual(walk(join(tmp.dir, 'sweep')));
  });
});

describe('import', () => {
  it('round trip: export → import gives the same summary, metrics, parameters and labels', async () => {
    for (const [run, folder] of [
      [k2, 'k2'],
      [sweep, 'sweep'],
    ] as const) {
      const dir = join(tmp.dir, folder);
      const imported = await host.call('runs.import', { dir });
      expect(imported.id).not.toBe(run.id);
      expect(imported).toMatchObject({
        name: run.name,
        algorithm: run.algorithm,
        datasetId: run.datasetId,
        datasetName: run.datasetName,
        columns: run.columns,
        params: run.params,
        seed: run.seed,
        backend: run.backend,
        status: 'completed',
        tags: run.id === k2.id ? ['baseline', 'faithful'] : [],
        note: run.id === k2.id ? 'the reference fit' : '',
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
      });
      expect(imported.notes).toEqual([...run.notes, `imported from ${dir}`]);
      expect(imported.summary).toEqual(run.summary);
      expect(plain(host.store.metricSeries(imported.id))).toEqual(
        plain(host.store.metricSeries(run.id)),
      );
      // The fitted mixtures come back as artifacts, so the run page can draw them.
      const mixtures = host.store.listArtifacts(imported.id, 'mixture');
      expect(mixtures.length).toBe(run.id === k2.id ? 1 : 6);
    }
    // The imported fit is a model like any other.
    const [imported] = host.store.listRuns();
    expect(imported.algorithm).toBe('gmm-sweep');
    const fitCopy = host.store.listRuns().find((x) => x.name === k2.name && x.id !== k2.id)!;
    const sample = await host.call('models.sample', { id: fitCopy.id, n: 10, seed: 1 });
    expect(sample.values).toHaveLength(20);
  });

  it('imports a run exported while in progress as interrupted, and keeps its data set name', async () => {
    const dir = join(tmp.dir, 'in-progress');
    cpSync(join(tmp.dir, 'orphan'), dir, { recursive: true });
    const params = readJson<{ run: { status: string } }>(dir, 'params.json');
    params.run.status = 'running';
    writeFileSync(join(dir, 'params.json'), JSON.stringify(params));
    const imported = await host.call('runs.import', { dir });
    expect(imported).toMatchObject({
      status: 'interrupted',
      datasetId: null,
      datasetName: 'doomed',
      error: 'exported while running',
    });
  });

  it('refuses a malformed folder, naming the file, and stores nothing', async () => {
    const good = join(tmp.dir, 'k2');
    const runs = () => host.store.listRuns().length;
    const points = () =>
      (host.store.db.prepare('SELECT COUNT(*) AS n FROM metrics').get() as { n: number }).n;
    const before = { runs: runs(), points: points() };
    const csv = read(good, 'metrics.csv').split('\n');
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['no params', (d) => rmSync(join(d, 'params.json')), /^params\.json: missing/],
      [
        'params not JSON',
        (d) => writeFileSync(join(d, 'params.json'), '{'),
        /^params\.json: not valid JSON/,
      ],
      [
        'negative seed',
        (d) => {
          const p = readJson(d, 'params.json');
          writeFileSync(join(d, 'params.json'), JSON.stringify({ ...p, seed: -1 }));
        },
        /^params\.json: seed/,
      ],
      [
        'unknown algorithm',
        (d) => {
          const p = readJson(d, 'params.json');
          writeFileSync(join(d, 'params.json'), JSON.stringify({ ...p, algorithm: 'nope' }));
        },
        /^params\.json: unknown algorithm "nope"/,
      ],
      [
        'bad parameter',
        (d) => {
          const p = readJson<{ params: object }>(d, 'params.json');
          writeFileSync(
            join(d, 'params.json'),
            JSON.stringify({ ...p, params: { ...p.params, k: 0 } }),
          );
        },
        /^params\.json: params: k/,
      ],
      ['no summary', (d) => rmSync(join(d, 'summary.json')), /^summary\.json: cannot read/],
      ['no metrics', (d) => rmSync(join(d, 'metrics.csv')), /^metrics\.csv: cannot read/],
      [
        'bad cell',
        (d) =>
          writeFileSync(
            join(d, 'metrics.csv'),
            [csv[0], csv[1], csv[2].replace(/,[^,]*,/, ',abc,'), ...csv.slice(3)].join('\n'),
          ),
        /^metrics\.csv, line 3: "meanLogLikelihood" "abc" is not a number/,
      ],
      [
        'bad header',
        (d) => writeFileSync(join(d, 'metrics.csv'), ['iteration,x', ...csv.slice(1)].join('\n')),
        /^metrics\.csv, line 1/,
      ],
      [
        'step twice',
        (d) => writeFileSync(join(d, 'metrics.csv'), [...csv.slice(0, 3), csv[2]].join('\n')),
        /^metrics\.csv, line 4: step \d+ appears twice/,
      ],
      ['bad model', (d) => writeFileSync(join(d, 'model.json'), '[1, 2]'), /^model\.json: /],
    ];
    for (const [what, spoil, reason] of cases) {
      const dir = join(tmp.dir, `bad-${what.replace(/ /g, '-')}`);
      cpSync(good, dir, { recursive: true });
      spoil(dir);
      await expect(host.call('runs.import', { dir }), what).rejects.toMatchObject({
        code: 'bad-data',
        message: expect.stringMatching(reason),
      });
    }
    await expect(host.call('runs.import', { dir: join(tmp.dir, 'a-file') })).rejects.toMatchObject({
      code: 'bad-data',
      message: expect.stringContaining('is not a folder'),
    });
    await expect(host.call('runs.import', { dir: join(tmp.dir, 'compare') })).rejects.toMatchObject(
      { code: 'bad-data', message: expect.stringContaining('is a comparison') },
    );
    expect({ runs: runs(), points: points() }).toEqual(before);

    // A failure inside the store's transaction (after the run row and its metrics were
    // inserted) leaves nothing behind either.
    const spy = vi.spyOn(host.store, 'insertArtifact').mockImplementation(() => {
      throw new Error('disk on fire');
    });
    try {
      await expect(host.call('runs.import', { dir: good })).rejects.toThrow(/nothing was stored/);
    } finally {
      spy.mockRestore();
    }
    expect({ runs: runs(), points: points() }).toEqual(before);
  });
});

describe('export as code: the scikit-learn script of a GMM run', () => {
  /** Debian's Python with scikit-learn (.ci/run installs python3-sklearn). */
  function runScript(dir: string): Record<string, number | boolean | null> {
    try {
      execFileSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' });
    } catch {
      throw new Error('this test runs the exported script: apt-get install python3-sklearn');
    }
    const out = execFileSync('/usr/bin/python3', [join(dir, 'fit_sklearn.py')], {
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number | boolean | null>;
  }

  it.each([
    { name: 'full, K = 2', params: { k: 2, covarianceType: 'full' } },
    // Standardised, two restarts (the second kept or not: the script starts from the kept one).
    {
      name: 'diag, standardised, 3 restarts',
      params: { k: 3, covarianceType: 'diag', standardize: true, nInit: 3, init: 'random' },
    },
    { name: 'tied, K = 2', params: { k: 2, covarianceType: 'tied' } },
  ])(
    'reproduces the run’s mean log-likelihood within 1e-6 ($name)',
    async ({ name, params }) => {
      const faithful = host.store.listDatasets().find((d) => d.name === 'Old Faithful')!.id;
      const run = await fit({
        datasetId: faithful,
        columns: ['eruptions', 'waiting'],
        // Run to its fixed point, so neither side stops one iteration apart from the other.
        params: { ...params, tol: 1e-9, maxIter: 3000 },
        name: `code ${name}`,
      });
      const dir = join(tmp.dir, `code-${run.id}`);
      const r = await host.call('runs.export', { ids: [run.id], dir });
      expect(r.files).toEqual(expect.arrayContaining(['fit_sklearn.py', 'data.csv']));
      expect(read(dir, 'README.md')).toContain('`fit_sklearn.py`');
      const rows = read(dir, 'data.csv').trim().split('\n');
      expect(rows[0]).toBe('"eruptions","waiting"');
      expect(rows).toHaveLength(273);
      const printed = runScript(dir);
      const ours = (run.summary as { meanLogLikelihood: number }).meanLogLikelihood;
      expect(printed.latent_lab_mean_log_likelihood).toBe(ours);
      expect(Math.abs((printed.sklearn_mean_log_likelihood as number) - ours)).toBeLessThan(1e-6);
    },
    120_000,
  );
});
