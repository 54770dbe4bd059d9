/**
 * Bayesian regression posteriors as sampling targets, on a data set (row-major predictors X,
 * response y):
 *
 * - logistic: y_i ∈ {0, 1}, P(y_i = 1) = logistic(α + x_iᵀβ);
 * - linear: y_i = α + x_iᵀβ + ε_i, ε_i ~ N(0, σ²), sampled on log σ.
 *
 * Priors are independent normals α ~ N(0, interceptScale), β_j ~ N(0, priorScale), and for the
 * linear model σ ~ half-Normal(0, sigmaScale); all default to 2.5. The scales are in the data's
 * units (not rescaled per predictor as rstanarm's `autoscale` does): 2.5 is weakly informative for
 * predictors and responses on roughly unit scale, so standardise the columns or set the scales.
 * One evaluation is one pass over the rows, with no allocation.
 */
import { localText } from '../../../shared/i18n';
import { DataError } from '../algorithm';
import type { Rng } from '../../../shared/rng';
import type { Target } from './types';

export interface RegressionOptions {
  /** Predictors, row-major rows × p. */
  X: Float64Array;
  /** Response, one value per row. */
  y: Float64Array;
  /** Number of rows (default y.length; must equal it). */
  rows?: number;
  /** Predictor names (length p, which is X.length / rows); default b1 … bp. */
  predictors?: string[];
  /** Prior sd of every coefficient β_j (default 2.5). */
  priorScale?: number;
  /** Prior sd of the intercept α (default: priorScale). */
  interceptScale?: number;
}

export interface LinearRegressionOptions extends RegressionOptions {
  /** Scale of the half-Normal prior on σ (default 2.5). */
  sigmaScale?: number;
}

/** A regression target, with the prior scales it resolved. */
export interface RegressionTarget extends Target {
  priors: { intercept: number; coefficients: number; sigma?: number };
}

interface Checked {
  rows: number;
  p: number;
  names: string[];
  priorScale: number;
  interceptScale: number;
}

function checkScale(
  value: number | undefined,
  fallback: number,
  refusal: 'refuse.priorScale' | 'refuse.interceptScale' | 'refuse.sigmaScale',
): number {
  const s = value ?? fallback;
  if (!(s > 0) || !Number.isFinite(s)) {
    throw new DataError(localText(refusal, { value: s }));
  }
  return s;
}

/** Shape, finiteness, enough rows, no constant predictor. */
function validate(opts: RegressionOptions, extraParams: number): Checked {
  const { X, y } = opts;
  const rows = y.length;
  if (opts.rows !== undefined && opts.rows !== rows) {
    throw new DataError(localText('refuse.rowsMismatch', { rows: opts.rows, n: rows }));
  }
  if (rows === 0) throw new DataError(localText('refuse.noRows'));
  if (X.length % rows !== 0) {
    throw new DataError(localText('refuse.xShape', { n: X.length, rows }));
  }
  const p = X.length / rows;
  const names = opts.predictors ?? Array.from({ length: p }, (_, j) => `b${j + 1}`);
  if (names.length !== p) {
    throw new DataError(localText('refuse.predictorNames', { names: names.length, p }));
  }
  for (const reserved of ['alpha', 'log_sigma', 'sigma']) {
    if (names.includes(reserved)) {
      throw new DataError(localText('refuse.reservedPredictor', { name: reserved }));
    }
  }
  for (let i = 0; i < rows; i++) {
    if (!Number.isFinite(y[i])) {
      throw new DataError(localText('fail.responseNotFinite', { row: i + 1, value: y[i] }));
    }
    for (let j = 0; j < p; j++) {
      const v = X[i * p + j];
      if (!Number.isFinite(v)) {
        throw new DataError(
          localText('fail.predictorNotFinite', { name: names[j], row: i + 1, value: v }),
        );
      }
    }
  }
  const params = 1 + p + extraParams;
  if (rows < params) {
    throw new DataError(
      localText('refuse.rowsForParameters', { rows, s: rows === 1 ? '' : 's', params }),
    );
  }
  // A constant column is a copy of the intercept: only the prior would separate the two.
  for (let j = 0; j < p; j++) {
    const first = X[j];
    let constant = true;
    for (let i = 1; i < rows && constant; i++) constant = X[i * p + j] === first;
    if (constant) {
      throw new DataError(localText('refuse.constantPredictor', { name: names[j], value: first }));
    }
  }
  const priorScale = checkScale(opts.priorScale, 2.5, 'refuse.priorScale');
  const interceptScale = checkScale(opts.interceptScale, priorScale, 'refuse.interceptScale');
  return { rows, p, names, priorScale, interceptScale };
}

/**
 * Posterior of Bayesian logistic regression, parameters ['alpha', ...names]. The log-likelihood
 * y η − log(1 + e^η) is computed as y η − max(η, 0) − log1p(e^−|η|), finite for any η.
 */
