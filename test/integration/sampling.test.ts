/**
 * The samplers through the real host and worker processes: a run without a data set, a
 * posterior on a data set's columns, refusals with nothing stored, the export of draws and
 * diagnostics, and the CLI.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleDraws } from '../../src/shared/draws';
import type { Host } from '../../src/main/host/host';
import { cliPath, openTestHost, type TestHost, refusal } from './helpers';

let tmp: TestHost;
let host: Host;

beforeAll(async () => {
  tmp = await openTestHost('sampling', { maxWorkers: 2 });
  host = tmp.host;
});
afterAll(() => tmp?.close());

const runCount = () => host.store.listRuns().length;

describe('samplers in the host', () => {
  it('runs NUTS on a preset with no data set, and exports its draws and diagnostics', async () => {
    const run = await host.call('runs.start', {
      algorithm: 'hmc',
      datasetId: null,
      columns: [],
      params: { target: 'correlated', warmup: 200, draws: 300, pace: 'full' },
      seed: 3,
    });
    expect(run.datasetName).toBe('');
    expect(run.name).toBe('hmc on correlated');
    const done = await host.runs.whenSettled(run.id);
    expect(done.status, done.error ?? '').toBe('completed');
    expect(done.backend).toBe('js');
    const summary = done.summary as { parameters: { name: string; mean: number }[] };
    expect(summary.parameters.map((p) => p.name)).toHaveLength(2);

    const dir = join(tmp.dir, 'export-nuts');
    await host.call('runs.export', { ids: [run.id], dir });
    const csv = readFileSync(join(dir, 'draws.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + 4 * 500);
    const diagnostics = JSON.parse(readFileSync(join(dir, 'diagnostics.json'), 'utf8')) as {
      parameters: { rhat: number }[];
      thresholds: { rhat: number };
    };
    expect(diagnostics.parameters).toHaveLength(2);
    expect(diagnostics.thresholds.rhat).toBe(1.01);
    expect(readFileSync(join(dir, 'target.svg'), 'utf8')).toContain('<svg');

    // Imported back: the draws too (the page's traces and diagnostics), and still no data set.
    const imported = await host.call('runs.import', { dir });
    expect(imported.datasetName).toBe('');
    const back = assembleDraws(host.store.listArtifacts(imported.id, 'draws'))!;
    const original = assembleDraws(host.store.listArtifacts(run.id, 'draws'))!;
    expect(back.iterations).toBe(500);
    expect(Array.from(back.values[3])).toEqual(Array.from(original.values[3]));
    // And the target's density grid, so the imported page draws the contours.
    const [fieldBack] = host.store.listArtifacts(imported.id, 'field2d');
    const [fieldOriginal] = host.store.listArtifacts(run.id, 'field2d');
    expect(fieldBack.meta).toEqual(fieldOriginal.meta);
    expect(Array.from(fieldBack.data as Float64Array)).toEqual(
      Array.from(fieldOriginal.data as Float64Array),
    );
    const importedAgain = await host.call('runs.rerun', { id: imported.id });
    expect((await host.runs.whenSettled(importedAgain.id)).status).toBe('completed');

    // Run again: the same numbers, still without data.
    const again = await host.call('runs.rerun', { id: run.id });
    const second = await host.runs.whenSettled(again.id);
    expect((second.summary as typeof summary).parameters[0].mean).toBe(summary.parameters[0].mean);
  });

  it('samples a Bayesian logistic regression on the chosen columns', async () => {
    const csv = readFileSync(join(__dirname, '../../../shared/reference/logistic.csv'), 'utf8');
    const { dataset: d } = await host.call('datasets.import', {
      source: { kind: 'text', text: csv },
      name: 'logistic',
    });
    const run = await host.call('runs.start', {
      algorithm: 'hmc',
      datasetId: d.id,
      columns: ['x1', 'x2', 'x3', 'y'],
      params: { target: 'logistic-regression', response: 'y', warmup: 300, draws: 300 },
      seed: 1,
    });
    const done = await host.runs.whenSettled(run.id);
    expect(done.status, done.error ?? '').toBe('completed');
    const names = (done.summary as { parameters: { name: string }[] }).parameters.map(
      (p) => p.name,
    );
    expect(names).toEqual(['alpha', 'x1', 'x2', 'x3']);
  });

  it('samples a fitted GMM run’s density, and a Bayesian mixture on its data by exact Gibbs', async () => {
    const faithful = host.store.findBuiltin('Old Faithful')!;
    const fit = await host.call('runs.start', {
      algorithm: 'gmm',
      datasetId: faithful.id,
      columns: ['eruptions', 'waiting'],
      params: { k: 2 },
      seed: 1,
    });
    await host.runs.whenSettled(fit.id);
    const run = await host.call('runs.start', {
      algorithm: 'hmc',
      datasetId: null,
      columns: [],
      params: { target: 'gmm-run', gmmRun: fit.id, warmup: 300, draws: 500, pace: 'full' },
      seed: 2,
    });
    const done = await host.runs.whenSettled(run.id);
    expect(done.status, done.error ?? '').toBe('completed');
    const params = (done.summary as { parameters: { name: string; mean: number }[] }).parameters;
    // Named by the fit's columns; the mean of the mixture is the data's mean (EM keeps it).
    expect(params.map((p) => p.name)).toEqual(['eruptions', 'waiting']);
    expect(params[1].mean).toBeGreaterThan(66);
    expect(params[1].mean).toBeLessThan(76);

    const notGmm = await refusal(
      host.call('runs.start', {
        algorithm: 'hmc',
        datasetId: null,
        columns: [],
        params: { target: 'gmm-run', gmmRun: run.id },
        seed: 0,
      }),
    );
    expect(notGmm.message).toMatch(/not a Gaussian mixture/);

    const gibbs = await host.call('runs.start', {
      algorithm: 'mcmc',
      datasetId: faithful.id,
      columns: ['eruptions', 'waiting'],
      params: { target: 'bayes-gmm', components: 2, sampler: 'gibbs', warmup: 100, draws: 200 },
      seed: 4,
    });
    const g = await host.runs.whenSettled(gibbs.id);
    expect(g.status, g.error ?? '').toBe('completed');
    const w = (g.summary as { parameters: { name: string; mean: number }[] }).parameters.find(
      (p) => p.name === 'w[1]',
    )!;
    // The short-eruption cluster holds about a third of the eruptions.
    expect(w.mean).toBeGreaterThan(0.28);
    expect(w.mean).toBeLessThan(0.44);
  });

  it('refuses, with nothing stored: a bad formula, data where none is taken, none where it is', async () => {
    const before = runCount();
    const bad = await refusal(
      host.call('runs.start', {
        algorithm: 'mcmc',
        datasetId: null,
        columns: [],
        params: { target: 'formula', formula: '-(x^2 + z^2)/2' },
        seed: 0,
      }),
    );
    expect(bad.message).toMatch(/params\.formula: .*z/);
    const faithful = host.store.findBuiltin('Old Faithful')!;
    const extra = await refusal(
      host.call('runs.start', {
        algorithm: 'hmc',
        datasetId: faithful.id,
        columns: ['eruptions'],
        params: { target: 'banana' },
        seed: 0,
      }),
    );
    expect(extra.message).toMatch(/uses no data/);
    const missing = await refusal(
      host.call('runs.start', {
        algorithm: 'hmc',
        datasetId: null,
        columns: [],
        params: { target: 'linear-regression' },
        seed: 0,
      }),
    );
    expect(missing.message).toMatch(/needs a data set/);
    const response = await refusal(
      host.call('runs.start', {
        algorithm: 'hmc',
        datasetId: faithful.id,
        columns: ['eruptions', 'waiting'],
        params: { target: 'linear-regression', response: 'duration' },
        seed: 0,
      }),
    );
    expect(response.message).toMatch(/response "duration" must be one of the selected columns/);
    const huge = await refusal(
      host.call('runs.start', {
        algorithm: 'hmc',
        datasetId: null,
        columns: [],
        params: { target: 'formula', formula: 'x1 + x99999999' },
        seed: 0,
      }),
    );
    expect(huge.message).toMatch(/At most 1000 variables/);
    // The size check uses the target's real dimension (here 150 formula variables).
    const wide = Array.from({ length: 150 }, (_, i) => `x${i + 1}^2`).join(' + ');
    const big = await refusal(
      host.call('runs.start', {
        algorithm: 'hmc',
        datasetId: null,
        columns: [],
        params: { target: 'formula', formula: `-(${wide})/2`, draws: 20_000 },
        seed: 0,
      }),
    );
    expect(big.message).toMatch(/150 parameters \+ 7 statistics/);
    const notBinary = await refusal(
      host.call('runs.start', {
        algorithm: 'hmc',
        datasetId: faithful.id,
        columns: ['eruptions', 'waiting'],
        params: { target: 'logistic-regression', response: 'waiting' },
        seed: 0,
      }),
    );
    expect(notBinary.message).toMatch(/0|1/);
    expect(runCount()).toBe(before);
    expect(await host.call('formulas.check', { source: 'exp(x) - y^2' })).toMatchObject({
      ok: true,
      names: ['x', 'y'],
    });
  });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args, '--db', join(tmp.dir, 'cli.db')],
      { env: { ...process.env, LATENT_LAB_DATA_DIR: tmp.dir }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
    );
  });
}

describe('samplers from the CLI', () => {
  it('runs Metropolis on a preset without --data and prints the diagnostics', async () => {
    const r = await cli([
      'run',
      'mcmc',
      '--set',
      'target=bimodal',
      '--set',
      'warmup=200',
      '--set',
      'draws=200',
      '--set',
      'pace=full',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as { status: string; summary: { parameters: unknown[] } };
    expect(run.status).toBe('completed');
    expect(run.summary.parameters).toHaveLength(2);
    const withData = await cli(['run', 'mcmc', '--data', 'builtin:old-faithful']);
    expect(withData.code).toBe(2);
    expect(withData.stderr).toMatch(/uses no data/);
    const bad = await cli(['run', 'hmc', '--set', 'target=formula', '--set', 'formula=-(x^2+w)']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/formula/);
  });
});
