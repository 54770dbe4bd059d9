/**
 * `latent-lab sample`: new samples from a finished VAE or RBM run's saved model, through the built CLI.
 * The runs are made through a host on the same database first (a real built worker).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzlibSync } from 'fflate';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_COLUMN } from '../../src/shared/api';
import { translate } from '../../src/shared/i18n';
import { cliPath, openTestHost, requireBuilt, runCli, type TestHost } from './helpers';

let tmp: TestHost;
let db: string;
const ids = { image: 0, table: 0, gmm: 0, failed: 0, rbm: 0 };

const cli = (args: string[]) => runCli(args, db, tmp.dir);

/** Width, height and the RGBA rows (filter bytes dropped) of a PNG the encoder wrote. */
function readPng(bytes: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = view.getUint32(at);
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === 'IDAT')
      idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  expect(idat).toHaveLength(1);
  const raw = unzlibSync(idat[0]);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    rgba.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  return { width, height, rgba };
}

beforeAll(async () => {
  requireBuilt(cliPath, ['src/main', 'src/shared']);
  tmp = await openTestHost('cli-sample', { maxWorkers: 1, dbFile: 'sample.db' });
  db = join(tmp.dir, 'sample.db');
  const host = tmp.host;
  try {
    // 6 × 5 images: a bright bar in one of three rows.
    const lines = [Array.from({ length: 30 }, (_, j) => `p${j}`).join(',')];
    for (let i = 0; i < 90; i++)
      lines.push(
        Array.from({ length: 30 }, (_, j) =>
          Math.floor(j / 6) === i % 3 ? 200 + ((i * j) % 50) : (i + j) % 30,
        ).join(','),
      );
    const { dataset: images } = await host.call('datasets.import', {
      source: { kind: 'text', text: lines.join('\n') },
      name: 'bars',
      image: { width: 6, height: 5 },
    });
    const faithful = (await host.call('datasets.list', {})).find((d) => d.name === 'Old Faithful')!;
    const small = { latentDim: 2, hiddenUnits: 8, epochs: 2, iwaeK: 0, galleryEvery: 0 };
    const start = async (input: {
      algorithm: string;
      datasetId: number;
      columns: string[];
      params: Record<string, unknown>;
      seed: number;
    }) => {
      const run = await host.call('runs.start', input);
      return host.runs.whenSettled(run.id);
    };
    const image = await start({
      algorithm: 'vae',
      datasetId: images.id,
      columns: [IMAGE_COLUMN],
      params: { ...small, batchSize: 16 },
      seed: 1,
    });
    expect(image.status, image.error ?? '').toBe('completed');
    const table = await start({
      algorithm: 'vae',
      datasetId: faithful.id,
      columns: ['eruptions', 'waiting'],
      params: { ...small, likelihood: 'gaussian-learned' },
      seed: 2,
    });
    expect(table.status, table.error ?? '').toBe('completed');
    const gmm = await start({
      algorithm: 'gmm',
      datasetId: faithful.id,
      columns: ['eruptions', 'waiting'],
      params: { k: 2 },
      seed: 3,
    });
    expect(gmm.status).toBe('completed');
    // A VAE run that never got to save a model: a Bernoulli likelihood on minutes is refused.
    const failed = await start({
      algorithm: 'vae',
      datasetId: faithful.id,
      columns: ['eruptions', 'waiting'],
      params: small,
      seed: 4,
    });
    expect(failed.status).toBe('failed');
    // The engine's reason, in English and as a text the page shows in its language.
    expect(failed.error).toMatch(/^row 1, column "eruptions" is 3\.6: a Bernoulli likelihood/);
    expect(failed.errorText?.key).toBe('fail.bernoulliRange');
    expect(translate('zh', failed.errorText!.key, failed.errorText!.vars)).toMatch(
      /^第 1 行，“eruptions”列的值是 3\.6：Bernoulli 似然/,
    );
    // An RBM that learns the three bars (binarised: a bar's pixels are on, the rest off).
    const rbm = await start({
      algorithm: 'rbm',
      datasetId: images.id,
      columns: [IMAGE_COLUMN],
      params: {
        hiddenUnits: 16,
        epochs: 100,
        learningRate: 0.1,
        testFraction: 0.1,
        aisRuns: 0,
        galleryEvery: 0,
      },
      seed: 5,
    });
    expect(rbm.status, rbm.error ?? '').toBe('completed');
    Object.assign(ids, {
      image: image.id,
      table: table.id,
      gmm: gmm.id,
      failed: failed.id,
      rbm: rbm.id,
    });
  } finally {
    tmp.closeHost();
  }
}, 120_000);
afterAll(() => tmp?.close());