export function logisticRegressionTarget(opts: RegressionOptions): RegressionTarget {
  const { rows, p, names, priorScale, interceptScale } = validate(opts, 0);
  const { X, y } = opts;
  for (let i = 0; i < rows; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      throw new DataError(localText('refuse.logisticResponse', { row: i + 1, value: y[i] }));
    }
  }
  const dim = 1 + p;
  const invA = 1 / (interceptScale * interceptScale);
  const invB = 1 / (priorScale * priorScale);

  const logPrior = (q: Float64Array): number => {
    let s = q[0] * q[0] * invA;
    for (let j = 1; j < dim; j++) s += q[j] * q[j] * invB;
    return -0.5 * s;
  };

  return {
    dim,
    names: ['alpha', ...names],
    priors: { intercept: interceptScale, coefficients: priorScale },
    logDensity(q) {
      let ll = 0;
      for (let i = 0, row = 0; i < rows; i++, row += p) {
        let eta = q[0];
        for (let j = 0; j < p; j++) eta += X[row + j] * q[j + 1];
        ll += y[i] * eta - (eta > 0 ? eta : 0) - Math.log1p(Math.exp(-Math.abs(eta)));
      }
      return ll + logPrior(q);
    },
    logDensityGrad(q, grad) {
      grad[0] = -q[0] * invA;
      for (let j = 1; j < dim; j++) grad[j] = -q[j] * invB;
      let ll = 0;
      for (let i = 0, row = 0; i < rows; i++, row += p) {
        let eta = q[0];
        for (let j = 0; j < p; j++) eta += X[row + j] * q[j + 1];
        const e = Math.exp(-Math.abs(eta));
        ll += y[i] * eta - (eta > 0 ? eta : 0) - Math.log1p(e);
        // logistic(η) from the same e^−|η|, without overflow on either side.
        const mu = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
        const r = y[i] - mu;
        grad[0] += r;
        for (let j = 0; j < p; j++) grad[j + 1] += r * X[row + j];
      }
      return ll + logPrior(q);
    },
  };
}

/**
 * Posterior of Bayesian linear regression, parameters ['alpha', ...names, 'log_sigma'].
 * σ is sampled as log σ so the sampler sees all of R: the density carries the Jacobian
 * dσ / d log σ = σ. `constrain` reports σ itself (constrainedNames ends with 'sigma').
 */
export function linearRegressionTarget(opts: LinearRegressionOptions): RegressionTarget {
  const { rows, p, names, priorScale, interceptScale } = validate(opts, 1);
  const sigmaScale = checkScale(opts.sigmaScale, 2.5, 'refuse.sigmaScale');
  const { X, y } = opts;
  const dim = p + 2;
  const invA = 1 / (interceptScale * interceptScale);
  const invB = 1 / (priorScale * priorScale);
  const invS = 1 / (sigmaScale * sigmaScale);

  const residualSquares = (q: Float64Array): number => {
    let rss = 0;
    for (let i = 0, row = 0; i < rows; i++, row += p) {
      let r = y[i] - q[0];
      for (let j = 0; j < p; j++) r -= X[row + j] * q[j + 1];
      rss += r * r;
    }
    return rss;
  };

  /** log p given RSS; τ = log σ. Likelihood −n τ − RSS / 2σ², half-Normal −σ² / 2s², Jacobian τ. */
  const logPosterior = (q: Float64Array, rss: number): number => {
    const tau = q[dim - 1];
    const sigma2 = Math.exp(2 * tau);
    let prior = q[0] * q[0] * invA;
    for (let j = 1; j <= p; j++) prior += q[j] * q[j] * invB;
    const value = -rows * tau - (0.5 * rss) / sigma2 - 0.5 * prior - 0.5 * sigma2 * invS + tau;
    // exp(2τ) overflows or underflows far out: the density is then effectively zero.
    return Number.isNaN(value) ? -Infinity : value;
  };

  return {
    dim,
    names: ['alpha', ...names, 'log_sigma'],
    constrainedNames: ['alpha', ...names, 'sigma'],
    priors: { intercept: interceptScale, coefficients: priorScale, sigma: sigmaScale },
    logDensity: (q) => logPosterior(q, residualSquares(q)),
    logDensityGrad(q, grad) {
      const tau = q[dim - 1];
      const sigma2 = Math.exp(2 * tau);
      const inv2 = 1 / sigma2;
      let rss = 0;
      grad.fill(0);
      for (let i = 0, row = 0; i < rows; i++, row += p) {
        let r = y[i] - q[0];
        for (let j = 0; j < p; j++) r -= X[row + j] * q[j + 1];
        rss += r * r;
        grad[0] += r;
        for (let j = 0; j < p; j++) grad[j + 1] += r * X[row + j];
      }
      grad[0] = grad[0] * inv2 - q[0] * invA;
      for (let j = 1; j <= p; j++) grad[j] = grad[j] * inv2 - q[j] * invB;
      grad[dim - 1] = -rows + rss * inv2 - sigma2 * invS + 1;
      return logPosterior(q, rss);
    },
    initial(rng: Rng, out: Float64Array) {
      // Stan's uniform(−2, 2) for α and β; log σ near the residual scale at that start (± 1),
      // so a response in large units does not begin with an enormous gradient.
      for (let j = 0; j <= p; j++) out[j] = 4 * rng.uniform() - 2;
      out[dim - 1] = 0;
      const rms = Math.sqrt(residualSquares(out) / rows);
      out[dim - 1] = Math.log(rms > 0 ? rms : 1) + 2 * rng.uniform() - 1;
    },
    constrain(q, out) {
      for (let j = 0; j < dim - 1; j++) out[j] = q[j];
      out[dim - 1] = Math.exp(q[dim - 1]);
    },
  };
}
