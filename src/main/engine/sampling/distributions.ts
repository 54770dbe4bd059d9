/**
 * Exact draws from the distributions that conjugate Gibbs samplers need: Gamma, Dirichlet,
 * Wishart / inverse-Wishart and the multivariate normal. Every draw comes from the seeded `Rng`.
 * Matrices are small and dense, as number[][] like `shared/linalg`.
 */
import { cholesky, inverseTransposeLower } from '../../../shared/linalg';
import type { Rng } from '../../../shared/rng';

/** Uniform in (0, 1]: safe to take the log of. */
function openUniform(rng: Rng): number {
  return 1 - rng.uniform();
}

/** Marsaglia & Tsang (2000), for shape ≥ 1: a squeezed rejection on a transformed normal. */
function gammaShapeAtLeastOne(rng: Rng, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = openUniform(rng);
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

function checkShape(shape: number): void {
  if (!(shape > 0) || !Number.isFinite(shape)) {
    throw new RangeError(`Gamma shape must be positive and finite, got ${shape}`);
  }
}

/**
 * log of a Gamma(shape, 1) draw. For shape < 1 it uses G(a) = G(a + 1) · U^(1/a) in log form, so
 * a tiny shape (whose draws underflow to 0 in linear scale) still gives a usable value.
 */
export function sampleLogGamma(rng: Rng, shape: number): number {
  checkShape(shape);
  if (shape >= 1) return Math.log(gammaShapeAtLeastOne(rng, shape));
  return Math.log(gammaShapeAtLeastOne(rng, shape + 1)) + Math.log(openUniform(rng)) / shape;
}

/** Gamma(shape, scale): mean shape · scale, variance shape · scale². */
export function sampleGamma(rng: Rng, shape: number, scale = 1): number {
  checkShape(shape);
  if (shape >= 1) return scale * gammaShapeAtLeastOne(rng, shape);
  return scale * gammaShapeAtLeastOne(rng, shape + 1) * Math.pow(openUniform(rng), 1 / shape);
}

/** χ²(df) = Gamma(df / 2, 2). */
export function sampleChiSquare(rng: Rng, df: number): number {
  return sampleGamma(rng, df / 2, 2);
}

/**
 * Dirichlet(alpha) into `out` (allocated when not given): normalised Gamma draws, taken in log
 * space so that small concentrations do not all underflow to zero.
 */
export function sampleDirichlet(
  rng: Rng,
  alpha: ArrayLike<number>,
  out: Float64Array = new Float64Array(alpha.length),
): Float64Array {
  const k = alpha.length;
  if (k === 0) throw new RangeError('Dirichlet needs at least one concentration');
  let max = -Infinity;
  for (let i = 0; i < k; i++) {
    out[i] = sampleLogGamma(rng, alpha[i]);
    if (out[i] > max) max = out[i];
  }
  let sum = 0;
  for (let i = 0; i < k; i++) {
    out[i] = Math.exp(out[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < k; i++) out[i] /= sum;
  return out;
}

function choleskyOrThrow(a: readonly (readonly number[])[], what: string): number[][] {
  const l = cholesky(a);
  if (!l) throw new RangeError(`${what} is not symmetric positive definite`);
  return l;
}

/**
 * Bartlett factor: lower-triangular A with A_ii = √χ²(df − i) (i from 0) and standard normals
 * below the diagonal, so that A Aᵀ ~ Wishart(I, df).
 */
function bartlett(rng: Rng, d: number, df: number): number[][] {
  if (!(df > d - 1)) throw new RangeError(`Wishart needs df > d − 1 = ${d - 1}, got ${df}`);
  const a = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    a[i][i] = Math.sqrt(sampleChiSquare(rng, df - i));
    for (let j = 0; j < i; j++) a[i][j] = rng.normal();
  }
  return a;
}

/** M Mᵀ for a square M. */
function outerSelf(m: readonly (readonly number[])[]): number[][] {
  const d = m.length;
  const out = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += m[i][k] * m[j][k];
      out[i][j] = s;
      out[j][i] = s;
    }
  }
  return out;
}

/** P Q for square matrices. */
function matMul(p: readonly (readonly number[])[], q: readonly (readonly number[])[]): number[][] {
  const d = p.length;
  const out = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const pik = p[i][k];
      if (pik === 0) continue;
      for (let j = 0; j < d; j++) out[i][j] += pik * q[k][j];
    }
  }
  return out;
}

/** Wishart(V, df) with scale matrix V (mean df · V): W = (L A)(L A)ᵀ with V = L Lᵀ (Bartlett). */
export function sampleWishart(
  rng: Rng,
  scale: readonly (readonly number[])[],
  df: number,
): number[][] {
  const l = choleskyOrThrow(scale, 'Wishart scale');
  return outerSelf(matMul(l, bartlett(rng, l.length, df)));
}

/**
 * Inverse-Wishart(Ψ, df) (mean Ψ / (df − d − 1) for df > d + 1). With Ψ = C Cᵀ and A the
 * Bartlett factor, Σ = (C A⁻ᵀ)(C A⁻ᵀ)ᵀ: its inverse C⁻ᵀ A Aᵀ C⁻¹ is Wishart(Ψ⁻¹, df), and no
 * general matrix inverse is needed. `psiCholesky` may pass C when the caller already has it.
 */
export function sampleInverseWishart(
  rng: Rng,
  psi: readonly (readonly number[])[],
  df: number,
  psiCholesky?: readonly (readonly number[])[],
): number[][] {
  const c = psiCholesky ?? choleskyOrThrow(psi, 'inverse-Wishart scale');
  return outerSelf(matMul(c, inverseTransposeLower(bartlett(rng, c.length, df))));
}

/** Multivariate normal mean + L z (z standard normal) into `out`, for a lower Cholesky factor L. */
export function sampleMultivariateNormal(
  rng: Rng,
  mean: ArrayLike<number>,
  chol: readonly (readonly number[])[],
  out: Float64Array = new Float64Array(mean.length),
  scratch: Float64Array = new Float64Array(mean.length),
): Float64Array {
  const d = mean.length;
  for (let i = 0; i < d; i++) scratch[i] = rng.normal();
  for (let i = 0; i < d; i++) {
    let s = mean[i];
    const row = chol[i];
    for (let k = 0; k <= i; k++) s += row[k] * scratch[k];
    out[i] = s;
  }
  return out;
}