describe('latent-lab sample', () => {
  it('writes a PNG grid of new images from an image run, the same for the same seed', async () => {
    const sample = (seed: number, out: string, ...more: string[]) =>
      cli([
        'sample',
        String(ids.image),
        '--count',
        '10',
        '--seed',
        String(seed),
        '--out',
        out,
        ...more,
      ]);
    const out = join(tmp.dir, 'digits.png');
    const r = await sample(7, out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`wrote 10 samples of run ${ids.image} (seed 7) to ${out}\n`);
    const png = readPng(readFileSync(out));
    // 10 tiles of 6 × 5, four to a row (⌈√10⌉), one-pixel gaps: 4·7 + 1 by 3·6 + 1.
    expect([png.width, png.height]).toEqual([29, 19]);
    // Inside the first tile: pictures, not one flat grey.
    const tile: number[] = [];
    for (let y = 1; y < 6; y++)
      for (let x = 1; x < 7; x++) tile.push(png.rgba[(y * png.width + x) * 4]);
    expect(Math.max(...tile) - Math.min(...tile)).toBeGreaterThan(30);

    const again = join(tmp.dir, 'again.png');
    const same = await sample(7, again, '--json');
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toEqual({ runId: ids.image, count: 10, seed: 7, file: again });
    expect(readFileSync(again)).toEqual(readFileSync(out));
    const other = join(tmp.dir, 'other.png');
    expect((await sample(8, other)).code).toBe(0);
    expect(readFileSync(other)).not.toEqual(readFileSync(out));
  });

  it("writes a CSV of new rows under the run's column names from a table run", async () => {
    const out = join(tmp.dir, 'faithful.csv');
    const r = await cli(['sample', String(ids.table), '--count', '300', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const parsed = Papa.parse<string[]>(readFileSync(out, 'utf8').trim());
    expect(parsed.errors).toEqual([]);
    const [header, ...rows] = parsed.data;
    expect(header).toEqual(['eruptions', 'waiting']);
    expect(rows).toHaveLength(300);
    const values = rows.map((row) => row.map(Number));
    expect(values.flat().every(Number.isFinite)).toBe(true);
    // In the data's units, not standardised ones: eruptions of minutes, waits of about an hour.
    const mean = (j: number) => values.reduce((s, v) => s + v[j], 0) / values.length;
    expect(mean(0)).toBeGreaterThan(1.5);
    expect(mean(0)).toBeLessThan(5);
    expect(mean(1)).toBeGreaterThan(45);
    expect(mean(1)).toBeLessThan(95);
  });

  it('draws an RBM’s samples by Gibbs sweeps from noise: pictures of the bars it learnt', async () => {
    const out = join(tmp.dir, 'bars.png');
    const r = await cli([
      'sample',
      String(ids.rbm),
      '--count',
      '9',
      '--steps',
      '200',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const png = readPng(readFileSync(out));
    // 9 tiles of 6 × 5, three to a row, one-pixel gaps.
    expect([png.width, png.height]).toEqual([3 * 7 + 1, 3 * 6 + 1]);
    // Each tile is a bar: one of its five rows bright across, the others dark.
    for (let t = 0; t < 9; t++) {
      const x0 = 1 + (t % 3) * 7;
      const y0 = 1 + Math.floor(t / 3) * 6;
      const rowMeans = Array.from({ length: 5 }, (_, y) => {
        let sum = 0;
        for (let x = 0; x < 6; x++) sum += png.rgba[((y0 + y) * png.width + x0 + x) * 4];
        return sum / 6;
      }).sort((a, b) => b - a);
      expect(rowMeans[0], `tile ${t}`).toBeGreaterThan(180);
      expect(rowMeans[1], `tile ${t}`).toBeLessThan(80);
    }
    const again = join(tmp.dir, 'bars-again.png');
    expect(
      (await cli(['sample', String(ids.rbm), '--count', '9', '--steps', '200', '--out', again]))
        .code,
    ).toBe(0);
    expect(readFileSync(again)).toEqual(readFileSync(out));
  });

  it('refuses, with exit code 2 and one line, what it cannot sample', async () => {
    const png = join(tmp.dir, 'x.png');
    const cases: [string[], RegExp][] = [
      [['sample', String(ids.gmm), '--out', png], new RegExp(`run ${ids.gmm} is a gmm run`)],
      [
        ['sample', String(ids.failed), '--out', join(tmp.dir, 'x.csv')],
        /has no saved model \(it is failed\)/,
      ],
      [['sample', '999', '--out', png], /no run 999/],
      [['sample', String(ids.image)], /sample needs --out/],
      [['sample', String(ids.image), '--out', join(tmp.dir, 'x.txt')], /--out must end in \.png/],
      [
        ['sample', String(ids.image), '--out', join(tmp.dir, 'x.csv')],
        /models images: write them to a \.png/,
      ],
      [['sample', String(ids.table), '--out', png], /models a table: write its rows to a \.csv/],
      [
        ['sample', String(ids.image), '--count', '0', '--out', png],
        /--count must be an integer from 1/,
      ],
      [['sample', String(ids.image), '--seed=-1', '--out', png], /--seed must be a non-negative/],
      [['sample', String(ids.image), '--steps', '10', '--out', png], /--steps .* is for RBM runs/],
      [['sample', String(ids.rbm), '--steps', '0', '--out', png], /--steps must be an integer/],
      [
        ['sample', String(ids.image), '--out', join(tmp.dir, 'no', 'such', 'dir.png')],
        /cannot write .*dir\.png: ENOENT/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((r, i) => {
      const what = cases[i][0].join(' ');
      expect(r.code, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stdout, what).toBe('');
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(r.stderr, what).toMatch(cases[i][1]);
    });
  });
});
