/**
 * Image data sets: the schema migration, the bundled MNIST digits, pages of images, image CSV
 * import and what a run on an image set hands the engine.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, IMAGE_COLUMN, type DatasetMeta } from '../../src/shared/api';
import { createHost, type Host } from '../../src/main/host/host';
import { migrate, migrations } from '../../src/main/host/migrations';
import { loadMnist } from '../../src/main/host/mnist';
import { runEngineData } from '../../src/main/host/run-data';
import { Store } from '../../src/main/host/store';
import { inEnglish } from '../../src/shared/i18n';

const resourcesDir = resolve(__dirname, '../../resources');
let dir: string;
let host: Host;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latent-lab-images-'));
  host = await createHost({
    dataDir: dir,
    resourcesDir,
    maxWorkers: 1,
    launchWorker: () => {
      throw new Error('no engine in these tests');
    },
  });
});
afterAll(() => {
  host.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(name: string, input: unknown): Promise<ApiError> {
  const e = await host.handle(name, input).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, `${name} should be refused`).toBeInstanceOf(ApiError);
  return e as ApiError;
}

/** `count` images of w × h: pixel j of image i is (i * 7 + j * 13) % 256, label i % 3. */
function imageCsv(count: number, w: number, h: number, opts: { label?: boolean } = {}): string {
  const n = w * h;
  const header = [
    ...(opts.label ? ['label'] : []),
    ...Array.from({ length: n }, (_, j) => `px${j}`),
  ];
  const lines = [header.join(',')];
  for (let i = 0; i < count; i++) {
    const px = Array.from({ length: n }, (_, j) => (i * 7 + j * 13) % 256);
    lines.push([...(opts.label ? [i % 3] : []), ...px].join(','));
  }
  return lines.join('\n') + '\n';
}
const expectedPixel = (i: number, j: number) => (i * 7 + j * 13) % 256;

describe('migration 5', () => {
  it('keeps the table data sets of a version-4 database intact', () => {
    const file = join(dir, 'v4.db');
    const db = new Database(file);
    migrate(db, migrations.slice(0, 4));
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    const values = new Float64Array([1.5, 2, -3, 4.25]);
    db.prepare(
      `INSERT INTO datasets (name, rows, columns_json, builtin, hash, data) VALUES (?, ?, ?, 0, ?, ?)`,
    ).run(
      'old table',
      2,
      JSON.stringify([
        { name: 'a', type: 'number', missing: 0 },
        { name: 'b', type: 'number', missing: 0 },
      ]),
      'h4',
      Buffer.from(values.buffer),
    );
    db.close();

    const store = new Store(file);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(migrations.length);
      const meta = store.listDatasets().find((d) => d.name === 'old table')!;
      expect(meta).toMatchObject({ rows: 2, hash: 'h4', builtin: false, labels: false });
      expect(meta.image).toBeUndefined();
      const back = store.datasetValues(meta.id)!;
      expect(back.columns).toEqual(['a', 'b']);
      expect(Array.from(back.values)).toEqual(Array.from(values));
      expect(store.datasetImages(meta.id, 0, 1)).toBeNull();
    } finally {
      store.close();
    }
  });
});

