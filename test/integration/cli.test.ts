/** The built CLI (`node out/main/cli.js`) against a database in a temp folder. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, requireBuilt, runCli, tempDir, type CliResult } from './helpers';

type Result = CliResult;

let tmp: ReturnType<typeof tempDir>;
let db: string;

function cli(args: string[], database = db): Promise<Result> {
  return runCli(args, database, tmp.dir);
}

/** Exactly one JSON object on stdout. */
function json<T = Record<string, unknown>>(r: Result): T {
  const lines = r.stdout.trim().split('\n');
  expect(lines, r.stdout).toHaveLength(1);
  const value = JSON.parse(lines[0]) as T;
  expect(typeof value).toBe('object');
  return value;
}

function file(name: string, content: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, content);
  return path;
}

async function counts(database = db): Promise<{ datasets: number; runs: number }> {
  const d = await cli(['datasets', 'list', '--json'], database);
  const r = await cli(['runs', 'list', '--json'], database);
  expect(d.code).toBe(0);
  expect(r.code).toBe(0);
  return {
    datasets: json<{ datasets: unknown[] }>(d).datasets.length,
    runs: json<{ runs: unknown[] }>(r).runs.length,
  };
}

interface RunJson {
  runId: number;
  algorithm: string;
  status: string;
  backend: string;
  params: Record<string, number>;
  seconds: number;
  summary: {
    weights: number[];
    means: number[][];
    covariances: number[][][];
    meanLogLikelihood: number;
    bic: number;
    aic: number;
    iterations: number;
    converged: boolean;
  };
}

beforeAll(() => {
  requireBuilt(cliPath, ['src/main', 'src/shared']);
  tmp = tempDir('cli');
  db = join(tmp.dir, 'cli.db');
});
afterAll(() => tmp?.remove());

