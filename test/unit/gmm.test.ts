import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CancelledError,
  DataError,
  type AlgorithmContext,
  type EngineData,
} from '../../src/main/engine/algorithm';
import { fitGmm, gmm } from '../../src/main/engine/algorithms/gmm';
import { initBackend } from '../../src/main/engine/backend';
import { createRng } from '../../src/main/engine/rng';
import type { GmmParams } from '../../src/shared/algorithms/gmm';
import type { Mixture } from '../../src/shared/artifacts';

// shared/ sits next to the repository (CI clones it as a sibling folder).
const reference = path.resolve(__dirname, '../../../shared/reference');

function readCsv(file: string): EngineData {
  const [header, ...lines] = readFileSync(path.join(reference, file), 'utf8').trim().split(/\r?\n/);
  const columns = header.split(',').map((c) => c.replace(/"/g, ''));
  const values = Float64Array.from(lines.flatMap((l) => l.split(',').map(Number)));
  return { values, rows: lines.length, cols: columns.length, columns };
}

function fromRows(rows: number[][]): EngineData {
  return {
    values: Float64Array.from(rows.flat()),
    rows: rows.length,
    cols: rows[0].length,
    columns: rows[0].map((_, j) => `c${j}`),
  };
}

/** Three 2-D Gaussian blobs with different shapes. */
function synthetic(seed: number, n = 600): EngineData {
  const rng = createRng(seed);
  const centres = [
    [0, 0],
    [5, 1],
    [1, 6],
  ];
  const rows = Array.from({ length: n }, (_, i) => {
    const c = i % 3;
    const [a, b] = [rng.normal(), rng.normal()];
    return [centres[c][0] + a * (c + 1) * 0.5, centres[c][1] + 0.6 * a + b * 0.7];
  });
  return fromRows(rows);
}

const relClose = (got: number, want: number, rel: number) =>
  expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want));

beforeAll(async () => {
  await initBackend(null);
});

describe('fitGmm against the seed document (1-D, 2 components)', () => {
  it('reproduces its EM loop', async () => {
    const seed = JSON.parse(readFileSync(path.join(reference, 'seed-gmm.json'), 'utf8'));
    const data = readCsv('seed1d.csv');
    const snapshots: Mixture[] = [];
    const lls: number[] = [];
    const summary = await fitGmm(
      tf,
      data,
      { k: 2, maxIter: 100, tol: 1e-6, regCovar: 0 },
      {
        rng: createRng(1),
        init: {
          weights: seed.init.weights,
          means: seed.init.means.map((m: number) => [m]),
          covariances: seed.init.stds.map((s: number) => [[s * s]]),
        },
        onIteration: (_iter, ll, mixture) => {
          lls.push(ll);
          snapshots.push(mixture);
        },
      },
    );
    // The seed loop tests convergence right after the E-step and breaks before that iteration's
    // M-step, reporting 27 M-steps; sklearn (and fitGmm) do the M-step first and count 28. Both
    // stop on the same log-likelihood change; sklearn's extra M-step only raises the likelihood,
    // so sklearn's count is the one we keep. Snapshot 27 is the seed's final mixture, and the
    // 28th E-step's log-likelihood is the seed's final one.
    expect(summary.iterations).toBe(28);
    expect(summary.converged).toBe(true);
    const want = seed.float64;
    const at27 = snapshots[26];
    for (let c = 0; c < 2; c++) {
      expect(Math.abs(at27.means[c][0] - want.means[c])).toBeLessThan(1e-4);
      expect(Math.abs(Math.sqrt(at27.covariances[c][0][0]) - want.stds[c])).toBeLessThan(1e-4);
      expect(Math.abs(at27.weights[c] - want.weights[c])).toBeLessThan(1e-4);
      // One more M-step moves the final answer by ~3e-4 at most.
      expect(Math.abs(summary.means[c][0] - want.means[c])).toBeLessThan(1e-3);
    }
    relClose(lls[27], want.final_mean_loglik, 1e-5);
    relClose(summary.meanLogLikelihood, want.final_mean_loglik, 1e-5);
    expect(summary.meanLogLikelihood).toBeGreaterThanOrEqual(want.final_mean_loglik - 1e-6);
  });
});

