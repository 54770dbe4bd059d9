/**
 * A restricted Boltzmann machine on plain typed arrays: its conditionals, free energy, exact
 * pseudo-log-likelihood, log Z by enumeration (few hidden units) and by annealed importance
 * sampling (Salakhutdinov & Murray 2008), and Gibbs chains. The engine trains with it
 * (src/main/engine/algorithms/rbm.ts), the renderer runs Gibbs chains from a saved model with it.
 *
 * Layout: W is nv × nh row-major (one visible unit's weights to every hidden unit contiguous), so
 * a binary visible vector adds up a few whole rows and the hidden side reads rows in order.
 *
 * Energy, Bernoulli visibles:  E(v, h) = −b·v − c·h − vᵀWh
 *        Gaussian visibles (unit variance, standardised data): E(v, h) = ½‖v − b‖² − c·h − vᵀWh
 * Free energy F(v) = −log Σ_h e^{−E(v,h)} = [−b·v | ½‖v − b‖²] − Σ_j softplus(c_j + (vW)_j).
 */
import { z } from 'zod';
import { createRng, type Rng } from './rng';
import { rbmVisibleTypes, type RbmVisibleType } from './algorithms/rbm';
import { packedTensorSchema, unpackTensor } from './model-artifact';

export interface Rbm {
  visible: RbmVisibleType;
  nv: number;
  nh: number;
  /** nv × nh, row-major; float32 so that 784 × 256 weights fit in a core's L2 cache. */
  W: Float32Array;
  /** Visible biases (nv). */
  b: Float64Array;
  /** Hidden biases (nh). */
  c: Float64Array;
}

export function createRbm(visible: RbmVisibleType, nv: number, nh: number): Rbm {
  return {
    visible,
    nv,
    nh,
    W: new Float32Array(nv * nh),
    b: new Float64Array(nv),
    c: new Float64Array(nh),
  };
}

/**
 * log(p / (1 − p)) of each visible's on-rate, with half a count added each way so a pixel that is
 * never on gets a large negative bias, not −∞.
 */
export function visibleLogOdds(x: Float64Array, rows: number, nv: number): Float64Array {
  const on = new Float64Array(nv);
  for (let r = 0; r < rows; r++) for (let i = 0; i < nv; i++) on[i] += x[r * nv + i];
  return on.map((k) => Math.log((k + 0.5) / (rows - k + 0.5)));
}

/** log(1 + eˣ) without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Row offsets of a binary vector's on units (scratch, grown as needed; callers do not nest). */
let rowScratch = new Int32Array(0);

/**
 * out += Σ_k W[rows[k] + j] over j < nh: whole rows of W added eight at a time, so `out` is read
 * and written once per eight rows (about three times faster than row by row in V8).
 */
function addRows(W: Float32Array, rows: Int32Array, n: number, nh: number, out: Float64Array) {
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    const r0 = rows[k],
      r1 = rows[k + 1],
      r2 = rows[k + 2],
      r3 = rows[k + 3];
    const r4 = rows[k + 4],
      r5 = rows[k + 5],
      r6 = rows[k + 6],
      r7 = rows[k + 7];
    for (let j = 0; j < nh; j++)
      out[j] +=
        W[r0 + j] +
        W[r1 + j] +
        W[r2 + j] +
        W[r3 + j] +
        W[r4 + j] +
        W[r5 + j] +
        W[r6 + j] +
        W[r7 + j];
  }
  for (; k < n; k++) {
    const r = rows[k];
    for (let j = 0; j < nh; j++) out[j] += W[r + j];
  }
}

/** out = c + vW for one visible vector (zeros skipped: binary images are mostly off). */
export function hiddenInput(m: Rbm, v: ArrayLike<number>, out: Float64Array): Float64Array {
  const { nv, nh, W } = m;
  out.set(m.c);
  if (rowScratch.length < nv) rowScratch = new Int32Array(nv);
  const rows = rowScratch;
  let n = 0;
  for (let i = 0; i < nv; i++) {
    const x = v[i];
    if (x === 0) continue;
    const row = i * nh;
    if (x === 1) rows[n++] = row;
    else for (let j = 0; j < nh; j++) out[j] += x * W[row + j];
  }
  addRows(W, rows, n, nh, out);
  return out;
}

