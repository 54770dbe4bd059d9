import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, requests } from '../../src/shared/api';
import { createHost, type Host } from '../../src/main/host/host';
import { translate } from '../../src/shared/i18n';

const resourcesDir = resolve(__dirname, '../../resources');
let dir: string;
let host: Host;
let launches = 0;
let faithfulId: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'latent-lab-contract-'));
  host = await createHost({
    dataDir: dir,
    resourcesDir,
    maxWorkers: 1,
    launchWorker: () => {
      launches++;
      throw new Error('no engine in contract tests');
    },
  });
  faithfulId = host.store.findBuiltin('Old Faithful')!.id;
  expect(faithfulId).toBe(1);
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
  expect(e, `${name} ${JSON.stringify(input)} should be refused`).toBeInstanceOf(ApiError);
  return e as ApiError;
}

// The bundled sets are imported first into a fresh database: Old Faithful is data set 1.
const validStart = () => ({
  algorithm: 'gmm',
  datasetId: 1,
  columns: ['eruptions', 'waiting'],
  params: { k: 3 },
  seed: 1,
});

describe('the contract at the host', () => {
  it('refuses unknown request names', async () => {
    for (const name of ['datasets.drop', '', '__proto__', 'constructor', 'toString']) {
      const e = await refusal(name, {});
      expect(e.code).toBe('invalid-input');
      expect(e.message).toMatch(/unknown request/);
    }
  });

  it.each([
    ['datasets.values', { id: 'one' }, /datasets\.values: id: .*number/],
    ['datasets.values', {}, /id: .*(required|number)/i],
    ['datasets.values', { id: -3 }, /id: .*(>0|too small)/i],
    ['datasets.values', { id: 0 }, /id: /],
    ['datasets.values', { id: 1.5 }, /id: .*int/i],
    ['datasets.values', null, /id: /],
    ['datasets.values', 'oops', /datasets\.values: /],
    ['datasets.delete', { id: -1 }, /id: /],
    ['runs.get', { id: Number.NaN }, /id: /],
    ['runs.cancel', { id: '7' }, /id: /],
    ['runs.artifacts', { id: 1, kind: 'movie' }, /kind: /],
    ['runs.artifacts', { id: 1, latestOnly: 'yes' }, /latestOnly: /],
    ['datasets.preview', { source: { kind: 'url', url: 'http://x' } }, /source/],
    ['datasets.preview', { source: { kind: 'path', path: '' } }, /source\.path: /],
    // Paths must be absolute: never resolved against the host's working folder.
    ['datasets.preview', { source: { kind: 'path', path: 'data/x.csv' } }, /absolute path/],
    ['runs.export', { ids: [1], dir: '../out' }, /dir: must be an absolute path/],
    ['runs.import', { dir: 'exports/run-1' }, /absolute path/],
    [
      'runs.start',
      { algorithm: 'gmm', datasetId: 1, columns: ['a', 'a'], params: {}, seed: 1 },
      /named twice/,
    ],
    ['datasets.preview', { source: { kind: 'text' } }, /source\.text: /],
    ['datasets.import', { source: { kind: 'text', text: 'a\n1\n' } }, /name: /],
    ['datasets.import', { source: { kind: 'text', text: 'a\n1\n' }, name: '   ' }, /name: /],
    [
      'datasets.import',
      { source: { kind: 'text', text: 'a\n1\n' }, name: 'n', columns: [] },
      /columns: /,
    ],
    [
      'datasets.import',
      { source: { kind: 'text', text: 'a\n1\n' }, name: 'n', dropInvalidRows: 1 },
      /dropInvalidRows: /,
    ],
    ['runs.start', { ...validStart(), algorithm: 'vae-x' }, /algorithm: /],
    ['runs.start', { ...validStart(), datasetId: -1 }, /datasetId: /],
    ['runs.start', { ...validStart(), columns: [] }, /columns: /],
    ['runs.start', { ...validStart(), columns: undefined }, /columns: /],
    ['runs.start', { ...validStart(), seed: -1 }, /seed: /],
    ['runs.start', { ...validStart(), seed: 2 ** 31 }, /seed: /],
    ['runs.start', { ...validStart(), seed: 0.5 }, /seed: /],
    ['runs.start', { ...validStart(), params: { k: '3' } }, /params\.k: /],
    ['runs.start', { ...validStart(), params: [3] }, /params: /],
    ['runs.start', { ...validStart(), params: { kk: 3 } }, /kk/],
    ['runs.start', { ...validStart(), params: { k: 0 } }, /k: .*(>=1|too small)/i],
    ['runs.start', { ...validStart(), params: { k: 65 } }, /k: .*(<=64|too big)/i],
    ['runs.start', { ...validStart(), params: { k: 2.5 } }, /k: .*int/i],
    ['runs.start', { ...validStart(), params: { tol: 0 } }, /tol: /],
    ['runs.start', { ...validStart(), params: { regCovar: -1e-6 } }, /regCovar: /],
    ['runs.start', { ...validStart(), params: { maxIter: Infinity } }, /maxIter: /],
  ])('refuses %s %j naming the field', async (name, input, message) => {
    const e = await refusal(name, input);
    expect(e.code).toBe('invalid-input');
    expect(e.message).toMatch(message);
    // Only the wrong field is named.
    expect(e.message.split(';')).toHaveLength(1);
    // One line a person can read, not a JSON dump of zod issues.
    expect(e.message).not.toContain('\n');
  });

  it.each([
    [
      'runs.start',
      { ...validStart(), startPaused: true, algorithm: 'gmm-sweep', params: {} },
      'refuse.noStepMode',
      'gmm-sweep has no step mode',
      'gmm-sweep 没有单步模式',
    ],
    [
      'datasets.import',
      {
        source: { kind: 'text', text: 'a,b\n1,2\n' },
        name: 'x',
        columns: ['a', 'b'],
        labelColumn: 'a',
      },
      'csv.labelIsColumn',
      '"a" cannot be both a label column and a column learnt from: leave it out of the columns',
      '“a”不能既是标签列又是用于学习的列：请从所选列中去掉它',
    ],
    ['runs.pause', { id: 999 }, 'refuse.noRun', 'no run 999', '没有编号为 999 的运行'],
    [
      'models.sample',
      { id: 999, n: 1, seed: 1 },
      'refuse.noRun',
      'no run 999',
      '没有编号为 999 的运行',
    ],
    [
      'frobnicate',
      {},
      'refuse.unknownRequest',
      'unknown request "frobnicate"',
      '未知的请求“frobnicate”',
    ],
  ])('refuses %s %j in both languages', async (name, input, key, en, zh) => {
    const e = await refusal(name, input);
    expect(e.message).toBe(en);
    expect(e.text?.key).toBe(key);
    expect(translate('zh', e.text!.key, e.text!.vars)).toBe(zh);
  });

  it('stores nothing and starts nothing for refused runs', async () => {
    const before = host.store.listRuns().length;
    await refusal('runs.start', { ...validStart(), params: { kk: 3 } });
    await refusal('runs.start', { ...validStart(), params: { k: 99 } });
    const noColumn = await refusal('runs.start', {
      ...validStart(),
      columns: ['eruptions', 'height'],
    });
    expect(noColumn.code).toBe('invalid-input');
    expect(noColumn.message).toMatch(/no column "height"/);
    const noData = await refusal('runs.start', { ...validStart(), datasetId: 9999 });
    expect(noData.code).toBe('not-found');
    const seed = host.store.findBuiltin('Seed 1-D mixture')!;
    const tooMany = await refusal('runs.start', {
      ...validStart(),
      datasetId: (
        await host.call('datasets.import', {
          source: { kind: 'text', text: 'x\n1\n2\n3\n' },
          name: 'tiny',
        })
      ).dataset.id,
      columns: ['x'],
      params: { k: 5 },
    });
    expect(seed.rows).toBeGreaterThan(5);
    expect(tooMany.code).toBe('bad-data');
    expect(tooMany.message).toMatch(/K = 5 is larger than the number of rows \(3\)/);
    expect(host.store.listRuns().length).toBe(before);
    expect(launches).toBe(0);
  });

  it('reports bad CSV data as bad-data, not as a crash', async () => {
    const e = await refusal('datasets.import', {
      source: { kind: 'text', text: 'a,b\n1,2\n3\n' },
      name: 'ragged',
    });
    expect(e.code).toBe('bad-data');
    expect(e.message).toMatch(/line 3/);
    const missing = await refusal('runs.get', { id: 424242 });
    expect(missing.code).toBe('not-found');
  });

  it('accepts valid requests', async () => {
    const info = (await host.handle('app.info', {})) as { maxWorkers: number; dataDir: string };
    expect(info).toMatchObject({ maxWorkers: 1, dataDir: dir });
    // Inputs without fields may be omitted.
    expect(await host.handle('runs.list', undefined)).toEqual(expect.any(Array));
    const list = await host.call('datasets.list', {});
    expect(list.map((d) => d.name)).toEqual(
      expect.arrayContaining(['Old Faithful', 'Seed 1-D mixture']),
    );
    const values = await host.call('datasets.values', { id: faithfulId });
    expect(values.values).toBeInstanceOf(Float64Array);
    expect(values.values.length).toBe(values.rows * 2);
    const preview = await host.call('datasets.preview', {
      source: { kind: 'text', text: 'a;b\n1;2\n' },
    });
    expect(preview.delimiter).toBe(';');
    expect(await host.call('runs.artifacts', { id: 1 })).toEqual([]);
    expect(await host.call('runs.cancel', { id: 12345 })).toEqual({ cancelled: false });
  });

  it('accepts a valid run with defaults filled in (and fails it when no engine can start)', async () => {
    const run = await host.call('runs.start', validStart());
    expect(run.params).toEqual({
      k: 3,
      covarianceType: 'full',
      init: 'kmeans',
      nInit: 1,
      maxIter: 100,
      tol: 1e-3,
      regCovar: 1e-6,
      standardize: false,
    });
    expect(run.name).toBe('gmm on Old Faithful');
    expect(launches).toBe(1);
    const settled = await host.runs.whenSettled(run.id);
    expect(settled.status).toBe('failed');
    expect(settled.error).toMatch(/could not start the engine: no engine in contract tests/);
  });

  it('refuses a field it does not know, for every request', () => {
    for (const [name, r] of Object.entries(requests))
      expect(r.input.safeParse({ notAField: 1 }).success, name).toBe(false);
  });
});
