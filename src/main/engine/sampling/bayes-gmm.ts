/**
 * The Bayesian Gaussian mixture, sampled by exact blocked Gibbs.
 *
 * Model, for data x_1 … x_n in R^d and K components:
 *   w ~ Dirichlet(α0, …, α0),  (μ_k, Σ_k) ~ Normal–Inverse-Wishart(m0, κ0, ν0, Ψ0),
 *   z_i ~ Categorical(w),       x_i | z_i = k ~ N(μ_k, Σ_k).
 * Default prior (data-based, after Fraley & Raftery 2007): α0 = 1 (uniform on the simplex),
 * m0 = the data mean, κ0 = 0.01 (a mean prior 10 data-sd wide), ν0 = d + 2 (the least integer
 * with a finite prior mean of Σ), Ψ0 = S / K^(2/d) with S the data covariance, so that
 * E[Σ_k] = Ψ0 / (ν0 − d − 1) = Ψ0: K components of that size fill the data's volume.
 *
 * One transition is a full sweep of the three blocks, taken in the order
 *   w | z,  (μ_k, Σ_k) | z,  z | w, μ, Σ
 * (a rotation of "z, then w and (μ, Σ)": the same Gibbs cycle) so that the z sweep, which visits
 * every point's log Σ_k w_k N(x_i; μ_k, Σ_k) anyway, also gives the log density at the new draw.
 *
 * Label switching: after the parameter draw the components are relabelled in increasing order
 * of the first coordinate of their means (an identifiability constraint imposed draw by draw).
 * That keeps "component 1" meaning the same thing across draws and chains when the clusters
 * are apart along the first coordinate; it cannot when they overlap there.
 *
 * The position q is [w (K), μ (K·d, component-major), Σ (per component its d(d+1)/2 entries
 * Σ_ij with i ≤ j, row by row)], named w[k], mu[k,i], Sigma[k,i,j] (1-based).
 */
import type { Mixture } from '../../../shared/artifacts';
import { cholesky, inverseTransposeLower } from '../../../shared/linalg';
import { localText } from '../../../shared/i18n';
import { DataError } from '../algorithm';
import type { Rng } from '../../../shared/rng';
import { sampleDirichlet, sampleInverseWishart, sampleMultivariateNormal } from './distributions';
import type { Chain, Transition } from './types';

export interface BayesGmmOptions {
  /** Number of components K. */
  components: number;
  /** Accepted for symmetry with the other chains: exact Gibbs has nothing to adapt. */
  warmup?: number;
  /**
   * Random start: K distinct data points as centres, every point assigned to the nearest (in
   * per-coordinate standardised distance). Without it the start is deterministic: the data split
   * into K equal groups by their first coordinate.
   */
  rng?: Rng;
  /** Dirichlet concentration per component (default 1). */
  alpha0?: number;
  /** Prior mean of the component means (default: the data mean). */
  m0?: number[];
  /** Prior pseudo-count of the means (default 0.01). */
  kappa0?: number;
  /** Inverse-Wishart degrees of freedom (default d + 2). */
  nu0?: number;
  /** Inverse-Wishart scale (default: data covariance / K^(2/d)). */
  psi0?: number[][];
}

export interface BayesGmmPrior {
  alpha0: number;
  m0: number[];
  kappa0: number;
  nu0: number;
  psi0: number[][];
}

export interface BayesGmmChain extends Chain {
  readonly dim: number;
  readonly names: string[];
  readonly components: number;
  /** The component of each data point after the last transition. */
  readonly assignments: Int32Array;
  readonly prior: BayesGmmPrior;
  /** The current draw as a mixture (weights, means, covariances). */
  mixture(): Mixture;
}

/** Names of q's entries for K components in d dimensions. */
export function bayesGmmNames(K: number, d: number): string[] {
  const names: string[] = [];
  for (let k = 1; k <= K; k++) names.push(`w[${k}]`);
  for (let k = 1; k <= K; k++) for (let i = 1; i <= d; i++) names.push(`mu[${k},${i}]`);
  for (let k = 1; k <= K; k++)
    for (let i = 1; i <= d; i++) for (let j = i; j <= d; j++) names.push(`Sigma[${k},${i},${j}]`);
  return names;
}

const LOG_2PI = Math.log(2 * Math.PI);

class BayesGmm implements BayesGmmChain {
  readonly q: Float64Array;
  readonly stepSize = 0;
  readonly inverseMetric: Float64Array;
  readonly dim: number;
  readonly names: string[];
  readonly components: number;
  readonly assignments: Int32Array;
  readonly prior: BayesGmmPrior;

