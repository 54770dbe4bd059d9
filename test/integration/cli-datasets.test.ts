/** The built CLI on stored data sets: run --data dataset:…, datasets show, rename and delete. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../src/main/host/store';
import { cliPath, requireBuilt, runCli, tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
let db: string;
const cli = (args: string[]) => runCli(args, db, tmp.dir);
/** Ids of two user data sets named alike, one with labels. */
const ids = { a: 0, b: 0 };

function oneJson<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  expect(lines, stdout).toHaveLength(1);
  return JSON.parse(lines[0]) as T;
}

beforeAll(async () => {
  requireBuilt(cliPath, ['src/main', 'src/shared']);
  tmp = tempDir('cli-datasets');
  db = join(tmp.dir, 'cli.db');
  // The bundled sets first (the CLI adds them to a new database), then two tables of our own.
  expect((await cli(['datasets', 'list'])).code).toBe(0);
  const store = new Store(db);
  const columns = [
    { name: 'u', type: 'number' as const, missing: 0 },
    { name: 'v', type: 'number' as const, missing: 1 },
  ];
  const values = Float64Array.from([1, 10, 2, NaN, 3, 30, 4, 40]);
  ids.a = store.insertDataset({
    name: 'twin',
    columns,
    rows: 4,
    values,
    labels: { column: 'kind', names: ['x', 'y'], codes: Int32Array.from([0, 1, 1, -1]) },
  }).id;
  ids.b = store.insertDataset({ name: 'twin', columns, rows: 4, values }).id;
  store.close();
});
afterAll(() => tmp?.remove());

describe('latent-lab on stored data sets', () => {
  it('shows a data set by name: each column’s figures, and its labels', async () => {
    const r = await cli(['datasets', 'show', 'Old Faithful']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/column\s+type\s+values\s+missing\s+min\s+max\s+mean\s+sd/);
    expect(r.stdout).toMatch(/eruptions\s+number\s+272\s+0\s+1\.6\s+5\.1\s+3\.48778\s+1\.14137/);
    expect(r.stdout).toMatch(/waiting\s+integer\s+272\s+0\s+43\s+96\s+70\.8971\s+13\.595/);
    const labelled = await cli(['datasets', 'show', String(ids.a)]);
    // v: 10, 30, 40 → mean 80/3, sd √(Σ(v − 80/3)² / 2) = √(1400/3 / 2) = 15.2753.
    expect(labelled.stdout).toMatch(/v\s+number\s+3\s+1\s+10\s+40\s+26\.6667\s+15\.2753/);
    expect(labelled.stdout).toContain('labels (kind): x: 1, y: 2, (none): 1');
  });

  it('gives the figures as one JSON object with --json; an image set its label counts', async () => {
    const r = await cli(['datasets', 'show', String(ids.a), '--json']);
    const o = oneJson<{
      columns: { name: string; mean: number; sd: number | null; histogram: unknown }[];
      labels: { counts: number[] };
      head: (number | null)[][];
    }>(r.stdout);
    expect(o.columns.map((c) => c.mean)).toEqual([2.5, 80 / 3]);
    expect(o.columns[0].sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(o.labels.counts).toEqual([1, 2]);
    // A missing cell is null in JSON.
    expect(o.head[1]).toEqual([2, null]);
    const mnist = oneJson<{ labelCounts: { label: number; count: number }[] }>(
      (await cli(['datasets', 'show', 'MNIST digits', '--json'])).stdout,
    );
    expect(mnist.labelCounts).toHaveLength(10);
  });

  it('runs on a stored data set by its name, and refuses a name two sets share, naming their ids', async () => {
    const ambiguous = await cli(['run', 'gmm', '--data', 'dataset:twin', '--set', 'k=1']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`ids ${ids.a}, ${ids.b}`);
    const unknown = await cli(['run', 'gmm', '--data', 'dataset:nothing', '--set', 'k=1']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no data set "nothing"/);
    const runs = oneJson<{ runs: unknown[] }>((await cli(['runs', 'list', '--json'])).stdout);
    expect(runs.runs).toHaveLength(0);
    const r = await cli([
      'run',
      'gmm',
      '--data',
      'dataset:Old Faithful',
      '--set',
      'k=2',
      '--seed',
      '1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(oneJson(r.stdout)).toMatchObject({
      status: 'completed',
      dataset: 'Old Faithful',
      columns: ['eruptions', 'waiting'],
    });
  }, 60_000);

  it('renames a data set, after which its new name finds it; deletes it by id', async () => {
    const renamed = await cli(['datasets', 'rename', String(ids.b), 'single', '--json']);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(oneJson(renamed.stdout)).toMatchObject({ id: ids.b, name: 'single' });
    expect((await cli(['datasets', 'show', 'single'])).stdout).toContain(`${ids.b}\tsingle`);
    // One "twin" is left: the name is no longer ambiguous.
    expect((await cli(['datasets', 'show', 'twin'])).code).toBe(0);
    const deleted = await cli(['datasets', 'delete', String(ids.b), '--json']);
    expect(oneJson(deleted.stdout)).toEqual({ id: ids.b, name: 'single', deleted: true });
    const again = await cli(['datasets', 'delete', String(ids.b)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`no data set ${ids.b}`);
  });

  it('refuses to rename or delete a bundled data set', async () => {
    const list = oneJson<{ datasets: { id: number; name: string }[] }>(
      (await cli(['datasets', 'list', '--json'])).stdout,
    );
    const faithful = list.datasets.find((d) => d.name === 'Old Faithful')!;
    const rename = await cli(['datasets', 'rename', String(faithful.id), 'Geyser']);
    expect(rename.code).toBe(2);
    expect(rename.stderr).toMatch(/bundled with the app.*cannot be renamed/);
    const del = await cli(['datasets', 'delete', String(faithful.id)]);
    expect(del.code).toBe(2);
    expect((await cli(['datasets', 'show', 'Old Faithful'])).code).toBe(0);
  });
});