describe('latent-lab CLI', () => {
  it('creates the folder of a --db path that does not exist yet', async () => {
    const fresh = join(tmp.dir, 'not', 'yet', 'there.db');
    const r = await cli(['datasets', 'list', '--json'], fresh);
    expect(r.code, r.stderr).toBe(0);
    // The bundled sets: Old Faithful, the seed 1-D mixture and the MNIST digits.
    expect(json<{ datasets: { name: string }[] }>(r).datasets.map((d) => d.name)).toEqual([
      'Old Faithful',
      'Seed 1-D mixture',
      'MNIST digits',
    ]);
    expect(existsSync(fresh)).toBe(true);
  });

  it('imports an image CSV with --image and --label-column, and refuses a wrong size', async () => {
    const csv = file('images.csv', 'label,a,b,c,d\n1,0,10,20,30\n2,255,0,1,2\n');
    const before = await counts();
    const bad = await cli(['datasets', 'import', csv, '--image', '3x2', '--label-column', 'label']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/4 pixel columns besides the label column, but 3 × 2 images need 6/);
    expect(await counts()).toEqual(before);
    const r = await cli([
      'datasets',
      'import',
      csv,
      '--image',
      '2x2',
      '--label-column',
      'label',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({
      rows: 2,
      image: { width: 2, height: 2, channels: 1 },
      labels: true,
      columns: [{ name: 'image' }],
    });
    const size = await cli(['datasets', 'import', csv, '--image', '2by2']);
    expect(size.code).toBe(2);
    expect(size.stderr).toMatch(/--image expects WIDTHxHEIGHT/);
  });

  it('fits a GMM on a bundled data set and prints one JSON object; the same seed gives the same result', async () => {
    const args = [
      'run',
      'gmm',
      '--data',
      'builtin:old-faithful',
      '--set',
      'k=2',
      '--seed',
      '1',
      '--json',
    ];
    const first = await cli(args);
    expect(first.code, first.stderr).toBe(0);
    const run = json<RunJson>(first);
    expect(run).toMatchObject({
      algorithm: 'gmm',
      status: 'completed',
      params: { k: 2, maxIter: 100 },
    });
    expect(run.runId).toEqual(expect.any(Number));
    expect(['tensorflow', 'wasm', 'cpu']).toContain(run.backend);
    expect(run.seconds).toBeGreaterThan(0);
    const s = run.summary;
    expect(s.weights).toHaveLength(2);
    expect(s.weights.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
    expect(s.means).toHaveLength(2);
    expect(s.means[0]).toHaveLength(2);
    expect(s.covariances).toHaveLength(2);
    expect(s.covariances[0]).toHaveLength(2);
    expect(s.covariances[0][0]).toHaveLength(2);
    for (const key of ['meanLogLikelihood', 'bic', 'aic', 'iterations'] as const)
      expect(Number.isFinite(s[key]), key).toBe(true);
    expect(s.converged).toBe(true);
    // The two Old Faithful clusters: short eruptions around 2 min, long ones around 4.3 min.
    const eruptions = s.means.map((m) => m[0]).sort((a, b) => a - b);
    expect(eruptions[0]).toBeCloseTo(2.04, 1);
    expect(eruptions[1]).toBeCloseTo(4.29, 1);

    const again = await cli(args);
    expect(again.code, again.stderr).toBe(0);
    const second = json<RunJson>(again);
    expect(second.runId).toBe(run.runId + 1);
    expect(second.summary).toEqual(run.summary);

    const shown = await cli(['runs', 'show', String(run.runId), '--json']);
    expect(json<RunJson>(shown).summary).toEqual(run.summary);
  });

  it('imports a CSV and prints its id, name, rows and typed columns', async () => {
    const path = file('measurements.csv', 'id;height;label\n1;1.5;a\n2;2.5;b\n3;3;c\n');
    const r = await cli(['datasets', 'import', path, '--name', 'Measurements', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const d = json<{
      id: number;
      name: string;
      rows: number;
      columns: { name: string; type: string }[];
    }>(r);
    expect(d).toMatchObject({ name: 'Measurements', rows: 3 });
    expect(d.id).toEqual(expect.any(Number));
    // Without --columns the numeric columns are kept; the text one is not.
    expect(d.columns).toEqual([
      { name: 'id', type: 'integer', missing: 0 },
      { name: 'height', type: 'number', missing: 0 },
    ]);
    const plain = await cli(['datasets', 'import', file('xy.csv', 'x,y\n0.5,1\n1.5,2\n')]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/xy\.csv\t2 rows\tx:number, y:integer/);
  });

  it('reads a big file on reader threads, naming lines counted from the file’s start', async () => {
    // ~20 MB: past the size read in stretches at once (csv.ts), with a stray cell near the end.
    const lines = ['a,b,c,d,e,f,g,h,i,j'];
    for (let i = 2; i <= 200_001; i++)
      lines.push(
        i === 190_000 ? 'oops,2,3,4,5,6,7,8,9,10' : `${i},${'1.0000000,'.repeat(8)}${i % 7}`,
      );
    const path = file('big.csv', lines.join('\n') + '\n');
    const r = await cli([
      'datasets',
      'import',
      path,
      '--stray-as-missing',
      '--drop-invalid-rows',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const d = json<{ rows: number; warnings: string[] }>(r);
    expect(d.rows).toBe(199_999);
    expect(d.warnings[0]).toContain('“oops” on line 190000');
  });

  it('says on stderr (or under warnings in --json) what it left out, and reads GBK and Excel', async () => {
    const corpus = (name: string) => join(import.meta.dirname, '../fixtures', name);
    const stray = corpus('data/stray-cell.csv');
    const r = await cli(['datasets', 'import', stray]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('note: x: 299 numbers, 1 other value: “five” on line 4');
    expect(r.stderr).toContain('note: x: not imported (1 non-numeric cells;');
    expect(r.stdout).toMatch(/stray-cell\.csv\t300 rows\ty:integer$/m);
    const asJson = await cli(['datasets', 'import', stray, '--json']);
    expect(json<{ warnings: string[] }>(asJson).warnings).toHaveLength(2);
    expect(asJson.stderr).toBe('');
    const kept = await cli([
      'datasets',
      'import',
      stray,
      '--stray-as-missing',
      '--drop-invalid-rows',
      '--json',
    ]);
    expect(json<{ rows: number; columns: { name: string }[] }>(kept)).toMatchObject({
      rows: 299,
      columns: [{ name: 'x' }, { name: 'y' }],
    });

    const gbk = await cli([
      'datasets',
      'import',
      corpus('data/gbk-chinese.csv'),
      '--label-column',
      '性别',
      '--json',
    ]);
    expect(gbk.code, gbk.stderr).toBe(0);
    expect(json(gbk)).toMatchObject({
      rows: 60,
      columns: [{ name: '身高（厘米）' }, { name: '体重（公斤）' }],
      labelColumn: '性别',
      warnings: [],
    });
    const forced = await cli([
      'datasets',
      'import',
      corpus('data/gbk-chinese.csv'),
      '--encoding',
      'utf-8',
    ]);
    expect(forced.stderr).toMatch(/could not be read as utf-8/);
    const badFlag = await cli(['datasets', 'import', stray, '--encoding', 'ebcdic']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--encoding must be one of: utf-8/);

    const sheet = await cli([
      'datasets',
      'import',
      corpus('xlsx/basic.xlsx'),
      '--sheet',
      'Second',
      '--json',
    ]);
    expect(sheet.code, sheet.stderr).toBe(0);
    expect(json(sheet)).toMatchObject({ rows: 2, columns: [{ name: 'x' }, { name: 'y' }] });
  });

  it('refuses bad input with exit code 2, a one-line reason, and nothing stored', async () => {
    const badDb = join(tmp.dir, 'bad.db');
    const before = await counts(badDb);
    const cases: [string[], RegExp][] = [
      [['run', 'gmm', '--data', 'builtin:old-faithful', '--set', 'kk=3'], /Unrecognized key: "kk"/],
      [['run', 'gmm', '--data', 'builtin:old-faithful', '--set', 'k=100'], /k: .*64/],
      [['run', 'gmm', '--data', 'builtin:nowhere'], /no bundled data set "builtin:nowhere"/],
      [['run', 'gmm', '--data', file('ragged.csv', 'a,b\n1,2\n3\n4,5\n')], /line 3 has 1 fields/],
      [
        ['run', 'gmm', '--data', file('text.csv', 'a,b\n1,2\n3,4\n5,six\n'), '--columns', 'a,b'],
        /line 4, column "b": "six" is not a number/,
      ],
      [
        ['run', 'gmm', '--data', file('missing.csv', 'a,b\n1,2\n3,\n5,6\n7,8\n9,1\n')],
        /line 3, column "b": a missing value/,
      ],
      [
        ['run', 'gmm', '--data', file('infinite.csv', 'a,b\n1,2\n3,Infinity\n5,6\n')],
        /line 3, column "b": not a finite number/,
      ],
      [
        ['run', 'gmm', '--data', file('three.csv', 'x,y\n1,2\n3,4\n5,7\n'), '--set', 'k=5'],
        /K = 5 is larger than the number of rows \(3\)/,
      ],
      [['run', 'gmm', '--data', join(tmp.dir, 'absent.csv')], /cannot read .*absent\.csv: ENOENT/],
      [['run', 'gmm', '--data', tmp.dir], /cannot read .*not a file/],
      [['datasets', 'import', join(tmp.dir, 'absent.csv')], /ENOENT/],
      [
        ['run', 'gmm', '--data', 'builtin:old-faithful', '--columns', 'eruptions,height'],
        /no column "height"/,
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => cli([...args, '--json'], badDb)));
    results.forEach((r, i) => {
      const [args, reason] = cases[i];
      const what = args.join(' ');
      expect(r.code, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stdout, what).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, what).toHaveLength(1);
      expect(lines[0], what).toMatch(/^latent-lab: /);
      expect(lines[0], what).toMatch(reason);
    });
    expect(await counts(badDb)).toEqual(before);

    // Asked to, the CLI drops the row with the missing value and fits the rest.
    const dropped = await cli(
      ['run', 'gmm', '--data', join(tmp.dir, 'missing.csv'), '--drop-invalid-rows', '--json'],
      badDb,
    );
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(json<RunJson>(dropped).status).toBe('completed');
    expect(await counts(badDb)).toEqual({ datasets: before.datasets + 1, runs: before.runs + 1 });
  });
});

describe('latent-lab export and import', () => {
  it('exports a run and a comparison, refuses to overwrite unasked, and imports a folder back', async () => {
    const exportDb = join(tmp.dir, 'export.db');
    const fit = async (k: number) => {
      const r = await cli(
        ['run', 'gmm', '--data', 'builtin:old-faithful', '--set', `k=${k}`, '--json'],
        exportDb,
      );
      expect(r.code, r.stderr).toBe(0);
      return json<RunJson>(r);
    };
    // One after the other: a CLI starting while another runs marks that one's run interrupted.
    const a = await fit(2);
    const b = await fit(3);
    const out = join(tmp.dir, 'exported');

    const one = await cli(['export', String(a.runId), '--out', out, '--json'], exportDb);
    expect(one.code, one.stderr).toBe(0);
    const written = json<{ dir: string; files: string[] }>(one);
    expect(written.dir).toBe(out);
    expect(written.files).toEqual(
      expect.arrayContaining([
        'README.md',
        'params.json',
        'summary.json',
        'metrics.csv',
        'loglik.png',
        'fit_sklearn.py',
        'data.csv',
      ]),
    );
    expect(readdirSync(out).sort()).toEqual(written.files);

    // The same folder again: refused, unchanged; with --overwrite: done.
    const before = readFileSync(join(out, 'params.json'), 'utf8');
    const again = await cli(['export', String(a.runId), '--out', out], exportDb);
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/^latent-lab: .*already exists and is not empty.*--overwrite/);
    expect(readFileSync(join(out, 'params.json'), 'utf8')).toBe(before);
    const forced = await cli(['export', String(a.runId), '--out', out, '--overwrite'], exportDb);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(
      new RegExp(`^exported run ${a.runId} to .*: ${written.files.length} files\n`),
    );

    const compareOut = join(tmp.dir, 'compared');
    const compared = await cli(
      ['export', '--compare', `${a.runId},${b.runId}`, '--out', compareOut],
      exportDb,
    );
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/^exported runs \d+, \d+ to /);
    const comparison = JSON.parse(readFileSync(join(compareOut, 'comparison.json'), 'utf8')) as {
      differingParameters: string[];
    };
    expect(comparison.differingParameters).toEqual(['k']);
    expect(readdirSync(compareOut)).toEqual(
      expect.arrayContaining([
        `run-${a.runId}-gmm-on-Old-Faithful`,
        `run-${b.runId}-gmm-on-Old-Faithful`,
      ]),
    );

    const imported = await cli(['import', out, '--json'], exportDb);
    expect(imported.code, imported.stderr).toBe(0);
    const run = json<RunJson & { notes: string[]; name: string }>(imported);
    expect(run.runId).toBe(b.runId + 1);
    expect(run).toMatchObject({ algorithm: 'gmm', status: 'completed', params: a.params });
    expect(run.summary).toEqual(a.summary);
    expect(run.notes.at(-1)).toBe(`imported from ${out}`);

    const bad: [string[], RegExp][] = [
      [['export', String(a.runId)], /export needs --out DIR/],
      [['export', '--out', join(tmp.dir, 'x')], /export needs one run id/],
      [['export', 'abc', '--out', join(tmp.dir, 'x')], /"abc" is not a run id/],
      [['export', '999', '--out', join(tmp.dir, 'x')], /no run 999/],
      [['export', '--compare', String(a.runId), '--out', join(tmp.dir, 'x')], /2 to 6 run ids/],
      [['import', join(tmp.dir, 'nowhere')], /is not a folder/],
      [['import', compareOut], /is a comparison/],
    ];
    const results = await Promise.all(bad.map(([args]) => cli([...args, '--json'], exportDb)));
    results.forEach((r, i) => {
      const what = bad[i][0].join(' ');
      expect(r.code, `${what}: ${r.stderr}`).toBe(2);
      expect(r.stdout, what).toBe('');
      expect(r.stderr.trim().split('\n'), what).toHaveLength(1);
      expect(r.stderr, what).toMatch(bad[i][1]);
    });
    expect(existsSync(join(tmp.dir, 'x'))).toBe(false);
  });
});