/**
 * out = b + W h for one hidden vector. A binary h (a Gibbs sample) gathers its on units only;
 * `active` is scratch of nh ints.
 */
export function visibleInput(
  m: Rbm,
  h: ArrayLike<number>,
  out: Float64Array,
  active: Int32Array,
): Float64Array {
  const { nv, nh, W, b } = m;
  let n = 0;
  let binary = true;
  for (let j = 0; j < nh; j++) {
    const x = h[j];
    if (x !== 0) active[n++] = j;
    if (x !== 0 && x !== 1) binary = false;
  }
  for (let i = 0; i < nv; i++) {
    const row = i * nh;
    let s0 = b[i];
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    // Four partial sums: independent additions pipeline.
    if (binary)
      for (; k + 4 <= n; k += 4) {
        s0 += W[row + active[k]];
        s1 += W[row + active[k + 1]];
        s2 += W[row + active[k + 2]];
        s3 += W[row + active[k + 3]];
      }
    else if (n === nh)
      // Probabilities (mean field): every unit is on, so a plain dot product without indirection.
      for (; k + 4 <= n; k += 4) {
        s0 += W[row + k] * h[k];
        s1 += W[row + k + 1] * h[k + 1];
        s2 += W[row + k + 2] * h[k + 2];
        s3 += W[row + k + 3] * h[k + 3];
      }
    else
      for (; k + 4 <= n; k += 4) {
        const j0 = active[k],
          j1 = active[k + 1],
          j2 = active[k + 2],
          j3 = active[k + 3];
        s0 += W[row + j0] * h[j0];
        s1 += W[row + j1] * h[j1];
        s2 += W[row + j2] * h[j2];
        s3 += W[row + j3] * h[j3];
      }
    for (; k < n; k++) {
      const j = active[k];
      s0 += W[row + j] * h[j];
    }
    out[i] = s0 + s1 + s2 + s3;
  }
  return out;
}

/** The visible units' term of the free energy: −b·v (Bernoulli) or ½‖v − b‖² (Gaussian). */
function visibleTerm(m: Rbm, v: ArrayLike<number>): number {
  let s = 0;
  if (m.visible === 'bernoulli') for (let i = 0; i < m.nv; i++) s -= m.b[i] * v[i];
  else
    for (let i = 0; i < m.nv; i++) {
      const d = v[i] - m.b[i];
      s += 0.5 * d * d;
    }
  return s;
}

/** F(v) for each of `rows` rows of `x` (rows × nv). */
export function freeEnergies(m: Rbm, x: ArrayLike<number>, rows: number): Float64Array {
  const out = new Float64Array(rows);
  const pre = new Float64Array(m.nh);
  const v = new Float64Array(m.nv);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < m.nv; i++) v[i] = x[r * m.nv + i];
    hiddenInput(m, v, pre);
    let s = visibleTerm(m, v);
    for (let j = 0; j < m.nh; j++) s -= softplus(pre[j]);
    out[r] = s;
  }
  return out;
}

/**
 * ∂F/∂θ at one v: ∂F/∂W_ij = −v_i σ(pre_j), ∂F/∂c_j = −σ(pre_j), ∂F/∂b_i = −v_i (Bernoulli) or
 * v_i − b_i … negated: b_i − v_i (Gaussian). Training follows −(⟨∂F⟩_data − ⟨∂F⟩_model).
 */
export function freeEnergyGradient(
  m: Rbm,
  v: ArrayLike<number>,
): { W: Float64Array; b: Float64Array; c: Float64Array } {
  const pre = hiddenInput(m, v, new Float64Array(m.nh));
  const W = new Float64Array(m.nv * m.nh);
  const b = new Float64Array(m.nv);
  const c = new Float64Array(m.nh);
  for (let j = 0; j < m.nh; j++) c[j] = -sigmoid(pre[j]);
  for (let i = 0; i < m.nv; i++) {
    b[i] = m.visible === 'bernoulli' ? -v[i] : m.b[i] - v[i];
    for (let j = 0; j < m.nh; j++) W[i * m.nh + j] = v[i] * c[j];
  }
  return { W, b, c };
}