describe('bundled MNIST digits', () => {
  const digits = loadMnist(resourcesDir);
  let mnist: DatasetMeta;
  beforeAll(() => {
    mnist = host.store.findBuiltin('MNIST digits')!;
  });

  it('is in a new database: 10,000 labelled 28 × 28 images, the tables still first', () => {
    expect(host.store.findBuiltin('Old Faithful')!.id).toBe(1);
    expect(mnist).toMatchObject({
      rows: 10_000,
      builtin: true,
      labels: true,
      image: { width: 28, height: 28, channels: 1 },
      columns: [{ name: IMAGE_COLUMN, type: 'integer', missing: 0 }],
    });
    const all = host.store.datasetImageData(mnist.id)!;
    const counts = new Array<number>(10).fill(0);
    for (const l of all.labels!) counts[l]++;
    const expected = new Array<number>(10).fill(0);
    for (const l of digits.labels) expected[l]++;
    expect(counts).toEqual(expected);
    expect(counts.every((c) => c > 800)).toBe(true);
    expect(Buffer.compare(Buffer.from(all.pixels), Buffer.from(digits.pixels))).toBe(0);
  });

  it('is not read again when the database has it', async () => {
    const again = await createHost({
      dataDir: dir,
      // No resources at all: a host that tried to read MNIST (or the CSVs) would fail.
      resourcesDir: join(dir, 'no-such-folder'),
      maxWorkers: 1,
      launchWorker: () => {
        throw new Error('no engine');
      },
    });
    try {
      expect(again.store.listDatasets().filter((d) => d.name === 'MNIST digits')).toHaveLength(1);
    } finally {
      again.close();
    }
  });

  it('datasets.images returns the bytes and labels of a page', async () => {
    const offset = 4321;
    const page = await host.call('datasets.images', { id: mnist.id, offset, count: 50 });
    expect(page).toMatchObject({ width: 28, height: 28, channels: 1, offset, count: 50 });
    expect(page.total).toBe(10_000);
    expect(page.pixels).toBeInstanceOf(Uint8Array);
    expect(Array.from(page.pixels)).toEqual(
      Array.from(digits.pixels.subarray(offset * 784, (offset + 50) * 784)),
    );
    expect(Array.from(page.labels!)).toEqual(
      Array.from(digits.labels.subarray(offset, offset + 50)),
    );
    // The end of the set: fewer images, then none.
    const tail = await host.call('datasets.images', { id: mnist.id, offset: 9_990, count: 256 });
    expect(tail.count).toBe(10);
    expect(tail.pixels.length).toBe(10 * 784);
    const past = await host.call('datasets.images', { id: mnist.id, offset: 20_000, count: 5 });
    expect(past.count).toBe(0);
    expect(past.pixels.length).toBe(0);
  });

  it('datasets.values refuses an image set; datasets.images refuses a table and big pages', async () => {
    const e = await refusal('datasets.values', { id: mnist.id });
    expect(e.code).toBe('unsupported');
    expect(e.message).toMatch(/image set.*datasets\.images/);
    const t = await refusal('datasets.images', { id: 1, offset: 0, count: 1 });
    expect(t.code).toBe('unsupported');
    expect((await refusal('datasets.images', { id: mnist.id, offset: 0, count: 257 })).code).toBe(
      'invalid-input',
    );
  });

  it('runs.start refuses table columns on an image set', async () => {
    const e = await refusal('runs.start', {
      algorithm: 'vae',
      datasetId: mnist.id,
      columns: ['p0', 'p1'],
      params: {},
      seed: 1,
    });
    expect(e.code).toBe('invalid-input');
    expect(e.message).toMatch(/image set.*"image"/);
  });

  it('runs.start refuses an image set for an algorithm that learns from tables only', async () => {
    const before = host.store.listRuns().length;
    const e = await refusal('runs.start', {
      algorithm: 'gmm',
      datasetId: mnist.id,
      columns: ['image'],
      params: {},
      seed: 1,
    });
    expect(e.code).toBe('bad-data');
    expect(e.message).toMatch(/gmm learns from a table.*"MNIST digits" is a set of images/);
    expect(host.store.listRuns()).toHaveLength(before);
  });
});

