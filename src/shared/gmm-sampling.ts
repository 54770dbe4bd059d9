/**
 * Draws from a Gaussian mixture: a component by its weight, then μ + L z with L Lᵀ = Σ (Cholesky,
 * float64) and z standard normal. Pure (no tfjs): the engine and the host both use it.
 */
import type { Mixture } from './artifacts';
import { cholesky } from './linalg';

export interface MixtureSample {
  /** n × d, row-major. */
  values: Float64Array;
  /** The component each row was drawn from. */
  labels: Int32Array;
}

/**
 * `n` draws from `m`. Throws if a covariance is not positive definite or the weights are not
 * non-negative with a positive sum (the weights need not sum to exactly 1).
 */
export function sampleMixture(
  m: Mixture,
  n: number,
  rng: { uniform(): number; normal(): number },
): MixtureSample {
  const k = m.weights.length;
  const d = m.means[0]?.length ?? 0;
  if (k === 0 || d === 0) throw new Error('the mixture has no components');
  if (!Number.isInteger(n) || n < 0) throw new Error(`cannot draw ${n} samples`);
  if (m.weights.some((w) => !(w >= 0))) throw new Error('mixture weights must be non-negative');
  const factors = m.covariances.map((cov, c) => {
    const l = cholesky(cov);
    if (l === null)
      throw new Error(`the covariance of component ${c + 1} is not positive definite`);
    return l;
  });
  // Cumulative weights for inverse-CDF choice of the component.
  const cumulative: number[] = [];
  let total = 0;
  for (const w of m.weights) cumulative.push((total += w));
  if (!(total > 0)) throw new Error('mixture weights must have a positive sum');

  const values = new Float64Array(n * d);
  const labels = new Int32Array(n);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform() * total;
    let c = 0;
    while (c < k - 1 && !(u < cumulative[c])) c++;
    // A component of weight 0 is never chosen, even when u lands on its (empty) interval's edge.
    while (m.weights[c] === 0 && c > 0) c--;
    labels[i] = c;
    for (let j = 0; j < d; j++) z[j] = rng.normal();
    const l = factors[c];
    const mu = m.means[c];
    for (let a = 0; a < d; a++) {
      let s = mu[a];
      for (let b = 0; b <= a; b++) s += l[a][b] * z[b];
      values[i * d + a] = s;
    }
  }
  return { values, labels };
}