describe('fitGmm against scikit-learn on faithful', () => {
  const ref = JSON.parse(readFileSync(path.join(reference, 'gmm-faithful-sklearn.json'), 'utf8'));
  const data = readCsv('faithful.csv');
  interface SklearnCase {
    k: number;
    covariance_type: string;
    reg_covar: number;
    tol: number;
    init: { weights: number[]; means: number[][]; precisions: number[][][] };
    mean_loglik: number;
    bic: number;
    aic: number;
    weights: number[];
    means: number[][];
    covariances: number[][][];
  }
  const cases = (ref.cases as SklearnCase[]).filter((c) => c.covariance_type === 'full');

  it.each(cases.map((c) => ({ k: c.k, c })))('K = $k', async ({ c }) => {
    const summary = await fitGmm(
      tf,
      data,
      { k: c.k, maxIter: 1000, tol: c.tol, regCovar: c.reg_covar },
      { rng: createRng(1), init: c.init },
    );
    relClose(summary.meanLogLikelihood, c.mean_loglik, 1e-4);
    relClose(summary.bic, c.bic, 1e-4);
    relClose(summary.aic, c.aic, 1e-4);
    c.means.forEach((mean: number[], i: number) => {
      // Match by nearest mean, in case components come out permuted.
      const dist = summary.means.map((m) =>
        Math.hypot(...m.map((v, j) => (v - mean[j]) / (Math.abs(mean[j]) + 1))),
      );
      const j = dist.indexOf(Math.min(...dist));
      expect(Math.abs(summary.weights[j] - c.weights[i])).toBeLessThan(1e-3);
      mean.forEach((v, a) => relClose(summary.means[j][a], v, 1e-3));
      c.covariances[i].forEach((row: number[], a: number) =>
        row.forEach((v, b) => {
          const scale = Math.sqrt(c.covariances[i][a][a] * c.covariances[i][b][b]);
          expect(Math.abs(summary.covariances[j][a][b] - v)).toBeLessThan(2e-3 * scale);
        }),
      );
    });
  });
});

async function logLikelihoods(
  data: EngineData,
  params: GmmParams,
  seed: number,
): Promise<number[]> {
  const lls: number[] = [];
  await fitGmm(tf, data, params, {
    rng: createRng(seed),
    onIteration: (_i, ll) => void lls.push(ll),
  });
  return lls;
}