/**
 * The exact pseudo-log-likelihood of binary rows: Σ_i log p(v_i | v_−i) per row, every pixel
 * (scikit-learn's score_samples uses one random pixel × nv). With pre = c + vW, flipping v_i moves
 * pre by s·W_i: (s = ±1), and F(v̄) − F(v) = −s b_i − Σ_j log[(1 + e^{pre_j + sW_ij}) / (1 + e^{pre_j})]
 * where each ratio is 1 + p_j (e^{sW_ij} − 1), p_j = σ(pre_j): a product of ratios and one log per
 * pixel instead of a softplus per weight. log p(v_i | v_−i) = log σ(F(v̄) − F(v)).
 */
export function pseudoLogLikelihoods(m: Rbm, x: ArrayLike<number>, rows: number): Float64Array {
  if (m.visible !== 'bernoulli') throw new Error('the pseudo-log-likelihood needs binary visibles');
  const { nv, nh, W, b } = m;
  // e^{W} − 1 and e^{−W} − 1, once for all rows.
  const up = new Float64Array(nv * nh);
  const down = new Float64Array(nv * nh);
  for (let k = 0; k < W.length; k++) {
    up[k] = Math.expm1(W[k]);
    down[k] = Math.expm1(-W[k]);
  }
  const out = new Float64Array(rows);
  const pre = new Float64Array(nh);
  const v = new Float64Array(nv);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < nv; i++) v[i] = x[r * nv + i];
    hiddenInput(m, v, pre);
    for (let j = 0; j < nh; j++) pre[j] = sigmoid(pre[j]);
    let total = 0;
    for (let i = 0; i < nv; i++) {
      const on = v[i] === 1;
      const e = on ? down : up;
      const row = i * nh;
      // Σ_j log ratio_j, multiplying 32 ratios between logs (each is within e^{±|W_ij|}).
      // Four independent products: a single chain of multiplies waits on each one's latency.
      let logSum = 0;
      for (let j0 = 0; j0 < nh; j0 += 32) {
        let p0 = 1;
        let p1 = 1;
        let p2 = 1;
        let p3 = 1;
        const end = Math.min(nh, j0 + 32);
        let j = j0;
        for (; j + 4 <= end; j += 4) {
          p0 *= 1 + pre[j] * e[row + j];
          p1 *= 1 + pre[j + 1] * e[row + j + 1];
          p2 *= 1 + pre[j + 2] * e[row + j + 2];
          p3 *= 1 + pre[j + 3] * e[row + j + 3];
        }
        for (; j < end; j++) p0 *= 1 + pre[j] * e[row + j];
        logSum += Math.log(p0 * p1 * p2 * p3);
      }
      const delta = (on ? b[i] : -b[i]) - logSum;
      total -= softplus(-delta); // log σ(δ)
    }
    out[r] = total;
  }
  return out;
}

/**
 * log Z exactly, summing over the 2^nh hidden states in Gray-code order (one flip updates Wh by
 * one column) with the visibles summed analytically:
 * Bernoulli: Z = Σ_h e^{c·h} Π_i (1 + e^{b_i + (Wh)_i});
 * Gaussian: Z = Σ_h e^{c·h} (2π)^{nv/2} e^{½‖b + Wh‖² − ½‖b‖²}.
 */
export function exactLogZ(m: Rbm): number {
  const { nv, nh, W, b, c } = m;
  if (nh > 30) throw new Error('exact log Z enumerates 2^hidden states: at most 30 hidden units');
  const a = new Float64Array(nv); // (Wh)_i
  const h = new Uint8Array(nh);
  let ch = 0;
  const terms = new Float64Array(2 ** nh);
  let bb = 0;
  for (let i = 0; i < nv; i++) bb += b[i] * b[i];
  const logTerm = () => {
    let s = ch;
    if (m.visible === 'bernoulli') for (let i = 0; i < nv; i++) s += softplus(b[i] + a[i]);
    else {
      let q = 0;
      for (let i = 0; i < nv; i++) q += (b[i] + a[i]) ** 2;
      s += nv * HALF_LOG_2PI + 0.5 * (q - bb);
    }
    return s;
  };
  terms[0] = logTerm();
  for (let k = 1; k < terms.length; k++) {
    // Gray code: step k flips the bit of k's lowest set bit.
    const j = 31 - Math.clz32(k & -k);
    const sign = h[j] ? -1 : 1;
    h[j] ^= 1;
    ch += sign * c[j];
    for (let i = 0; i < nv; i++) a[i] += sign * W[i * nh + j];
    terms[k] = logTerm();
  }
  return logSumExp(terms);
}

