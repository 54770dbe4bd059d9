/**
 * What the GMM views draw, computed from a mixture snapshot and the data: component log
 * densities, most-likely labels, covariance ellipses and 1-D densities. Pure, shared by the
 * live views and chart export.
 */
import type { Mixture } from './artifacts';
import { cholesky, logSumExp, solveLower } from './linalg';

const LOG_2PI = Math.log(2 * Math.PI);

/** The mixture restricted to some columns: marginals of a Gaussian mixture are Gaussian mixtures. */
export function marginalMixture(m: Mixture, dims: readonly number[]): Mixture {
  return {
    weights: m.weights,
    means: m.means.map((mu) => dims.map((d) => mu[d])),
    covariances: m.covariances.map((c) => dims.map((i) => dims.map((j) => c[i][j]))),
  };
}

/** log(w_k) + log N(x | μ_k, Σ_k) for every component k, or null if a covariance is singular. */
export function weightedLogDensities(m: Mixture): ((x: readonly number[]) => number[]) | null {
  const factors = m.covariances.map((c) => cholesky(c));
  if (factors.some((f) => f === null)) return null;
  const consts = factors.map((l, k) => {
    let logDet = 0;
    for (let i = 0; i < l!.length; i++) logDet += 2 * Math.log(l![i][i]);
    return Math.log(m.weights[k]) - 0.5 * (l!.length * LOG_2PI + logDet);
  });
  return (x) =>
    factors.map((l, k) => {
      const z = solveLower(
        l!,
        x.map((v, i) => v - m.means[k][i]),
      );
      let q = 0;
      for (const v of z) q += v * v;
      return consts[k] - 0.5 * q;
    });
}

/** Most likely component of each row (rows × cols, row-major); -1 where undefined. */
export function mostLikelyComponent(
  m: Mixture,
  values: ArrayLike<number>,
  cols: number,
): Int32Array {
  const rows = Math.floor(values.length / cols);
  const labels = new Int32Array(rows).fill(-1);
  const f = weightedLogDensities(m);
  if (!f) return labels;
  const x = new Array<number>(cols);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) x[c] = values[i * cols + c];
    const ld = f(x);
    let best = 0;
    for (let k = 1; k < ld.length; k++) if (ld[k] > ld[best]) best = k;
    labels[i] = best;
  }
  return labels;
}

/** Responsibilities (rows × K, row-major) of each row: the E-step's posterior over components. */
export function responsibilities(
  m: Mixture,
  values: ArrayLike<number>,
  cols: number,
): Float64Array {
  const rows = Math.floor(values.length / cols);
  const k = m.weights.length;
  const out = new Float64Array(rows * k);
  const f = weightedLogDensities(m);
  if (!f) return out.fill(NaN);
  const x = new Array<number>(cols);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) x[c] = values[i * cols + c];
    const ld = f(x);
    const norm = logSumExp(ld);
    for (let c = 0; c < k; c++) out[i * k + c] = Math.exp(ld[c] - norm);
  }
  return out;
}

/** 1 − max responsibility of each row: 0 where one component clearly owns the point. */
export function uncertainty(m: Mixture, values: ArrayLike<number>, cols: number): Float64Array {
  const k = m.weights.length;
  const r = responsibilities(m, values, cols);
  const out = new Float64Array(r.length / k);
  for (let i = 0; i < out.length; i++) {
    let max = 0;
    for (let c = 0; c < k; c++) max = Math.max(max, r[i * k + c]);
    out[i] = 1 - max;
  }
  return out;
}

/** Points on the n-σ ellipse of a 2-D Gaussian (closed-form eigen-decomposition of a 2×2). */
export function ellipse(
  mean: readonly number[],
  cov: readonly (readonly number[])[],
  nSigma: number,
  points = 72,
): [number, number][] {
  const [a, b, c] = [cov[0][0], cov[0][1], cov[1][1]];
  const half = (a + c) / 2;
  const r = Math.sqrt(((a - c) / 2) ** 2 + b * b);
  const l1 = Math.max(half + r, 0);
  const l2 = Math.max(half - r, 0);
  // The major axis is the eigenvector (b, l1 − a) of [[a, b], [b, c]].
  const angle = b === 0 ? (a >= c ? 0 : Math.PI / 2) : Math.atan2(l1 - a, b);
  const [ct, st] = [Math.cos(angle), Math.sin(angle)];
  const out: [number, number][] = [];
  for (let i = 0; i <= points; i++) {
    const t = (2 * Math.PI * i) / points;
    const u = nSigma * Math.sqrt(l1) * Math.cos(t);
    const v = nSigma * Math.sqrt(l2) * Math.sin(t);
    out.push([mean[0] + u * ct - v * st, mean[1] + u * st + v * ct]);
  }
  return out;
}

/** Mixture density and each weighted component's density on a 1-D grid. */
export function density1d(
  m: Mixture,
  grid: readonly number[],
): { total: number[]; components: number[][] } {
  const components = m.weights.map((w, k) => {
    const mu = m.means[k][0];
    const v = m.covariances[k][0][0];
    return grid.map(
      (x) => w * Math.exp(-0.5 * ((x - mu) ** 2 / v) - 0.5 * Math.log(2 * Math.PI * v)),
    );
  });
  return { total: grid.map((_, i) => components.reduce((s, c) => s + c[i], 0)), components };
}
