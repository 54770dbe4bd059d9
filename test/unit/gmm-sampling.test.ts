import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitGmm } from '../../src/main/engine/algorithms/gmm';
import { initBackend } from '../../src/main/engine/backend';
import { createRng } from '../../src/shared/rng';
import { gmmParams } from '../../src/shared/algorithms/gmm';
import type { Mixture } from '../../src/shared/artifacts';
import { sampleMixture } from '../../src/shared/gmm-sampling';

const truth: Mixture = {
  weights: [0.5, 0.3, 0.2],
  means: [
    [0, 0],
    [6, 1],
    [1, 7],
  ],
  covariances: [
    [
      [1, 0.5],
      [0.5, 2],
    ],
    [
      [0.5, -0.2],
      [-0.2, 0.3],
    ],
    [
      [2, 0],
      [0, 0.5],
    ],
  ],
};
const n = 20_000;

/** Sample mean and biased covariance of the rows with a label (all rows when label is null). */
function moments(values: Float64Array, labels: Int32Array, label: number) {
  const rows: number[][] = [];
  for (let i = 0; i < labels.length; i++)
    if (labels[i] === label) rows.push([values[2 * i], values[2 * i + 1]]);
  const mean = [0, 1].map((j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const cov = [0, 1].map((a) =>
    [0, 1].map(
      (b) => rows.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) / rows.length,
    ),
  );
  return { count: rows.length, mean, cov };
}

/**
 * Sampling-error bounds, at 5 standard errors (a false alarm about once in 10⁶ per check): a
 * weight's SE is √(w(1−w)/n) ≤ 0.0036, so ±0.02 is ~5.6 SE; a mean's SE is √(Σ_aa/n_c); a
 * covariance entry's SE is √((Σ_aa Σ_bb + Σ_ab²)/n_c) (Gaussian data). A refit adds the
 * component-overlap uncertainty, small for these well-separated components.
 */
function expectWithinSamplingError(
  got: { mean: number[]; cov: number[][] },
  want: { mean: number[]; cov: number[][] },
  count: number,
) {
  const z = 5;
  want.mean.forEach((m, a) =>
    expect(Math.abs(got.mean[a] - m)).toBeLessThan(z * Math.sqrt(want.cov[a][a] / count)),
  );
  want.cov.forEach((row, a) =>
    row.forEach((v, b) => {
      const se = Math.sqrt((want.cov[a][a] * want.cov[b][b] + v * v) / count);
      expect(Math.abs(got.cov[a][b] - v)).toBeLessThan(z * se);
    }),
  );
}

beforeAll(async () => {
  await initBackend(null);
});

describe('sampleMixture', () => {
  const { values, labels } = sampleMixture(truth, n, createRng(42));

  it('draws n rows of d values with labels', () => {
    expect(values.length).toBe(2 * n);
    expect(labels.length).toBe(n);
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it('draws each component with its weight, mean and covariance', () => {
    truth.weights.forEach((w, c) => {
      const m = moments(values, labels, c);
      expect(Math.abs(m.count / n - w)).toBeLessThan(5 * Math.sqrt((w * (1 - w)) / n));
      expectWithinSamplingError(m, { mean: truth.means[c], cov: truth.covariances[c] }, m.count);
    });
  });

  it('is reproducible from the seed', () => {
    const again = sampleMixture(truth, 100, createRng(42));
    expect(Array.from(again.values)).toEqual(Array.from(values.subarray(0, 200)));
  });

  it('never picks a component of weight 0', () => {
    const s = sampleMixture({ ...truth, weights: [0, 1, 0] }, 2000, createRng(1));
    expect(new Set(s.labels)).toEqual(new Set([1]));
  });

  it('refuses a covariance that is not positive definite', () => {
    const bad = {
      ...truth,
      covariances: [
        truth.covariances[0],
        [
          [1, 2],
          [2, 1],
        ],
        truth.covariances[2],
      ],
    };
    expect(() => sampleMixture(bad, 10, createRng(1))).toThrow(/component 2/);
  });

  it('refitting the samples recovers the mixture within sampling error', async () => {
    const fit = await fitGmm(
      tf,
      { values, rows: n, cols: 2, columns: ['x', 'y'] },
      gmmParams.parse({ k: 3, covarianceType: 'full', tol: 1e-8, maxIter: 500 }),
      { rng: createRng(7) },
    );
    truth.means.forEach((mean, c) => {
      const dist = fit.means.map((m) => Math.hypot(m[0] - mean[0], m[1] - mean[1]));
      const j = dist.indexOf(Math.min(...dist));
      expect(Math.abs(fit.weights[j] - truth.weights[c])).toBeLessThan(0.02);
      const count = truth.weights[c] * n;
      expectWithinSamplingError(
        { mean: fit.means[j], cov: fit.covariances[j] },
        { mean, cov: truth.covariances[c] },
        count,
      );
    });
  });
});