  private readonly n: number;
  private readonly d: number;
  private weights: Float64Array;
  private means: number[][];
  private covs: number[][][];
  // Per component, refreshed after every parameter draw, for the z sweep.
  private readonly cholFlat: Float64Array; // K · d · d, lower factors
  private readonly logNorm: Float64Array; // log w_k − ½ log|2π Σ_k|
  // Scratch.
  private readonly counts: Float64Array;
  private readonly sums: Float64Array;
  private readonly logp: Float64Array;
  private readonly diff: Float64Array;
  private readonly alphaPost: Float64Array;
  private readonly psi0Inv: number[][];

  constructor(
    private readonly x: Float64Array,
    rows: number,
    cols: number,
    opts: BayesGmmOptions,
  ) {
    const K = opts.components;
    const d = cols;
    const n = rows;
    this.n = n;
    this.d = d;
    this.components = K;
    this.validate(K);
    const { mean, cov } = dataMoments(x, n, d);
    const alpha0 = opts.alpha0 ?? 1;
    const kappa0 = opts.kappa0 ?? 0.01;
    const nu0 = opts.nu0 ?? d + 2;
    const m0 = opts.m0 ?? mean;
    const shrink = Math.pow(K, -2 / d);
    const psi0 = opts.psi0 ?? cov.map((row) => row.map((v) => v * shrink));
    for (const [name, value] of Object.entries({ alpha0, kappa0 }))
      if (!(value > 0) || !Number.isFinite(value))
        throw new DataError(localText('refuse.priorPositive', { name }));
    if (!(nu0 > d - 1)) throw new DataError(localText('refuse.nu0', { min: d - 1 }));
    if (m0.length !== d) throw new DataError(localText('refuse.m0Length', { d }));
    if (psi0.length !== d || psi0.some((r) => r.length !== d)) {
      throw new DataError(localText('refuse.psi0Shape', { d }));
    }
    const psiChol = cholesky(psi0);
    if (!psiChol) {
      throw new DataError(
        localText(opts.psi0 ? 'refuse.psi0NotPositiveDefinite' : 'refuse.singularCovariance'),
      );
    }
    this.psi0Inv = symmetricInverse(psiChol);
    this.prior = { alpha0, m0: [...m0], kappa0, nu0, psi0: psi0.map((r) => [...r]) };

    this.names = bayesGmmNames(K, d);
    this.dim = this.names.length;
    this.q = new Float64Array(this.dim);
    this.inverseMetric = new Float64Array(this.dim).fill(1);
    this.assignments = new Int32Array(n);
    this.cholFlat = new Float64Array(K * d * d);
    this.logNorm = new Float64Array(K);
    this.counts = new Float64Array(K);
    this.sums = new Float64Array(K * d);
    this.logp = new Float64Array(K);
    this.diff = new Float64Array(d);
    this.alphaPost = new Float64Array(K);

    this.initialAssignments(opts.rng, cov);
    // The start's parameters: the conditional posterior means given the initial assignments.
    const stats = this.statistics();
    this.weights = new Float64Array(K);
    this.means = [];
    this.covs = [];
    for (let k = 0; k < K; k++) {
      this.weights[k] = (stats.counts[k] + alpha0) / (n + K * alpha0);
      const post = this.posterior(k, stats);
      this.means.push(post.mean);
      const scale = 1 / Math.max(post.nu - d - 1, 1);
      this.covs.push(post.psi.map((r) => r.map((v) => v * scale)));
    }
    const order = this.relabel();
    // Keep the assignments pointing at the same groups under the new labels.
    const newLabel = new Int32Array(K);
    order.forEach((old, k) => (newLabel[old] = k));
    for (let i = 0; i < n; i++) this.assignments[i] = newLabel[this.assignments[i]];
    this.writeQ();
  }

