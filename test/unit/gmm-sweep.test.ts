import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inEnglish } from '../../src/shared/i18n';
import {
  CancelledError,
  DataError,
  type AlgorithmContext,
  type EngineData,
} from '../../src/main/engine/algorithm';
import { gmmSweep } from '../../src/main/engine/algorithms/gmm-sweep';
import { engineAlgorithms } from '../../src/main/engine/algorithms';
import { initBackend } from '../../src/main/engine/backend';
import { createRng } from '../../src/shared/rng';
import {
  covarianceTypes,
  gmmSweepParams,
  type GmmSweepParams,
} from '../../src/shared/algorithms/gmm';

const reference = path.resolve(__dirname, '../../../shared/reference');

function faithful(): EngineData {
  const [header, ...lines] = readFileSync(path.join(reference, 'faithful.csv'), 'utf8')
    .trim()
    .split(/\r?\n/);
  const columns = header.split(',').map((c) => c.replace(/"/g, ''));
  const values = Float64Array.from(lines.flatMap((l) => l.split(',').map(Number)));
  return { values, rows: lines.length, cols: columns.length, columns };
}

function context(params: Partial<GmmSweepParams>, data = faithful()) {
  const metrics: { step: number; values: Record<string, number> }[] = [];
  const artifacts: { kind: string; step: number; meta: Record<string, unknown> }[] = [];
  const checkpoints: string[] = [];
  const notes: string[] = [];
  const progress: number[] = [];
  const ctx: AlgorithmContext<GmmSweepParams> = {
    tf,
    data,
    params: gmmSweepParams.parse(params),
    seed: 1,
    rng: createRng(1),
    signal: new AbortController().signal,
    checkpoint: async (phase, step) => void checkpoints.push(`${phase} ${step}`),
    emit: {
      metrics: (step, values) => void metrics.push({ step, values }),
      artifact: (kind, step, meta) =>
        void artifacts.push({ kind, step, meta: meta as Record<string, unknown> }),
      progress: (f) => void progress.push(f),
      note: (m) => void notes.push(inEnglish(m)),
    },
  };
  return { ctx, metrics, artifacts, checkpoints, notes, progress };
}

beforeAll(async () => {
  await initBackend(null);
});

describe('gmm-sweep', () => {
  it('is registered', () => {
    expect(engineAlgorithms['gmm-sweep']).toBe(gmmSweep);
  });

  it('fits K = 1…4 × every covariance type on faithful and picks the lowest BIC', async () => {
    const before = tf.memory().numTensors;
    const { ctx, metrics, artifacts, checkpoints, progress } = context({
      kMin: 1,
      kMax: 4,
      covarianceTypes: [...covarianceTypes],
      tol: 1e-6,
      maxIter: 1000,
    });
    const summary = await gmmSweep.run(ctx);
    expect(tf.memory().numTensors).toBe(before);
    expect(summary.fits.length).toBe(16);
    expect(summary.fits.every((f) => f.error === undefined)).toBe(true);
    const bics = summary.fits.map((f) => f.bic);
    expect(summary.bestBic).toBe(Math.min(...bics));
    const best = summary.fits.find((f) => f.bic === summary.bestBic)!;
    expect(summary.best).toEqual({ k: best.k, covarianceType: best.covarianceType, bic: best.bic });

    for (const type of covarianceTypes)
      expect(metrics.filter((m) => 'bic:' + type in m.values).map((m) => m.step)).toEqual([
        1, 2, 3, 4,
      ]);
    for (const m of metrics) {
      const keys = Object.keys(m.values);
      expect(keys.length).toBe(3);
      const type = keys[0].split(':')[1];
      expect(keys.sort()).toEqual([`aic:${type}`, `bic:${type}`, `loglik:${type}`]);
      const fit = summary.fits.find((f) => f.k === m.step && f.covarianceType === type)!;
      expect(m.values['bic:' + type]).toBe(fit.bic);
    }
    expect(artifacts.map((a) => a.step)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    for (const a of artifacts) {
      expect(a.kind).toBe('mixture');
      expect((a.meta.weights as number[]).length).toBe(a.meta.k);
      expect((a.meta.covariances as number[][][]).length).toBe(a.meta.k);
      expect(Number.isFinite(a.meta.bic)).toBe(true);
    }
    expect(checkpoints).toEqual(Array.from({ length: 16 }, (_, i) => `fit ${i}`));
    expect(progress.at(-1)).toBe(1);

    // R mclust's BIC-best model for faithful is EEE (tied), G = 3, with log-likelihood −1126.33.
    // EM from k-means reaches the same optimum: within 0.05 in total log-likelihood.
    const tied3 = summary.fits.find((f) => f.k === 3 && f.covarianceType === 'tied')!;
    expect(Math.abs(tied3.meanLogLikelihood * 272 - -1126.33)).toBeLessThan(0.05);
  });

  it('records a failing fit and goes on', async () => {
    // Three distinct points repeated: without reg_covar K = 1 is fine (they span the plane),
    // K ≥ 2 puts a component on one or two points, a singular covariance.
    const points = [
      [1, 2],
      [3, -1],
      [0, 0],
    ];
    const rows = Array.from({ length: 42 }, (_, i) => points[i % 3]);
    const data: EngineData = {
      values: Float64Array.from(rows.flat()),
      rows: 42,
      cols: 2,
      columns: ['a', 'b'],
    };
    const { ctx, artifacts, notes } = context(
      { kMin: 1, kMax: 3, covarianceTypes: ['full'], regCovar: 0.01 },
      data,
    );
    ctx.params = { ...ctx.params, regCovar: 0 };
    const summary = await gmmSweep.run(ctx);
    expect(summary.fits.length).toBe(3);
    const failed = summary.fits.filter((f) => f.error !== undefined);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f.error).toMatch(/raise reg_covar/);
    expect(summary.best.k).toBe(summary.fits.find((f) => f.error === undefined)!.k);
    expect(artifacts.length).toBe(3 - failed.length);
    expect(notes.length).toBe(failed.length);
  });

  it('throws when every fit fails, and skips K larger than the data', async () => {
    const data: EngineData = {
      values: Float64Array.from([1, 1, 1, 2, 2, 2]),
      rows: 3,
      cols: 2,
      columns: ['a', 'b'],
    };
    const { ctx } = context({ kMin: 2, kMax: 6, covarianceTypes: ['full'] }, data);
    ctx.params = { ...ctx.params, regCovar: 0 };
    await expect(gmmSweep.run(ctx)).rejects.toThrow(DataError);
    const four = faithful();
    const ok = context(
      { kMin: 1, kMax: 6, covarianceTypes: ['spherical'] },
      { ...four, rows: 4, values: four.values.slice(0, 8) },
    );
    const s = await gmmSweep.run(ok.ctx);
    expect(s.fits.map((f) => f.k)).toEqual([1, 2, 3, 4]);
  });

  it('stops with CancelledError from a checkpoint', async () => {
    const before = tf.memory().numTensors;
    const { ctx } = context({ kMin: 1, kMax: 4, covarianceTypes: ['full'] });
    ctx.checkpoint = async (_phase, step) => {
      if (step === 1) throw new CancelledError();
    };
    await expect(gmmSweep.run(ctx)).rejects.toThrow(CancelledError);
    expect(tf.memory().numTensors).toBe(before);
  });
});
