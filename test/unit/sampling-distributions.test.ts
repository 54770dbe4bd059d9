import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/shared/rng';
import {
  sampleDirichlet,
  sampleGamma,
  sampleInverseWishart,
  sampleMultivariateNormal,
  sampleWishart,
} from '../../src/main/engine/sampling/distributions';
import { cholesky } from '../../src/shared/linalg';

function meanVar(xs: ArrayLike<number>): { mean: number; variance: number } {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return { mean: m, variance: v / (xs.length - 1) };
}

/** |estimate − expected| within `z` Monte Carlo standard errors, se from the draws' own spread. */
function expectWithinMcError(draws: ArrayLike<number>, expected: number, z = 4): void {
  const { mean, variance } = meanVar(draws);
  const se = Math.sqrt(variance / draws.length);
  expect(Math.abs(mean - expected)).toBeLessThan(z * se);
}

describe('Gamma (Marsaglia–Tsang)', () => {
  it.each([0.3, 1, 2.5, 10])('shape %f, scale 2: mean and variance', (shape) => {
    const rng = createRng(11);
    const n = 40_000;
    const scale = 2;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = sampleGamma(rng, shape, scale);
    expect(xs.every((x) => x >= 0 && Number.isFinite(x))).toBe(true);
    expectWithinMcError(xs, shape * scale);
    // Variance: the se of a sample variance is σ² √((κ − 1) / n), excess kurtosis 6/shape.
    const { variance } = meanVar(xs);
    const v = shape * scale * scale;
    const se = v * Math.sqrt((2 + 6 / shape) / n);
    expect(Math.abs(variance - v)).toBeLessThan(4 * se);
  });

  it('refuses a non-positive shape', () => {
    expect(() => sampleGamma(createRng(1), 0)).toThrow(/shape/);
    expect(() => sampleGamma(createRng(1), -1)).toThrow(/shape/);
  });
});

describe('Dirichlet', () => {
  it('mean α/α0 and variance α_i(α0 − α_i)/(α0²(α0 + 1))', () => {
    const rng = createRng(5);
    const alpha = [0.5, 2, 3.5];
    const a0 = alpha.reduce((a, b) => a + b, 0);
    const n = 30_000;
    const cols = alpha.map(() => new Float64Array(n));
    const w = new Float64Array(3);
    for (let i = 0; i < n; i++) {
      sampleDirichlet(rng, alpha, w);
      expect(Math.abs(w[0] + w[1] + w[2] - 1)).toBeLessThan(1e-12);
      for (let k = 0; k < 3; k++) cols[k][i] = w[k];
    }
    alpha.forEach((a, k) => {
      expectWithinMcError(cols[k], a / a0);
      const v = (a * (a0 - a)) / (a0 * a0 * (a0 + 1));
      expect(Math.abs(meanVar(cols[k]).variance / v - 1)).toBeLessThan(0.05);
    });
  });

  it('tiny concentrations still give a point on the simplex (log-space draws)', () => {
    const rng = createRng(9);
    for (let i = 0; i < 200; i++) {
      const w = sampleDirichlet(rng, [0.001, 0.001, 0.001]);
      expect(w.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
      expect(Math.abs(w.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    }
  });
});

describe('Wishart and inverse-Wishart (Bartlett)', () => {
  const psi = [
    [2, 0.6, -0.3],
    [0.6, 1, 0.2],
    [-0.3, 0.2, 0.5],
  ];

  it('inverse-Wishart mean is Ψ / (ν − d − 1)', () => {
    const rng = createRng(21);
    const nu = 9;
    const d = 3;
    const n = 40_000;
    const entries = Array.from({ length: d * d }, () => new Float64Array(n));
    for (let t = 0; t < n; t++) {
      const s = sampleInverseWishart(rng, psi, nu);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) entries[i * d + j][t] = s[i][j];
      if (t < 100) expect(cholesky(s)).not.toBeNull();
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) expectWithinMcError(entries[i * d + j], psi[i][j] / (nu - d - 1));
  });

  it('inverse-Wishart entry variances match the closed form', () => {
    const rng = createRng(22);
    const nu = 10;
    const d = 3;
    const n = 40_000;
    const s00 = new Float64Array(n);
    const s01 = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const s = sampleInverseWishart(rng, psi, nu);
      s00[t] = s[0][0];
      s01[t] = s[0][1];
    }
    // Var Σ_ij = ((ν−d+1) Ψ_ij² + (ν−d−1) Ψ_ii Ψ_jj) / ((ν−d)(ν−d−1)²(ν−d−3)).
    const v = (i: number, j: number) =>
      ((nu - d + 1) * psi[i][j] ** 2 + (nu - d - 1) * psi[i][i] * psi[j][j]) /
      ((nu - d) * (nu - d - 1) ** 2 * (nu - d - 3));
    expect(Math.abs(meanVar(s00).variance / v(0, 0) - 1)).toBeLessThan(0.15);
    expect(Math.abs(meanVar(s01).variance / v(0, 1) - 1)).toBeLessThan(0.15);
  });

  it('Wishart mean is ν V', () => {
    const rng = createRng(23);
    const nu = 5.5;
    const n = 20_000;
    const d = 3;
    const entries = Array.from({ length: d * d }, () => new Float64Array(n));
    for (let t = 0; t < n; t++) {
      const w = sampleWishart(rng, psi, nu);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) entries[i * d + j][t] = w[i][j];
    }
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) expectWithinMcError(entries[i * d + j], nu * psi[i][j]);
  });

  it('refuses a scale that is not positive definite and too few degrees of freedom', () => {
    const rng = createRng(1);
    expect(() =>
      sampleInverseWishart(
        rng,
        [
          [1, 2],
          [2, 1],
        ],
        5,
      ),
    ).toThrow(/positive definite/);
    expect(() => sampleWishart(rng, psi, 1.5)).toThrow(/df/);
  });
});

describe('multivariate normal', () => {
  it('mean and covariance from the Cholesky factor', () => {
    const rng = createRng(31);
    const cov = [
      [1.5, -0.7],
      [-0.7, 0.9],
    ];
    const l = cholesky(cov)!;
    const mean = [1, -2];
    const n = 40_000;
    const a = new Float64Array(n);
    const b = new Float64Array(n);
    const ab = new Float64Array(n);
    const out = new Float64Array(2);
    for (let t = 0; t < n; t++) {
      sampleMultivariateNormal(rng, mean, l, out);
      a[t] = out[0];
      b[t] = out[1];
      ab[t] = (out[0] - mean[0]) * (out[1] - mean[1]);
    }
    expectWithinMcError(a, 1);
    expectWithinMcError(b, -2);
    expectWithinMcError(ab, -0.7);
    expect(meanVar(a).variance).toBeCloseTo(1.5, 1);
    expect(meanVar(b).variance).toBeCloseTo(0.9, 1);
  });
});