describe('image CSV import', () => {
  const count = () => host.store.listDatasets().length;

  it('stores pixels and labels exactly (0–255)', async () => {
    const { dataset: meta } = await host.call('datasets.import', {
      source: { kind: 'text', text: imageCsv(12, 4, 3, { label: true }) },
      name: 'tiny',
      image: { width: 4, height: 3 },
      labelColumn: 'label',
    });
    expect(meta).toMatchObject({
      rows: 12,
      labels: true,
      image: { width: 4, height: 3, channels: 1 },
    });
    const page = await host.call('datasets.images', { id: meta.id, offset: 2, count: 3 });
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 12; j++) expect(page.pixels[i * 12 + j]).toBe(expectedPixel(i + 2, j));
    expect(Array.from(page.labels!)).toEqual([2, 0, 1]);
  });

  it('scales a 0–1 file by 255; no label column means no labels', async () => {
    const text = 'a,b,c,d\n0,0.5,1,0.25\n1,1,0,0.001\n';
    const { dataset: meta } = await host.call('datasets.import', {
      source: { kind: 'text', text },
      name: 'unit scale',
      image: { width: 2, height: 2 },
    });
    expect(meta.labels).toBe(false);
    const page = await host.call('datasets.images', { id: meta.id, offset: 0, count: 2 });
    expect(Array.from(page.pixels)).toEqual([0, 128, 255, 64, 255, 255, 0, 0]);
    expect(page.labels).toBeNull();
  });

  it('refuses a wrong pixel count, bad values and bad labels, storing nothing', async () => {
    const before = count();
    const cases: [string, unknown, RegExp][] = [
      [imageCsv(3, 4, 4), { width: 4, height: 3 }, /16 pixel columns.*4 × 3 images need 12/],
      ['a,b,c,d\n0,10,300,4\n', { width: 2, height: 2 }, /"c": 300 is not a pixel value/],
      ['a,b,c,d\n0,10,-1,4\n', { width: 2, height: 2 }, /"c": -1 is not a pixel value/],
      ['a,b,c,d\n0,10,x,4\n', { width: 2, height: 2 }, /column "c" holds text \("x" on line 2/],
    ];
    for (const [text, image, message] of cases) {
      const e = await refusal('datasets.import', {
        source: { kind: 'text', text },
        name: 'bad',
        image,
      });
      expect(e.code).toBe('bad-data');
      expect(e.message).toMatch(message);
    }
    const badLabel = await refusal('datasets.import', {
      source: { kind: 'text', text: 'label,a,b\n1.5,0,1\n' },
      name: 'bad',
      image: { width: 2, height: 1 },
      labelColumn: 'label',
    });
    expect(badLabel.message).toMatch(/not an integer label/);
    const noLabel = await refusal('datasets.import', {
      source: { kind: 'text', text: 'a,b\n0,1\n' },
      name: 'bad',
      image: { width: 2, height: 1 },
      labelColumn: 'digit',
    });
    expect(noLabel.message).toMatch(/no label column "digit"/);
    expect(count()).toBe(before);
    // Without `image`, a label column is a table's: kept beside the values, not learnt from.
    const { dataset: table } = await host.call('datasets.import', {
      source: { kind: 'text', text: 'a,b\n0,1\n2,3\n' },
      name: 'table',
      labelColumn: 'a',
    });
    expect(table).toMatchObject({ labelColumn: 'a', labels: true });
    expect(table.columns.map((c) => c.name)).toEqual(['b']);
  });
});

describe('a run on an image set', () => {
  it('hands the engine every pixel / 255 with the image shape and labels', async () => {
    const { dataset: meta } = await host.call('datasets.import', {
      source: { kind: 'text', text: imageCsv(64, 4, 4, { label: true }) },
      name: 'run data',
      image: { width: 4, height: 4 },
      labelColumn: 'label',
    });
    const built = runEngineData(host.store, meta, [IMAGE_COLUMN]);
    if (!('data' in built)) throw new Error(inEnglish(built.refusal));
    const d = built.data;
    expect(d).toMatchObject({ rows: 64, cols: 16, image: { width: 4, height: 4, channels: 1 } });
    expect(d.columns).toEqual(Array.from({ length: 16 }, (_, j) => `p${j}`));
    expect(d.values).toBeInstanceOf(Float64Array);
    expect(d.values.length).toBe(64 * 16);
    expect(d.values[5 * 16 + 7]).toBeCloseTo(expectedPixel(5, 7) / 255, 15);
    expect(Math.max(...d.values)).toBeLessThanOrEqual(1);
    expect(Array.from(d.labels!.subarray(0, 4))).toEqual([0, 1, 2, 0]);
    const refused = runEngineData(host.store, meta, ['px0']);
    if (!('refusal' in refused)) throw new Error('expected a refusal');
    expect(inEnglish(refused.refusal)).toMatch(/is an image set: its one column is "image"/);
    // A table is unchanged: its named columns.
    const faithful = host.store.findBuiltin('Old Faithful')!;
    const table = runEngineData(host.store, faithful, ['waiting']);
    if (!('data' in table)) throw new Error(inEnglish(table.refusal));
    expect(table.data).toMatchObject({ rows: 272, cols: 1, columns: ['waiting'] });
    expect(table.data.image).toBeUndefined();
  });
});