export function logSumExp(x: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) max = Math.max(max, x[i]);
  if (!Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i] - max);
  return max + Math.log(s);
}

/**
 * AIS temperatures 0 = β_0 < … < β_K = 1: Salakhutdinov & Murray's schedule scaled to K (1,000 of
 * 14,500 evenly in [0, 0.5], 4,000 in [0.5, 0.9], 10,000 in [0.9, 1]): the density moves most
 * near β = 1.
 */
export function aisSchedule(K: number): Float64Array {
  const betas = new Float64Array(K + 1);
  const k1 = Math.max(1, Math.round((K * 1) / 14.5));
  const k2 = Math.max(k1 + 1, Math.round((K * 5) / 14.5));
  for (let k = 0; k <= K; k++) {
    if (k <= k1) betas[k] = (0.5 * k) / k1;
    else if (k <= k2 || k2 >= K) betas[k] = 0.5 + (0.4 * (k - k1)) / Math.max(1, k2 - k1);
    else betas[k] = 0.9 + (0.1 * (k - k2)) / (K - k2);
  }
  betas[K] = 1;
  return betas;
}

export interface AisResult {
  /** log Ẑ = log Z_A + log mean(w). */
  logZ: number;
  /** Standard error of log Ẑ: sd(w) / (mean(w) √M), the delta method. */
  logZStd: number;
  /** log Ẑ from mean(w) ± 3 sd(w)/√M (as Salakhutdinov & Murray report it); −∞ when ≤ 0. */
  logZLow: number;
  logZHigh: number;
  logWeights: Float64Array;
  logZBase: number;
}

/**
 * Annealed importance sampling for log Z. Base model A: the same visibles with biases `baseBias`
 * (Bernoulli: the data's log-odds; Gaussian: the model's own b) and no weights, so
 * Z_A = 2^nh Π_i (1 + e^{b_A,i}) (Bernoulli) or 2^nh (2π)^{nv/2} (Gaussian), sampled exactly.
 * Path: p_β(v, h) ∝ exp((1 − β) a(v) + β(vis(v) + c·h + vᵀWh)) with a(v) = b_A·v, vis(v) = b·v
 * (Gaussian: both −½‖v − b‖², which stays fixed), so
 * log p*_β(v) = (1 − β) a(v) + β vis(v) + Σ_j softplus(β (c + vW)_j), and a Gibbs sweep at β
 * (h ~ σ(β pre), then v) leaves p_β invariant. Each run's log weight is
 * Σ_k [log p*_{β_k}(v_{k−1}) − log p*_{β_{k−1}}(v_{k−1})].
 */