describe('fitGmm properties', () => {
  it('never lowers the log-likelihood', async () => {
    const faithful = readCsv('faithful.csv');
    for (const [data, k] of [
      [faithful, 3],
      [synthetic(7), 3],
    ] as const) {
      for (const seed of [1, 2, 3]) {
        const lls = await logLikelihoods(
          data,
          { k, maxIter: 200, tol: 1e-9, regCovar: 1e-6 },
          seed,
        );
        expect(lls.length).toBeGreaterThan(2);
        for (let i = 1; i < lls.length; i++)
          expect(lls[i]).toBeGreaterThanOrEqual(lls[i - 1] - 1e-5 * Math.abs(lls[i - 1]));
      }
    }
  });

  it('with K = 1 gives the sample mean, the biased sample covariance and the Gaussian likelihood', async () => {
    const data = synthetic(3, 301);
    const regCovar = 1e-3;
    const summary = await fitGmm(
      tf,
      data,
      { k: 1, maxIter: 10, tol: 1e-8, regCovar },
      { rng: createRng(1) },
    );
    const { values, rows: n } = data;
    const mean = [0, 1].map(
      (j) => Array.from({ length: n }, (_, i) => values[i * 2 + j]).reduce((a, b) => a + b) / n,
    );
    const cov = [0, 1].map((a) =>
      [0, 1].map((b) => {
        let s = 0;
        for (let i = 0; i < n; i++)
          s += (values[i * 2 + a] - mean[a]) * (values[i * 2 + b] - mean[b]);
        return s / n + (a === b ? regCovar : 0);
      }),
    );
    const det = cov[0][0] * cov[1][1] - cov[0][1] ** 2;
    let ll = 0;
    for (let i = 0; i < n; i++) {
      const [u, v] = [values[i * 2] - mean[0], values[i * 2 + 1] - mean[1]];
      const q = (cov[1][1] * u * u - 2 * cov[0][1] * u * v + cov[0][0] * v * v) / det;
      ll += -0.5 * q - 0.5 * Math.log(det) - Math.log(2 * Math.PI);
    }
    expect(summary.weights).toEqual([1]);
    mean.forEach((m, j) => expect(summary.means[0][j]).toBeCloseTo(m, 5));
    cov.forEach((row, a) =>
      row.forEach((v, b) =>
        expect(Math.abs(summary.covariances[0][a][b] - v)).toBeLessThan(1e-5 * cov[a][a]),
      ),
    );
    relClose(summary.meanLogLikelihood, ll / n, 1e-6);
  });

  it('gives the same summary for the same seed', async () => {
    const data = synthetic(11);
    const params = { k: 3, maxIter: 50, tol: 1e-6, regCovar: 1e-6 };
    const a = await fitGmm(tf, data, params, { rng: createRng(5) });
    const b = await fitGmm(tf, data, params, { rng: createRng(5) });
    expect(b).toEqual(a);
  });

  it('keeps the tensor count flat across iterations and frees everything', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    await fitGmm(
      tf,
      synthetic(2, 3000),
      { k: 3, maxIter: 8, tol: 1e-12, regCovar: 1e-6 },
      { rng: createRng(1), onIteration: () => void counts.push(tf.memory().numTensors) },
    );
    expect(counts.length).toBe(8);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[0]).toBe(counts[1]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('fitGmm refusals', () => {
  const params = { k: 2, maxIter: 20, tol: 1e-3, regCovar: 1e-6 };

  it('refuses NaN and names the row and column', async () => {
    const data = synthetic(1, 30);
    data.values[5 * 2 + 1] = NaN;
    const before = tf.memory().numTensors;
    await expect(fitGmm(tf, data, params, { rng: createRng(1) })).rejects.toThrow(DataError);
    await expect(fitGmm(tf, data, params, { rng: createRng(1) })).rejects.toThrow(
      /row 6, column "c1"/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses K larger than the number of rows', async () => {
    await expect(
      fitGmm(tf, synthetic(1, 3), { ...params, k: 4 }, { rng: createRng(1) }),
    ).rejects.toThrow(/reduce K/);
  });

  it('reports a collapsed component instead of returning NaN', async () => {
    const twoPoints = fromRows(Array.from({ length: 40 }, (_, i) => (i % 2 ? [1, 2] : [3, -1])));
    const before = tf.memory().numTensors;
    const fit = fitGmm(
      tf,
      twoPoints,
      { k: 3, maxIter: 50, tol: 1e-6, regCovar: 0 },
      { rng: createRng(1) },
    );
    await expect(fit).rejects.toThrow(DataError);
    await expect(fit).rejects.toThrow(/collapsed.*raise reg_covar/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports a component that collapses during EM', async () => {
    // 30 copies of one point plus a spread cloud: a component shrinks onto the copies.
    const rng = createRng(4);
    const rows = [
      ...Array.from({ length: 30 }, () => [2.5, 7.25]),
      ...Array.from({ length: 60 }, () => [rng.normal() * 3, rng.normal() * 3]),
    ];
    const lls: number[] = [];
    const fit = fitGmm(
      tf,
      fromRows(rows),
      { k: 2, maxIter: 500, tol: 1e-12, regCovar: 0 },
      { rng: createRng(1), onIteration: (_i, ll) => void lls.push(ll) },
    );
    await expect(fit).rejects.toThrow(DataError);
    expect(lls.every(Number.isFinite)).toBe(true);
  });
});

describe('gmm.run', () => {
  function context(signal: AbortSignal, onMetrics?: (step: number) => void) {
    const metrics: { step: number; values: Record<string, number> }[] = [];
    const artifacts: { kind: string; step: number; meta: unknown }[] = [];
    const progress: number[] = [];
    const ctx: AlgorithmContext<GmmParams> = {
      tf,
      data: readCsv('faithful.csv'),
      params: { k: 2, maxIter: 100, tol: 1e-3, regCovar: 1e-6 },
      seed: 1,
      rng: createRng(1),
      signal,
      emit: {
        metrics: (step, values) => {
          metrics.push({ step, values });
          onMetrics?.(step);
        },
        artifact: (kind, step, meta) => void artifacts.push({ kind, step, meta }),
        progress: (f) => void progress.push(f),
        note: () => {},
      },
    };
    return { ctx, metrics, artifacts, progress };
  }

  it('emits metrics, mixtures and progress for every iteration', async () => {
    const { ctx, metrics, artifacts, progress } = context(new AbortController().signal);
    const summary = await gmm.run(ctx);
    expect(metrics.map((m) => m.step)).toEqual(
      Array.from({ length: summary.iterations }, (_, i) => i + 1),
    );
    expect(metrics.every((m) => Number.isFinite(m.values.meanLogLikelihood))).toBe(true);
    expect(artifacts.length).toBe(summary.iterations);
    expect(artifacts.every((a) => a.kind === 'mixture')).toBe(true);
    expect((artifacts.at(-1)!.meta as Mixture).means).toEqual(summary.means);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);
  });

  it('stops with CancelledError when the signal is aborted', async () => {
    const abort = new AbortController();
    const before = tf.memory().numTensors;
    const { ctx, metrics } = context(abort.signal, (step) => {
      if (step === 2) abort.abort();
    });
    ctx.params = { ...ctx.params, tol: 1e-12 };
    await expect(gmm.run(ctx)).rejects.toThrow(CancelledError);
    expect(metrics.length).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