  private validate(K: number): void {
    const { n, d, x } = this;
    if (!Number.isInteger(K) || K < 1) throw new DataError(localText('refuse.componentCount'));
    if (d < 1) throw new DataError(localText('refuse.noColumns'));
    if (x.length !== n * d)
      throw new DataError(localText('refuse.valueCount', { expected: n * d, got: x.length }));
    if (n < Math.max(2, K)) {
      throw new DataError(
        localText('refuse.rowsForComponents', { n, k: K, s: K === 1 ? '' : 's' }),
      );
    }
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) {
        const where = { row: Math.floor(i / d) + 1, column: (i % d) + 1, value: x[i] };
        throw new DataError(localText('fail.notFiniteCell', where));
      }
    }
  }

  private initialAssignments(rng: Rng | undefined, cov: number[][]): void {
    const { n, d, x, components: K } = this;
    const z = this.assignments;
    if (!rng) {
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a * d] - x[b * d]);
      order.forEach((row, rank) => (z[row] = Math.min(K - 1, Math.floor((rank * K) / n))));
      return;
    }
    // K distinct rows as centres (a partial Fisher–Yates shuffle).
    const idx = Array.from({ length: n }, (_, i) => i);
    for (let k = 0; k < K; k++) {
      const j = k + rng.int(n - k);
      [idx[k], idx[j]] = [idx[j], idx[k]];
    }
    const invVar = cov.map((row, i) => 1 / row[i]);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestDist = Infinity;
      for (let k = 0; k < K; k++) {
        const c = idx[k];
        let dist = 0;
        for (let j = 0; j < d; j++) {
          const t = x[i * d + j] - x[c * d + j];
          dist += t * t * invVar[j];
        }
        if (dist < bestDist) {
          bestDist = dist;
          best = k;
        }
      }
      z[i] = best;
    }
  }

  /** Counts, sums and centred scatter matrices of the current assignments. */
  private statistics(): { counts: Float64Array; sums: Float64Array; scatter: number[][][] } {
    const { n, d, x, components: K, counts, sums } = this;
    const z = this.assignments;
    counts.fill(0);
    sums.fill(0);
    for (let i = 0; i < n; i++) {
      const k = z[i];
      counts[k]++;
      for (let j = 0; j < d; j++) sums[k * d + j] += x[i * d + j];
    }
    const scatter = Array.from({ length: K }, () =>
      Array.from({ length: d }, () => new Array<number>(d).fill(0)),
    );
    const diff = this.diff;
    for (let i = 0; i < n; i++) {
      const k = z[i];
      const s = scatter[k];
      for (let j = 0; j < d; j++) diff[j] = x[i * d + j] - sums[k * d + j] / counts[k];
      for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) s[a][b] += diff[a] * diff[b];
    }
    for (const s of scatter)
      for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) s[b][a] = s[a][b];
    return { counts, sums, scatter };
  }

  /** Normal–Inverse-Wishart posterior of component k given the statistics. */
  private posterior(
    k: number,
    stats: { counts: Float64Array; sums: Float64Array; scatter: number[][][] },
  ): { mean: number[]; kappa: number; nu: number; psi: number[][] } {
    const { d } = this;
    const { m0, kappa0, nu0, psi0 } = this.prior;
    const nk = stats.counts[k];
    const kappa = kappa0 + nk;
    const nu = nu0 + nk;
    const xbar = new Array<number>(d);
    for (let j = 0; j < d; j++) xbar[j] = nk > 0 ? stats.sums[k * d + j] / nk : m0[j];
    const mean = xbar.map((v, j) => (kappa0 * m0[j] + nk * v) / kappa);
    // Ψn = Ψ0 + S + κ0 n / (κ0 + n) (x̄ − m0)(x̄ − m0)ᵀ
    const c = (kappa0 * nk) / kappa;
    const psi = psi0.map((row, a) =>
      row.map((v, b) => v + stats.scatter[k][a][b] + c * (xbar[a] - m0[a]) * (xbar[b] - m0[b])),
    );
    return { mean, kappa, nu, psi };
  }

  /** Sorts components by their means' first coordinate; returns the old index of each new one. */
  private relabel(): number[] {
    const K = this.components;
    const order = Array.from({ length: K }, (_, k) => k).sort(
      (a, b) => this.means[a][0] - this.means[b][0],
    );
    if (order.some((old, k) => old !== k)) {
      const w = Float64Array.from(order, (old) => this.weights[old]);
      this.weights = w;
      this.means = order.map((old) => this.means[old]);
      this.covs = order.map((old) => this.covs[old]);
    }
    return order;
  }

  private writeQ(): void {
    const { d, components: K, q } = this;
    let p = 0;
    for (let k = 0; k < K; k++) q[p++] = this.weights[k];
    for (let k = 0; k < K; k++) for (let i = 0; i < d; i++) q[p++] = this.means[k][i];
    for (let k = 0; k < K; k++)
      for (let i = 0; i < d; i++) for (let j = i; j < d; j++) q[p++] = this.covs[k][i][j];
  }

  mixture(): Mixture {
    return {
      weights: Array.from(this.weights),
      means: this.means.map((m) => [...m]),
      covariances: this.covs.map((c) => c.map((r) => [...r])),
    };
  }

  next(rng: Rng, _record: boolean): Transition {
    const { d, n, x, components: K } = this;
    const { alpha0, m0, kappa0, nu0 } = this.prior;

    // 1. w | z and (μ_k, Σ_k) | z.
    const stats = this.statistics();
    for (let k = 0; k < K; k++) this.alphaPost[k] = alpha0 + stats.counts[k];
    this.weights = sampleDirichlet(rng, this.alphaPost, new Float64Array(K));
    for (let k = 0; k < K; k++) {
      const post = this.posterior(k, stats);
      const sigma = sampleInverseWishart(rng, post.psi, post.nu);
      const l = cholesky(sigma);
      if (!l) throw new Error('An inverse-Wishart draw was not positive definite');
      const scaled = l.map((row) => row.map((v) => v / Math.sqrt(post.kappa)));
      this.means[k] = Array.from(sampleMultivariateNormal(rng, post.mean, scaled));
      this.covs[k] = sigma;
    }
    this.relabel();

    // 2. Per-component factors for the sweep, and the log prior of the draw.
    let logPrior = 0;
    for (let k = 0; k < K; k++) {
      const l = cholesky(this.covs[k]);
      if (!l) throw new Error('A covariance draw was not positive definite');
      let logDet = 0;
      for (let i = 0; i < d; i++) {
        logDet += 2 * Math.log(l[i][i]);
        for (let j = 0; j < d; j++) this.cholFlat[k * d * d + i * d + j] = l[i][j];
      }
      const logW = Math.log(this.weights[k]);
      this.logNorm[k] = logW - 0.5 * (d * LOG_2PI + logDet);
      // Dirichlet: (α0 − 1) log w_k. NIW: −(ν0 + d + 2)/2 log|Σ| − ½ tr(Ψ0 Σ⁻¹) − κ0/2 δᵀ Σ⁻¹ δ.
      const inv = symmetricInverse(l);
      let trace = 0;
      let quad = 0;
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) {
          trace += this.prior.psi0[a][b] * inv[b][a];
          quad += (this.means[k][a] - m0[a]) * inv[a][b] * (this.means[k][b] - m0[b]);
        }
      }
      logPrior +=
        (alpha0 - 1) * logW - 0.5 * (nu0 + d + 2) * logDet - 0.5 * trace - 0.5 * kappa0 * quad;
    }

    // 3. z | w, μ, Σ, point by point; the log-sum-exp is the point's log likelihood.
    const z = this.assignments;
    const diff = this.diff;
    const logp = this.logp;
    const L = this.cholFlat;
    let logLik = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        const base = k * d * d;
        // ‖L⁻¹ (x − μ)‖² by forward substitution.
        let quad = 0;
        const mu = this.means[k];
        for (let a = 0; a < d; a++) {
          let s = x[i * d + a] - mu[a];
          for (let b = 0; b < a; b++) s -= L[base + a * d + b] * diff[b];
          const v = s / L[base + a * d + a];
          diff[a] = v;
          quad += v * v;
        }
        const t = this.logNorm[k] - 0.5 * quad;
        logp[k] = t;
        if (t > max) max = t;
      }
      let sum = 0;
      for (let k = 0; k < K; k++) {
        logp[k] = Math.exp(logp[k] - max);
        sum += logp[k];
      }
      logLik += max + Math.log(sum);
      let u = rng.uniform() * sum;
      let pick = K - 1;
      for (let k = 0; k < K; k++) {
        u -= logp[k];
        if (u < 0) {
          pick = k;
          break;
        }
      }
      z[i] = pick;
    }

    this.writeQ();
    return { accepted: true, acceptStat: 1, logDensity: logLik + logPrior, evaluations: 1 };
  }
}

/** Mean and (1/n) covariance of row-major data. */
function dataMoments(x: Float64Array, n: number, d: number): { mean: number[]; cov: number[][] } {
  const mean = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++)
      for (let b = 0; b <= a; b++)
        cov[a][b] += ((x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b])) / n;
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[b][a] = cov[a][b];
  return { mean, cov };
}

/** A⁻¹ = L⁻ᵀ L⁻¹ from A's lower Cholesky factor L. */
function symmetricInverse(l: readonly (readonly number[])[]): number[][] {
  const lit = inverseTransposeLower(l);
  const d = l.length;
  return Array.from({ length: d }, (_, i) =>
    Array.from({ length: d }, (_, j) => {
      let s = 0;
      for (let p = 0; p < d; p++) s += lit[i][p] * lit[j][p];
      return s;
    }),
  );
}

/**
 * A Gibbs chain on the Bayesian Gaussian mixture of row-major `values` (rows × cols), K =
 * `opts.components`. The data are referenced, not copied: do not change them while it runs.
 */
export function createBayesGmmChain(
  values: Float64Array,
  rows: number,
  cols: number,
  opts: BayesGmmOptions,
): BayesGmmChain {
  return new BayesGmm(values, rows, cols, opts);
}
