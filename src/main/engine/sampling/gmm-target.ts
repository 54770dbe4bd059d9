/**
 * A fitted Gaussian mixture as a sampling target: log Σ_k w_k N(q; μ_k, Σ_k) and its gradient.
 * Everything per component (precision matrix, normalising constant) is computed once; an
 * evaluation is one pass over the components with a running log-sum-exp and no allocation.
 */
import type { Mixture } from '../../../shared/artifacts';
import { cholesky, inverseTransposeLower } from '../../../shared/linalg';
import type { Rng } from '../../../shared/rng';
import type { Target } from './types';

export interface GmmTargetOptions {
  /** Parameter names; default ['x', 'y'] in 2-D, else x1 … xd. */
  names?: string[];
}

/** Default names: x, y in the plane, x1 … xd otherwise (matching the formula target). */
export function coordinateNames(d: number): string[] {
  if (d === 2) return ['x', 'y'];
  return Array.from({ length: d }, (_, i) => `x${i + 1}`);
}

/**
 * The mixture density as a Target. Components of weight 0 are dropped; weights are normalised.
 * Throws when the mixture is malformed (ragged shapes, a covariance not positive definite).
 */
export function gmmTarget(mixture: Mixture, opts: GmmTargetOptions = {}): Target {
  const { weights, means, covariances } = mixture;
  if (weights.length === 0) throw new Error('The mixture has no components');
  if (means.length !== weights.length || covariances.length !== weights.length) {
    throw new Error('The mixture has different numbers of weights, means and covariances');
  }
  const d = means[0].length;
  if (d === 0) throw new Error('The mixture has zero-dimensional means');
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`Mixture weight ${w} is not valid`);
    total += w;
  }
  if (!(total > 0)) throw new Error('The mixture weights sum to zero');
  const names = opts.names ?? coordinateNames(d);
  if (names.length !== d) throw new Error(`Expected ${d} names, got ${names.length}`);

  const kept: number[] = [];
  weights.forEach((w, k) => {
    if (w > 0) kept.push(k);
  });
  const nk = kept.length;
  const mu = new Float64Array(nk * d);
  const prec = new Float64Array(nk * d * d);
  const logNorm = new Float64Array(nk);
  const chols: number[][][] = [];
  const logTwoPi = Math.log(2 * Math.PI);
  kept.forEach((k, c) => {
    const m = means[k];
    const cov = covariances[k];
    if (m.length !== d || cov.length !== d || cov.some((row) => row.length !== d)) {
      throw new Error(`Component ${k + 1} does not have dimension ${d}`);
    }
    for (let i = 0; i < d; i++) {
      if (!Number.isFinite(m[i])) throw new Error(`Component ${k + 1} has a non-finite mean`);
      mu[c * d + i] = m[i];
    }
    const l = cholesky(cov);
    if (!l) throw new Error(`Component ${k + 1}'s covariance is not positive definite`);
    chols.push(l);
    // Σ⁻¹ = L⁻ᵀ L⁻¹ = (L⁻ᵀ)(L⁻ᵀ)ᵀ.
    const lit = inverseTransposeLower(l);
    let logDet = 0;
    for (let i = 0; i < d; i++) logDet += 2 * Math.log(l[i][i]);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let p = 0; p < d; p++) s += lit[i][p] * lit[j][p];
        prec[c * d * d + i * d + j] = s;
      }
    }
    logNorm[c] = Math.log(weights[k] / total) - 0.5 * (d * logTwoPi + logDet);
  });

  // Scratch, reused by every evaluation.
  const delta = new Float64Array(d);
  const pd = new Float64Array(nk * d); // Σ_k⁻¹ (q − μ_k) per component
  const logTerm = new Float64Array(nk);

  /** Fills logTerm (and pd when `withGrad`) and returns the log-sum-exp. */
  const evaluate = (q: Float64Array, withGrad: boolean): number => {
    let max = -Infinity;
    for (let c = 0; c < nk; c++) {
      for (let i = 0; i < d; i++) delta[i] = q[i] - mu[c * d + i];
      let quad = 0;
      const base = c * d * d;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += prec[base + i * d + j] * delta[j];
        if (withGrad) pd[c * d + i] = s;
        quad += delta[i] * s;
      }
      const t = logNorm[c] - 0.5 * quad;
      logTerm[c] = t;
      if (t > max) max = t;
    }
    if (max === -Infinity || Number.isNaN(max)) return max;
    let sum = 0;
    for (let c = 0; c < nk; c++) sum += Math.exp(logTerm[c] - max);
    return max + Math.log(sum);
  };

  // Closed-form mixture moments: E[q] = Σ w μ, Var[q_i] = Σ w (Σ_ii + μ_i²) − E[q_i]².
  const mean = new Array<number>(d).fill(0);
  const second = new Array<number>(d).fill(0);
  const low = new Array<number>(d).fill(Infinity);
  const high = new Array<number>(d).fill(-Infinity);
  kept.forEach((k) => {
    const w = weights[k] / total;
    for (let i = 0; i < d; i++) {
      const m = means[k][i];
      const v = covariances[k][i][i];
      mean[i] += w * m;
      second[i] += w * (v + m * m);
      const sd = Math.sqrt(v);
      low[i] = Math.min(low[i], m - 3 * sd);
      high[i] = Math.max(high[i], m + 3 * sd);
    }
  });
  const variance = second.map((s, i) => Math.max(0, s - mean[i] * mean[i]));
  const cumWeights = new Float64Array(nk);
  let acc = 0;
  kept.forEach((k, c) => {
    acc += weights[k] / total;
    cumWeights[c] = acc;
  });

  return {
    dim: d,
    names,
    logDensity: (q) => evaluate(q, false),
    logDensityGrad(q, grad) {
      const lse = evaluate(q, true);
      grad.fill(0);
      if (!Number.isFinite(lse)) return lse;
      // ∇ log p = −Σ_k r_k Σ_k⁻¹ (q − μ_k), r_k the component responsibilities.
      for (let c = 0; c < nk; c++) {
        const r = Math.exp(logTerm[c] - lse);
        if (r === 0) continue;
        for (let i = 0; i < d; i++) grad[i] -= r * pd[c * d + i];
      }
      return lse;
    },
    initial(rng: Rng, out: Float64Array) {
      // A draw from one component with its spread doubled: over-dispersed, as multi-chain
      // diagnostics want, yet on the mixture's own scale (not Stan's [−2, 2] box).
      const u = rng.uniform();
      let c = 0;
      while (c < nk - 1 && u >= cumWeights[c]) c++;
      const l = chols[c];
      for (let i = 0; i < d; i++) delta[i] = rng.normal();
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let p = 0; p <= i; p++) s += l[i][p] * delta[p];
        out[i] = mu[c * d + i] + 2 * s;
      }
    },
    conditional(q: Float64Array, i: number, rng: Rng) {
      // q_i | q_−i is itself a mixture. Per component the conditional is normal with variance
      // 1 / P_ii and mean μ_i − (P (q − μ))_i / P_ii; its weight is w_k N(q_−i; ·), which equals
      // the joint term N(q; ·) divided by the conditional density at the current q_i.
      const lse = evaluate(q, true);
      if (!Number.isFinite(lse)) return;
      let max = -Infinity;
      for (let c = 0; c < nk; c++) {
        const pii = prec[c * d * d + i * d + i];
        const condMean = q[i] - pd[c * d + i] / pii;
        const z = (q[i] - condMean) * Math.sqrt(pii);
        // log N(q_i; condMean, 1/pii) = ½ log pii − ½ log 2π − z²/2.
        logTerm[c] = logTerm[c] - (0.5 * Math.log(pii) - 0.5 * logTwoPi - 0.5 * z * z);
        if (logTerm[c] > max) max = logTerm[c];
      }
      let sum = 0;
      for (let c = 0; c < nk; c++) sum += Math.exp(logTerm[c] - max);
      let u = rng.uniform() * sum;
      let pick = nk - 1;
      for (let c = 0; c < nk; c++) {
        u -= Math.exp(logTerm[c] - max);
        if (u < 0) {
          pick = c;
          break;
        }
      }
      const pii = prec[pick * d * d + i * d + i];
      const condMean = q[i] - pd[pick * d + i] / pii;
      q[i] = condMean + rng.normal() / Math.sqrt(pii);
    },
    bounds: low.map((lo, i) => [lo, high[i]] as [number, number]),
    truth: { mean, variance },
  };
}