export async function annealedLogZ(
  m: Rbm,
  options: {
    runs: number;
    temperatures: number;
    rng: Rng;
    /** Bernoulli: the base model's visible biases (default: zeros). */
    baseBias?: Float64Array;
    /** Called after each temperature block (progress, cancel checks). */
    between?: (fraction: number) => Promise<void>;
  },
): Promise<AisResult> {
  const { nv, nh, W, b } = m;
  const { runs: M, rng } = options;
  const bernoulli = m.visible === 'bernoulli';
  const bA = options.baseBias ?? new Float64Array(nv);
  const betas = aisSchedule(options.temperatures);
  const K = options.temperatures;
  let logZBase = nh * Math.LN2;
  if (bernoulli) for (let i = 0; i < nv; i++) logZBase += softplus(bA[i]);
  else logZBase += nv * HALF_LOG_2PI;
  // bΔ·v: the Bernoulli visible term's change per unit of β (vis − a).
  const bDelta = new Float64Array(nv);
  if (bernoulli) for (let i = 0; i < nv; i++) bDelta[i] = b[i] - bA[i];
  const pA = Float64Array.from(bA, sigmoid);

  const V = new Float64Array(M * nv);
  for (let r = 0; r < M; r++)
    for (let i = 0; i < nv; i++)
      V[r * nv + i] = bernoulli ? (rng.uniform() < pA[i] ? 1 : 0) : b[i] + rng.normal();
  const logW = new Float64Array(M);
  const pre = new Float64Array(nh);
  const h = new Float64Array(nh);
  const active = new Int32Array(nh);
  const BLOCK = 50;
  for (let k = 1; k <= K; k++) {
    const bPrev = betas[k - 1];
    const bNow = betas[k];
    for (let r = 0; r < M; r++) {
      const v = V.subarray(r * nv, (r + 1) * nv);
      hiddenInput(m, v, pre);
      // Weight: log p*_{β_k}(v) − log p*_{β_{k−1}}(v).
      let dw = 0;
      if (bernoulli) {
        let s = 0;
        for (let i = 0; i < nv; i++) if (v[i] !== 0) s += bDelta[i];
        dw += (bNow - bPrev) * s;
      }
      for (let j = 0; j < nh; j++) dw += softplus(bNow * pre[j]) - softplus(bPrev * pre[j]);
      logW[r] += dw;
      if (k === K) continue;
      // A Gibbs sweep at β_k: h | v, then v | h.
      for (let j = 0; j < nh; j++) h[j] = rng.uniform() < sigmoid(bNow * pre[j]) ? 1 : 0;
      let n = 0;
      for (let j = 0; j < nh; j++) if (h[j] === 1) active[n++] = j;
      for (let i = 0; i < nv; i++) {
        const row = i * nh;
        let s = 0;
        for (let q = 0; q < n; q++) s += W[row + active[q]];
        if (bernoulli) {
          const x = (1 - bNow) * bA[i] + bNow * (b[i] + s);
          v[i] = rng.uniform() < sigmoid(x) ? 1 : 0;
        } else v[i] = b[i] + bNow * s + rng.normal();
      }
    }
    if (options.between && k % BLOCK === 0) await options.between(k / K);
  }
  return { ...aisEstimate(logW, logZBase), logWeights: logW, logZBase };
}

/** log Ẑ and its uncertainty from the runs' log importance weights. */
export function aisEstimate(
  logW: Float64Array,
  logZBase: number,
): Omit<AisResult, 'logWeights' | 'logZBase'> {
  const M = logW.length;
  let max = -Infinity;
  for (const x of logW) max = Math.max(max, x);
  const w = Float64Array.from(logW, (x) => Math.exp(x - max));
  const mean = w.reduce((s, x) => s + x, 0) / M;
  const variance = M > 1 ? w.reduce((s, x) => s + (x - mean) ** 2, 0) / (M - 1) : 0;
  const se = Math.sqrt(variance / M);
  const base = logZBase + max;
  return {
    logZ: base + Math.log(mean),
    logZStd: se / mean,
    logZLow: mean - 3 * se > 0 ? base + Math.log(mean - 3 * se) : -Infinity,
    logZHigh: base + Math.log(mean + 3 * se),
  };
}

/** Average log p(v) = −F(v) − log Z over rows. */
export function meanLogLikelihood(m: Rbm, x: ArrayLike<number>, rows: number, logZ: number) {
  const f = freeEnergies(m, x, rows);
  return -f.reduce((s, v) => s + v, 0) / rows - logZ;
}

/**
 * `steps` sweeps of block Gibbs sampling from `start` (nv values; a sample's image), recording the
 * visible means every `every` sweeps (frames × nv): the chain's pictures, less noisy than its
 * binary states.
 */
export function gibbsChain(
  m: Rbm,
  start: ArrayLike<number>,
  options: { steps: number; every: number; seed: number },
): { frames: Float32Array; count: number } {
  const { nv, nh } = m;
  const rng = createRng(options.seed);
  const v = Float64Array.from(start);
  const pre = new Float64Array(nh);
  const h = new Float64Array(nh);
  const vin = new Float64Array(nv);
  const active = new Int32Array(nh);
  const count = 1 + Math.floor(options.steps / options.every);
  const frames = new Float32Array(count * nv);
  frames.set(v, 0);
  for (let s = 1; s <= options.steps; s++) {
    hiddenInput(m, v, pre);
    for (let j = 0; j < nh; j++) h[j] = rng.uniform() < sigmoid(pre[j]) ? 1 : 0;
    visibleInput(m, h, vin, active);
    const frame = s % options.every === 0 ? (s / options.every) * nv : -1;
    for (let i = 0; i < nv; i++) {
      const mean = m.visible === 'bernoulli' ? sigmoid(vin[i]) : vin[i];
      v[i] = m.visible === 'bernoulli' ? (rng.uniform() < mean ? 1 : 0) : mean + rng.normal();
      if (frame >= 0) frames[frame + i] = mean;
    }
  }
  return { frames, count };
}

export const RBM_MODEL_FORMAT = 'latent-lab/rbm@1';
const size = z.number().int().positive();

/** The 'model' artifact's meta. Tensors: 'W' (nv × nh), 'b', 'c', 'centre', 'scale' (Gaussian). */
export const rbmModelMetaSchema = z.object({
  format: z.literal(RBM_MODEL_FORMAT),
  visible: z.enum(rbmVisibleTypes),
  nv: size,
  nh: size,
  image: z.object({ width: size, height: size, channels: size }).optional(),
  /** How pixels were made binary (Bernoulli): the threshold, or null for stochastic. */
  threshold: z.number().nullable().optional(),
  /** Data-set row indices of some test rows, spread evenly: starting points for Gibbs chains. */
  exampleRows: z.array(z.number().int().nonnegative()),
  tensors: z.array(packedTensorSchema),
});
export type RbmModelMeta = z.infer<typeof rbmModelMetaSchema>;

export interface SavedRbm {
  model: Rbm;
  /** Gaussian visibles: model units = (x − centre) / scale. */
  centre: Float64Array;
  scale: Float64Array;
}

export function loadRbm(meta: RbmModelMeta, data: Float32Array): SavedRbm {
  const get = (name: string) => unpackTensor(meta.tensors, data, name);
  const model = createRbm(meta.visible, meta.nv, meta.nh);
  model.W.set(get('W'));
  model.b.set(get('b'));
  model.c.set(get('c'));
  const gaussian = meta.visible === 'gaussian';
  return {
    model,
    centre: gaussian ? Float64Array.from(get('centre')) : new Float64Array(meta.nv),
    scale: gaussian ? Float64Array.from(get('scale')) : new Float64Array(meta.nv).fill(1),
  };
}

/**
 * `count` new samples from a saved RBM, in data units: each from its own chain started at noise,
 * after `steps` Gibbs sweeps. `means` gives the visible means of the last sweep (clean pictures,
 * as the page's chains draw them); otherwise a draw from p(v | h), noise included (table rows).
 */
export function sampleRbm(
  saved: SavedRbm,
  count: number,
  options: {
    steps: number;
    seed: number;
    means: boolean;
    /** Called after each sample with the number done. */
    onSample?: (done: number) => void;
  },
): Float64Array {
  const { model, centre, scale } = saved;
  const nv = model.nv;
  const gaussian = model.visible === 'gaussian';
  const rng = createRng(options.seed);
  const out = new Float64Array(count * nv);
  const start = new Float64Array(nv);
  for (let s = 0; s < count; s++) {
    for (let i = 0; i < nv; i++) start[i] = gaussian ? rng.normal() : +(rng.uniform() < 0.5);
    const { frames } = gibbsChain(model, start, {
      steps: options.steps,
      every: options.steps,
      seed: rng.nextSeed(),
    });
    for (let i = 0; i < nv; i++) {
      const mean = frames[nv + i];
      let v = mean;
      if (!options.means) v = gaussian ? mean + rng.normal() : +(rng.uniform() < mean);
      out[s * nv + i] = v * scale[i] + centre[i];
    }
    options.onSample?.(s + 1);
  }
  return out;
}
