/**
 * EM for a Gaussian mixture with the semantics of scikit-learn's GaussianMixture, for the four
 * covariance types (full, diag, spherical, tied), its initialisations, n_init restarts and
 * reg_covar. The N×d work (E-step densities, M-step moments) runs in tfjs float32 on data that stay
 * on the device for the whole fit; only the K small covariance blocks and a few scalars are read
 * back each iteration and factorised in JS float64 (Cholesky only, never inverses or determinants
 * of covariances).
 *
 * Every covariance type goes through the same E-step: each component's precision Cholesky factor
 * P_k (P_k P_kᵀ = Σ_k⁻¹) is a full d×d matrix — diagonal for diag/spherical, the same matrix for
 * every k when tied — so one matmul projects the data for all components. The M-step computes
 * per-component scatter about the new means (full, tied) or only its diagonal (diag, spherical).
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import {
  gmmParameterCount,
  gmmParams,
  type CovarianceType,
  type GmmParams,
  type GmmSummary,
} from '../../../shared/algorithms/gmm';
import type { Mixture } from '../../../shared/artifacts';
import { localText } from '../../../shared/i18n';
import {
  CancelledError,
  checkValues,
  DataError,
  type Algorithm,
  type EngineData,
} from '../algorithm';
import { cholesky, inverseTransposeLower } from '../../../shared/linalg';
import type { Rng } from '../../../shared/rng';

type Tf = typeof tfjs;

/**
 * Explicit starting parameters in the data's original units, as sklearn's weights_init,
 * means_init and precisions_init (precisions as full K d×d matrices whatever the covariance type;
 * see `precisionMatrices` for sklearn's per-type shapes). Overrides `params.init`.
 */
export interface GmmInit {
  weights: number[];
  means: number[][];
  /** Either covariances or precisions (inverse covariances, as sklearn's precisions_init). */
  covariances?: number[][][];
  precisions?: number[][][];
}

export interface FitGmmOptions {
  rng: Rng;
  init?: GmmInit;
  signal?: AbortSignal;
  /**
   * Steps count across restarts: restart r's starting mixture has its own step (0 for the first
   * restart) and its iterations follow it, so step numbers never repeat within a fit.
   */
  onInit?: (step: number, mixture: Mixture, restart: number) => void | Promise<void>;
  /** After each E-step, with the mean log-likelihood of the parameters it used. */
  onEStep?: (step: number, meanLogLikelihood: number, restart: number) => void | Promise<void>;
  /** After each M-step, with the E-step's log-likelihood and the new parameters. */
  onIteration?: (
    step: number,
    meanLogLikelihood: number,
    mixture: Mixture,
    restart: number,
  ) => void | Promise<void>;
  /** Called right after onEStep ('e-step') and onIteration ('m-step'); may pause or throw. */
  checkpoint?: (phase: 'e-step' | 'm-step', step: number) => Promise<void>;
}

/** sklearn adds 10·eps (float64) to every component's total responsibility so none divides by 0. */
const NK_FLOOR = 10 * Number.EPSILON;
/**
 * A Cholesky pivot (a conditional variance) below this fraction of its column's variance is
 * float32 round-off, not spread: a component that collapsed onto a point gets a covariance of
 * ~1e-14·variance from rounding of x − μ, which would factorise and then blow up the likelihood.
 */
const MIN_RELATIVE_VARIANCE = 1e-10;
const KMEANS_ITERATIONS = 10;
const LOG_2PI = Math.log(2 * Math.PI);

/** Mixture parameters in float64, in the internal (centred, maybe scaled) coordinates. */
interface Components {
  weights: number[];
  means: number[][];
  /** Regularised covariances as full d×d matrices (diagonal for diag/spherical). */
  covariances: number[][][];
  /** P_k with P_k P_kᵀ = Σ_k⁻¹, so (x−μ)ᵀΣ⁻¹(x−μ) = ‖(x−μ)P_k‖² (sklearn's precisions_cholesky). */
  precisionCholesky: number[][][];
  /** log det P_k = −½ log det Σ_k. */
  logDetPrecisionCholesky: number[];
}

/** The E-step's parameters as tensors; replaced (and the old ones disposed) after each M-step. */
interface EStepTensors {
  /** d × K·d: all P_k/√2 side by side, so one matmul projects X for every component. */
  precisionCholesky: tfjs.Tensor2D;
  /** K·d: μ_k P_k/√2, computed in float64 so the subtraction is the only float32 step. */
  meanProjection: tfjs.Tensor1D;
  /** K: log w_k + log det P_k − d/2 log 2π − shift. */
  logConstant: tfjs.Tensor1D;
  /** Added back to the E-step's mean log-likelihood. */
  shift: number;
}

/** The data transform: internal = (x − centre) / scale (scale = 1 unless standardising). */
interface Coordinates {
  centre: number[];
  scale: number[];
}

function collapseError(component: number): DataError {
  return new DataError(localText('fail.collapse', { component: component + 1 }));
}

function notFiniteError(): DataError {
  return new DataError(localText('fail.logLikelihoodNotFinite'));
}

function identity(d: number): number[][] {
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => +(i === j)));
}

/** U Uᵀ for a square U. */
function gram(u: readonly (readonly number[])[]): number[][] {
  return u.map((ri) => u.map((rj) => ri.reduce((s, v, p) => s + v * rj[p], 0)));
}

/** Factorises the covariances (regularised already) into the E-step's precision Cholesky factors. */
function fromCovariances(
  weights: number[],
  means: number[][],
  covariances: number[][][],
  minPivot: number[],
): Components {
  const precisionCholesky: number[][][] = [];
  const logDet: number[] = [];
  covariances.forEach((cov, k) => {
    const finite = weights[k] >= 0 && [...means[k], ...cov.flat()].every(Number.isFinite);
    if (!finite) throw collapseError(k);
    const l = cholesky(cov, minPivot);
    if (l === null) throw collapseError(k);
    precisionCholesky.push(inverseTransposeLower(l));
    logDet.push(-l.reduce((s, row, i) => s + Math.log(row[i]), 0));
  });
  return { weights, means, covariances, precisionCholesky, logDetPrecisionCholesky: logDet };
}

/**
 * `shift` (close to the mean log-likelihood to come) is subtracted from the log constants in
 * float64: a float32 log constant is off by up to half an ulp of its size for every row alike, a
 * bias in the mean log-likelihood of ~3e-8 that is as large as late EM changes; after the shift it
 * is several times smaller.
 */
function eStepTensors(tf: Tf, c: Components, shift: number): EStepTensors {
  const k = c.weights.length;
  const d = c.means[0].length;
  const pcat = new Float32Array(d * k * d);
  const meanProj = new Float32Array(k * d);
  const logConst = new Float32Array(k);
  for (let m = 0; m < k; m++) {
    const p = c.precisionCholesky[m];
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) {
        pcat[i * k * d + m * d + j] = p[i][j] * Math.SQRT1_2;
        s += c.means[m][i] * p[i][j] * Math.SQRT1_2;
      }
      meanProj[m * d + j] = s;
    }
    logConst[m] = Math.log(c.weights[m]) + c.logDetPrecisionCholesky[m] - 0.5 * d * LOG_2PI - shift;
  }
  return {
    precisionCholesky: tf.tensor2d(pcat, [d, k * d]),
    meanProjection: tf.tensor1d(meanProj),
    logConstant: tf.tensor1d(logConst),
    shift,
  };
}

function disposeEStep(t: EStepTensors): void {
  t.precisionCholesky.dispose();
  t.meanProjection.dispose();
  t.logConstant.dispose();
}

/**
 * The data as tensors, in blocks of rows. Rows are padded with zeros (the column means, after
 * centring) to whole chunks of CHUNK_ROWS, and every sum over rows is taken per chunk, then per
 * block, then over blocks: a float32 running sum over 200,000 rows drops small terms once it is
 * large (N_k was off by 5e-4 relative when most rows had responsibility ~1e-3); summing in levels
 * keeps it to ~1e-6.
 *
 * Blocks bound memory: every step's N×K×d intermediates exist for one block at a time, so the
 * peak tensor memory is the data, the responsibilities (N×K) and a few blocks' worth.
 */
interface DataBlock {
  x: tfjs.Tensor2D;
  /** 1 for real rows, 0 for padding (only the last block can have padding). */
  mask: tfjs.Tensor2D | null;
  chunks: number;
  chunkRows: number;
}

interface DataTensors {
  blocks: DataBlock[];
  rows: number;
}

const CHUNK_ROWS = 1024;
/** Floor of a block's intermediate (K × rows × d float32) size; above it, blocks ≈ data/8. */
const MIN_BLOCK_BYTES = 1 << 18;

function dataTensors(tf: Tf, values: Float64Array, n: number, d: number, k: number): DataTensors {
  const chunkRows = Math.min(CHUNK_ROWS, n);
  const chunks = Math.ceil(n / chunkRows);
  const blockBytes = Math.max(MIN_BLOCK_BYTES, (n * d * 4) / 8);
  const chunksPerBlock = Math.max(1, Math.floor(blockBytes / (k * d * chunkRows * 4)));
  const blocks: DataBlock[] = [];
  try {
    for (let first = 0; first < chunks; first += chunksPerBlock) {
      const blockChunks = Math.min(chunksPerBlock, chunks - first);
      const rowStart = first * chunkRows;
      const blockRows = blockChunks * chunkRows;
      const realRows = Math.min(blockRows, n - rowStart);
      const padded = new Float32Array(blockRows * d);
      padded.set(values.subarray(rowStart * d, (rowStart + realRows) * d));
      const x = tf.tensor2d(padded, [blockRows, d]);
      const mask =
        realRows < blockRows
          ? tf.tensor2d(
              Float32Array.from({ length: blockRows }, (_, i) => (i < realRows ? 1 : 0)),
              [blockRows, 1],
            )
          : null;
      blocks.push({ x, mask, chunks: blockChunks, chunkRows });
    }
  } catch (e) {
    for (const b of blocks) {
      b.x.dispose();
      b.mask?.dispose();
    }
    throw e;
  }
  return { blocks, rows: n };
}

function disposeData(t: DataTensors): void {
  for (const b of t.blocks) {
    b.x.dispose();
    b.mask?.dispose();
  }
}

/** One block's E-step: responsibilities and the sums pass 1 of the M-step needs. */
interface BlockEStep {
  resp: tfjs.Tensor2D;
  /** Σ (log p(x) − p.shift) over the block's rows. */
  logLik: tfjs.Scalar;
  /** Σ r_ik (K) and Σ r_ik x_i (K × d) over the block's rows. */
  nk: tfjs.Tensor1D;
  sums: tfjs.Tensor2D;
}

/**
 * E-step on one block: responsibilities and log p(x) − shift, all in log space. The shift (in
 * the log constants) is close to the answer, so float32 sums stay small and the mean is accurate
 * to ~1e-8 (changes of 1e-6 must be visible to `tol`).
 */
function eStepBlock(
  tf: Tf,
  block: DataBlock,
  p: EStepTensors,
  k: number,
  withMoments: boolean,
): BlockEStep {
  return tf.tidy(() => {
    const { x, mask, chunks, chunkRows } = block;
    const [n, d] = x.shape;
    // ½‖(x−μ_k)P_k‖² for every k from one matmul (P is pre-scaled by 1/√2).
    const proj = tf.squaredDifference(tf.matMul(x, p.precisionCholesky), p.meanProjection);
    const logProb = tf.sub(p.logConstant, tf.sum(tf.reshape(proj, [n, k, d]), 2));
    // The wasm softmax kernel is much faster than exp; log-sum-exp then follows from the largest
    // responsibility (≥ 1/K, so its log is safe): lse = max(logProb) − log(max(resp)).
    let resp = tf.softmax(logProb) as tfjs.Tensor2D;
    let logNorm = tf.sub(tf.max(logProb, 1, true), tf.log(tf.max(resp, 1, true)));
    if (mask) {
      resp = tf.mul(resp, mask);
      logNorm = tf.mul(logNorm, mask);
    }
    const logLik = tf.sum(tf.sum(tf.reshape(logNorm, [chunks, chunkRows]), 1)) as tfjs.Scalar;
    if (!withMoments)
      return {
        resp,
        logLik,
        nk: tf.zeros([k]) as tfjs.Tensor1D,
        sums: tf.zeros([k, d]) as tfjs.Tensor2D,
      };
    const respChunks = tf.reshape(resp, [chunks, chunkRows, k]);
    const nk = tf.sum(tf.sum(respChunks, 1), 0) as tfjs.Tensor1D;
    const sums = tf.sum(
      tf.matMul(respChunks, tf.reshape(x, [chunks, chunkRows, d]), true, false),
      0,
    ) as tfjs.Tensor2D;
    return { resp, logLik, nk, sums };
  });
}

/**
 * Pass 2 of the M-step on one block: Σ r_ik (x_i − μ_k)(x_i − μ_k)ᵀ (K × d × d), or only its
 * diagonal (K × d) for diag/spherical. Centred about the new means first, then squared: the
 * E[x²] − μ² form cancels catastrophically in float32 (scikit-learn issue #30382).
 *
 * Where the time goes (wasm, 200,000 × 8, K = 8): the batched [d, rows] × [rows, d] products are
 * half of an iteration. Laying all components side by side as one [K·d, rows] × [rows, K·d]
 * product was tried and is no faster: XNNPACK packs the right-hand operand on every call, and
 * here it is as large as the data block.
 */
function scatterBlock(
  tf: Tf,
  block: DataBlock,
  resp: tfjs.Tensor2D,
  means: tfjs.Tensor2D,
  fullMatrix: boolean,
): tfjs.Tensor {
  return tf.tidy(() => {
    const { x, chunks, chunkRows } = block;
    const d = x.shape[1];
    const k = resp.shape[1];
    const centred = tf.sub(tf.expandDims(x, 0), tf.expandDims(means, 1)); // K × rows × d
    const weighted = tf.mul(centred, tf.expandDims(tf.transpose(resp), 2));
    if (!fullMatrix) {
      const sq = tf.reshape(tf.mul(weighted, centred), [k, chunks, chunkRows, d]);
      return tf.sum(tf.sum(sq, 2), 1);
    }
    const byChunk: [number, number, number] = [k * chunks, chunkRows, d];
    const scatter = tf.matMul(
      tf.reshape(weighted, byChunk),
      tf.reshape(centred, byChunk),
      true,
      false,
    );
    return tf.sum(tf.reshape(scatter, [k, chunks, d, d]), 1);
  });
}

/** Sums a list of same-shaped tensors (one per block) and disposes them. */
function sumBlocks(tf: Tf, parts: tfjs.Tensor[]): tfjs.Tensor {
  const total = tf.tidy(() => (parts.length === 1 ? parts[0].clone() : tf.addN(parts)));
  for (const t of parts) t.dispose();
  return total;
}

/**
 * A full E-step over all blocks. Returns the responsibilities per block (the caller disposes
 * them), and the totals on the device.
 */
function eStep(
  tf: Tf,
  data: DataTensors,
  p: EStepTensors,
  k: number,
  withMoments: boolean,
): { resp: tfjs.Tensor2D[]; logLik: tfjs.Scalar; nk: tfjs.Tensor1D; sums: tfjs.Tensor2D } {
  const resp: tfjs.Tensor2D[] = [];
  const logLiks: tfjs.Tensor[] = [];
  const nks: tfjs.Tensor[] = [];
  const sums: tfjs.Tensor[] = [];
  try {
    for (const block of data.blocks) {
      const r = eStepBlock(tf, block, p, k, withMoments);
      resp.push(r.resp);
      logLiks.push(r.logLik);
      nks.push(r.nk);
      sums.push(r.sums);
    }
  } catch (e) {
    for (const t of [...resp, ...logLiks, ...nks, ...sums]) t.dispose();
    throw e;
  }
  const total = sumBlocks(tf, logLiks);
  const logLik = tf.tidy(() => tf.div(total, data.rows)) as tfjs.Scalar;
  total.dispose();
  return {
    resp,
    logLik,
    nk: sumBlocks(tf, nks) as tfjs.Tensor1D,
    sums: sumBlocks(tf, sums) as tfjs.Tensor2D,
  };
}

/**
 * M-step moments packed into one tensor for a single read-back: [N_k (K), means (K·d), scatter
 * (K·d·d, or K·d for diag/spherical)], the scatter not yet divided by N_k.
 */
function mStep(
  tf: Tf,
  data: DataTensors,
  resp: tfjs.Tensor2D[],
  nk: tfjs.Tensor1D,
  sums: tfjs.Tensor2D,
  fullMatrix: boolean,
): tfjs.Tensor1D {
  const k = nk.shape[0];
  const means = tf.tidy(() =>
    tf.div(sums, tf.reshape(tf.add(nk, NK_FLOOR), [k, 1])),
  ) as tfjs.Tensor2D;
  const parts: tfjs.Tensor[] = [];
  try {
    data.blocks.forEach((block, b) =>
      parts.push(scatterBlock(tf, block, resp[b], means, fullMatrix)),
    );
  } catch (e) {
    means.dispose();
    for (const t of parts) t.dispose();
    throw e;
  }
  const scatter = sumBlocks(tf, parts);
  const packed = tf.tidy(() =>
    tf.concat([nk, tf.reshape(means, [-1]), tf.reshape(scatter, [-1])]),
  ) as tfjs.Tensor1D;
  means.dispose();
  scatter.dispose();
  return packed;
}

/** Covariances from scatter sums S_k and counts N_k, by covariance type (sklearn's estimators). */
function covariancesFromScatter(
  type: CovarianceType,
  scatterAt: (c: number, a: number, b: number) => number,
  nk: number[],
  d: number,
  regCovar: number,
): number[][][] {
  const k = nk.length;
  const full = (c: number) =>
    Array.from({ length: d }, (_, a) =>
      Array.from({ length: d }, (_, b) => (a === b ? scatterAt(c, a, a) / nk[c] : 0)),
    );
  switch (type) {
    case 'full':
      return Array.from({ length: k }, (_, c) =>
        Array.from({ length: d }, (_, a) =>
          Array.from(
            { length: d },
            (_, b) => scatterAt(c, a, b) / nk[c] + (a === b ? regCovar : 0),
          ),
        ),
      );
    case 'tied': {
      // sklearn: Σ_k N_k Σ_k / Σ_k N_k + reg, i.e. all components' scatter pooled.
      const total = nk.reduce((s, v) => s + v, 0);
      const cov = Array.from({ length: d }, (_, a) =>
        Array.from({ length: d }, (_, b) => {
          let s = 0;
          for (let c = 0; c < k; c++) s += scatterAt(c, a, b);
          return s / total + (a === b ? regCovar : 0);
        }),
      );
      return Array.from({ length: k }, () => cov.map((row) => [...row]));
    }
    case 'diag':
      return Array.from({ length: k }, (_, c) =>
        full(c).map((row, a) => row.map((v, b) => (a === b ? v + regCovar : 0))),
      );
    case 'spherical':
      // sklearn: the mean over dimensions of the diag variances (reg included).
      return Array.from({ length: k }, (_, c) => {
        let s = 0;
        for (let a = 0; a < d; a++) s += scatterAt(c, a, a) / nk[c];
        const v = s / d + regCovar;
        return Array.from({ length: d }, (_, a) =>
          Array.from({ length: d }, (_, b) => (a === b ? v : 0)),
        );
      });
  }
}

/** Unpacks the M-step read-back into float64 parameters (sklearn: weights ∝ N_k, +reg_covar). */
function componentsFromMoments(
  packed: Float32Array | Int32Array | Uint8Array,
  k: number,
  d: number,
  type: CovarianceType,
  regCovar: number,
  minPivot: number[],
): Components {
  const nk = Array.from(packed.subarray(0, k), (v) => v + NK_FLOOR);
  const total = nk.reduce((a, b) => a + b, 0);
  const weights = nk.map((v) => v / total);
  const means = Array.from({ length: k }, (_, m) =>
    Array.from(packed.subarray(k + m * d, k + (m + 1) * d)),
  );
  const base = k + k * d;
  const fullMatrix = type === 'full' || type === 'tied';
  // Symmetrise the float32 result; everything after the read-back is float64.
  const scatterAt = fullMatrix
    ? (c: number, a: number, b: number) =>
        0.5 * (packed[base + c * d * d + a * d + b] + packed[base + c * d * d + b * d + a])
    : (c: number, a: number) => packed[base + c * d + a];
  const covariances = covariancesFromScatter(type, scatterAt, nk, d, regCovar);
  return fromCovariances(weights, means, covariances, minPivot);
}

function squaredDistance(
  values: Float64Array,
  row: number,
  centres: Float64Array,
  c: number,
  d: number,
): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = values[row * d + j] - centres[c * d + j];
    s += t * t;
  }
  return s;
}

/** k-means++ seeding (D² sampling), in float64; returns the chosen rows. */
function kmeansPlusPlusSeeds(
  values: Float64Array,
  n: number,
  d: number,
  k: number,
  rng: Rng,
): number[] {
  const seeds = [rng.int(n)];
  const nearest = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    const last = values.subarray(seeds[c - 1] * d, seeds[c - 1] * d + d);
    let total = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i], squaredDistance(values, i, last, 0, d));
      total += nearest[i];
    }
    // With fewer distinct points than K every distance is 0, so pick uniformly.
    let row = rng.int(n);
    if (total > 0) {
      let u = rng.uniform() * total;
      for (row = 0; row < n - 1 && (u -= nearest[row]) >= 0; row++);
    }
    seeds.push(row);
  }
  return seeds;
}

function rowsAsCentres(values: Float64Array, rows: number[], d: number): Float64Array {
  const centres = new Float64Array(rows.length * d);
  rows.forEach((row, c) => centres.set(values.subarray(row * d, (row + 1) * d), c * d));
  return centres;
}

/** Each row's nearest centre (ties to the lower index). */
function nearestLabels(
  values: Float64Array,
  n: number,
  d: number,
  centres: Float64Array,
): Int32Array {
  const k = centres.length / d;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const dc = squaredDistance(values, i, centres, c, d);
      if (dc < bestD) [best, bestD] = [c, dc];
    }
    labels[i] = best;
  }
  return labels;
}

/** Lloyd iterations from the given centres (updated in place); returns the labels. */
function lloyd(values: Float64Array, n: number, d: number, centres: Float64Array): Int32Array {
  const k = centres.length / d;
  let labels = nearestLabels(values, n, d, centres);
  for (let iter = 0; iter < KMEANS_ITERATIONS; iter++) {
    const sums = new Float64Array(k * d);
    const counts = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      counts[labels[i]]++;
      for (let j = 0; j < d; j++) sums[labels[i] * d + j] += values[i * d + j];
    }
    // An emptied cluster keeps its centre.
    for (let c = 0; c < k; c++)
      if (counts[c] > 0)
        for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j] / counts[c];
    const next = nearestLabels(values, n, d, centres);
    const changed = next.some((v, i) => v !== labels[i]);
    labels = next;
    if (!changed) break;
  }
  return labels;
}

/**
 * sklearn's _initialize: the M-step (in float64, centred two-pass) of given responsibilities —
 * hard labels or a soft n×K matrix. A component no row was assigned to (a hard init whose seed
 * is nearest to nothing, e.g. a duplicated row) would get a zero covariance; it gets the whole
 * data's covariance instead, the weight of one row and its seed as mean, so EM can still move it.
 */
function componentsFromResponsibilities(
  values: Float64Array,
  n: number,
  d: number,
  k: number,
  resp: { labels: Int32Array } | { soft: Float64Array },
  type: CovarianceType,
  regCovar: number,
  minPivot: number[],
  seeds: Float64Array | null,
): Components {
  const at =
    'labels' in resp
      ? (i: number, c: number) => +(resp.labels[i] === c)
      : (i: number, c: number) => resp.soft[i * k + c];
  const nk = new Array<number>(k).fill(NK_FLOOR);
  const means = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++)
    for (let c = 0; c < k; c++) {
      const r = at(i, c);
      if (r === 0) continue;
      nk[c] += r;
      for (let j = 0; j < d; j++) means[c][j] += r * values[i * d + j];
    }
  means.forEach((mu, c) => mu.forEach((_, j) => (mu[j] /= nk[c])));
  const scatter = Array.from({ length: k }, () =>
    Array.from({ length: d }, () => new Array<number>(d).fill(0)),
  );
  for (let i = 0; i < n; i++)
    for (let c = 0; c < k; c++) {
      const r = at(i, c);
      if (r === 0) continue;
      for (let a = 0; a < d; a++) {
        const da = r * (values[i * d + a] - means[c][a]);
        for (let b = 0; b <= a; b++) scatter[c][a][b] += da * (values[i * d + b] - means[c][b]);
      }
    }
  for (const s of scatter)
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) s[b][a] = s[a][b];

  const empty = nk.map((v) => v < 0.5);
  if (empty.some(Boolean)) {
    // The whole data's scatter (the data are centred: mean 0), scaled to one row's count.
    const whole = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < n; i++)
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) whole[a][b] += (values[i * d + a] * values[i * d + b]) / n;
    empty.forEach((isEmpty, c) => {
      if (!isEmpty) return;
      nk[c] = 1;
      means[c] = seeds
        ? Array.from(seeds.subarray(c * d, (c + 1) * d))
        : new Array<number>(d).fill(0);
      scatter[c] = whole.map((row) => [...row]);
    });
  }
  const covariances = covariancesFromScatter(type, (c, a, b) => scatter[c][a][b], nk, d, regCovar);
  const total = nk.reduce((s, v) => s + v, 0);
  return fromCovariances(
    nk.map((v) => v / total),
    means,
    covariances,
    minPivot,
  );
}

/** The initial parameters of one restart, in internal coordinates. */
function initialComponents(
  values: Float64Array,
  n: number,
  d: number,
  params: GmmParams,
  coords: Coordinates,
  minPivot: number[],
  rng: Rng,
): Components {
  const { k, covarianceType: type, regCovar } = params;
  const fromLabels = (labels: Int32Array, seeds: Float64Array | null) =>
    componentsFromResponsibilities(values, n, d, k, { labels }, type, regCovar, minPivot, seeds);
  switch (params.init) {
    case 'kmeans': {
      const centres = rowsAsCentres(values, kmeansPlusPlusSeeds(values, n, d, k, rng), d);
      return fromLabels(lloyd(values, n, d, centres), centres);
    }
    case 'k-means++': {
      // sklearn puts responsibility 1 only on the seed rows (every component starts as one point
      // with covariance reg_covar·I, which fails outright with reg_covar = 0); assigning every row
      // to its nearest seed gives the same first E-step's partition and a usable covariance.
      const centres = rowsAsCentres(values, kmeansPlusPlusSeeds(values, n, d, k, rng), d);
      return fromLabels(nearestLabels(values, n, d, centres), centres);
    }
    case 'random_from_data': {
      // K distinct rows (partial Fisher–Yates), then as 'k-means++': every row to its nearest.
      const order = Array.from({ length: n }, (_, i) => i);
      for (let c = 0; c < k; c++) {
        const j = c + rng.int(n - c);
        [order[c], order[j]] = [order[j], order[c]];
      }
      const centres = rowsAsCentres(values, order.slice(0, k), d);
      return fromLabels(nearestLabels(values, n, d, centres), centres);
    }
    case 'random': {
      const soft = new Float64Array(n * k);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += soft[i * k + c] = rng.uniform();
        for (let c = 0; c < k; c++) soft[i * k + c] /= s;
      }
      return componentsFromResponsibilities(
        values,
        n,
        d,
        k,
        { soft },
        type,
        regCovar,
        minPivot,
        null,
      );
    }
    case 'means': {
      // sklearn's means_init: weights and covariances from the initial responsibilities, means
      // replaced by the given ones. sklearn takes those responsibilities from k-means, whose
      // cluster c has nothing to do with given mean c; we assign each row to its nearest given
      // mean, so component c's covariance describes the rows around mean c.
      const given = params.initMeans;
      if (!given) throw new DataError(localText('refuse.initMeansMissing'));
      if (given.length !== k || given.some((m) => m.length !== d))
        throw new DataError(localText('refuse.initMeansShape', { k, cols: d }));
      const centres = Float64Array.from(
        given.flatMap((m) => m.map((v, j) => (v - coords.centre[j]) / coords.scale[j])),
      );
      const c = fromLabels(nearestLabels(values, n, d, centres), centres);
      const means = given.map((_, m) => Array.from(centres.subarray(m * d, (m + 1) * d)));
      return fromCovariances(c.weights, means, c.covariances, minPivot);
    }
  }
}

/**
 * sklearn's precisions_init shapes (full: K matrices, tied: one matrix, diag: K vectors,
 * spherical: K scalars) as the K full matrices `GmmInit.precisions` takes.
 */
export function precisionMatrices(
  type: CovarianceType,
  k: number,
  d: number,
  precisions: number[][][] | number[][] | number[],
): number[][][] {
  switch (type) {
    case 'full':
      return precisions as number[][][];
    case 'tied':
      return Array.from({ length: k }, () => precisions as number[][]);
    case 'diag':
      return (precisions as number[][]).map((v) =>
        v.map((p, a) => v.map((_, b) => (a === b ? p : 0))),
      );
    case 'spherical':
      return (precisions as number[]).map((p) => identity(d).map((row) => row.map((v) => v * p)));
  }
}

/** Starts from given parameters (original units), as sklearn's weights/means/precisions_init. */
function componentsFromInit(
  init: GmmInit,
  coords: Coordinates,
  k: number,
  d: number,
  minPivot: number[],
): Components {
  const shapeOk =
    init.weights.length === k &&
    init.means.length === k &&
    init.means.every((m) => m.length === d) &&
    [init.covariances ?? init.precisions].every(
      (ms) => ms?.length === k && ms.every((m) => m.length === d && m.every((r) => r.length === d)),
    );
  if (!shapeOk) throw new DataError(localText('refuse.initMixtureShape', { k, d }));
  const { centre, scale } = coords;
  const means = init.means.map((m) => m.map((v, j) => (v - centre[j]) / scale[j]));
  if (init.covariances)
    return fromCovariances(
      init.weights,
      means,
      init.covariances.map((cov) =>
        cov.map((row, a) => row.map((v, b) => v / (scale[a] * scale[b]))),
      ),
      minPivot,
    );
  // sklearn: precisions_cholesky = cholesky(precision) (lower); P Pᵀ = Λ is all the E-step needs.
  // In internal units Λ' = S Λ S (S = diag(scale)).
  const precisionCholesky: number[][][] = [];
  const covariances: number[][][] = [];
  const logDet: number[] = [];
  init.precisions!.forEach((prec, c) => {
    const l = cholesky(prec.map((row, a) => row.map((v, b) => v * scale[a] * scale[b])));
    if (l === null) throw new DataError(localText('refuse.initPrecision', { component: c + 1 }));
    precisionCholesky.push(l);
    // Σ = Λ⁻¹ = L⁻ᵀ L⁻¹, for the views' starting mixture.
    covariances.push(gram(inverseTransposeLower(l)));
    logDet.push(l.reduce((s, row, i) => s + Math.log(row[i]), 0));
  });
  return {
    weights: init.weights,
    means,
    covariances,
    precisionCholesky,
    logDetPrecisionCholesky: logDet,
  };
}

function checkData(data: EngineData, params: GmmParams): void {
  const { values, rows, cols, columns } = data;
  const { k } = params;
  if (rows < 1 || cols < 1) throw new DataError(localText('fail.emptyData'));
  if (k > rows) throw new DataError(localText('refuse.kTooLarge', { k, rows }));
  checkValues(data, null);
  const name = (j: number) => columns[j] ?? `column ${j + 1}`;
  for (let j = 0; j < cols; j++) {
    let same = true;
    for (let i = 1; i < rows && same; i++) same = values[i * cols + j] === values[j];
    if (!same || rows < 2) continue;
    // A constant column has variance 0. Standardising divides by it: impossible. With
    // reg_covar = 0 every component's covariance is singular in it. With reg_covar > 0, full,
    // diag and tied fits are well defined: each component is N(value, reg_covar) in that column,
    // independent of the others, so the other columns' parameters are exactly as without it (the
    // log-likelihood gains a constant −½ log(2π reg_covar) per row). A spherical component has one
    // variance for all columns, which the zero-spread column would drag down: refused.
    const why = params.standardize
      ? 'fail.constantStandardize'
      : params.regCovar === 0
        ? 'fail.constantNoRegCovar'
        : params.covarianceType === 'spherical'
          ? 'fail.constantSpherical'
          : null;
    if (why) throw new DataError(localText(why, { column: name(j), value: values[j] }));
  }
}

function toMixture(c: Components, coords: Coordinates): Mixture {
  const { centre, scale } = coords;
  return {
    weights: [...c.weights],
    means: c.means.map((m) => m.map((v, j) => v * scale[j] + centre[j])),
    covariances: c.covariances.map((cov) =>
      cov.map((row, a) => row.map((v, b) => v * scale[a] * scale[b])),
    ),
  };
}

/** One EM run from one start; the data tensors are shared by all restarts. */
async function runEm(
  tf: Tf,
  tensors: DataTensors,
  start: Components,
  params: GmmParams,
  minPivot: number[],
  options: FitGmmOptions,
  restart: number,
  firstStep: number,
  toOriginal: (c: Components) => Mixture,
): Promise<{
  components: Components;
  meanLogLikelihood: number;
  iterations: number;
  converged: boolean;
}> {
  const { k, maxIter, tol, regCovar, covarianceType: type } = params;
  const d = start.means[0].length;
  const fullMatrix = type === 'full' || type === 'tied';
  let components = start;
  let eTensors = eStepTensors(tf, components, 0);
  let live: tfjs.Tensor[] = [];
  const release = () => {
    for (const t of live) t.dispose();
    live = [];
  };
  try {
    await options.onInit?.(firstStep, toOriginal(components), restart);
    let lowerBound = -Infinity;
    let converged = false;
    let iterations = 0;
    for (let iter = 1; iter <= maxIter; iter++) {
      if (options.signal?.aborted) throw new CancelledError();
      const step = firstStep + iter;
      const e = eStep(tf, tensors, eTensors, k, true);
      live = [...e.resp, e.logLik, e.nk, e.sums];
      const meanLogLik = eTensors.shift + (await e.logLik.data())[0];
      if (!Number.isFinite(meanLogLik)) throw notFiniteError();
      await options.onEStep?.(step, meanLogLik, restart);
      await options.checkpoint?.('e-step', step);

      const packed = mStep(tf, tensors, e.resp, e.nk, e.sums, fullMatrix);
      release();
      live = [packed];
      const moments = await packed.data();
      release();
      components = componentsFromMoments(moments, k, d, type, regCovar, minPivot);
      // sklearn: the bound is the E-step's log-likelihood (of the parameters before this M-step);
      // converged when it changed by less than tol. The M-step just done is kept.
      const previous = lowerBound;
      lowerBound = meanLogLik;
      disposeEStep(eTensors);
      eTensors = eStepTensors(tf, components, lowerBound);
      iterations = iter;
      await options.onIteration?.(step, meanLogLik, toOriginal(components), restart);
      await options.checkpoint?.('m-step', step);
      if (Math.abs(lowerBound - previous) < tol) {
        converged = true;
        break;
      }
    }

    // Like sklearn's score(X): the log-likelihood of the final parameters.
    const e = eStep(tf, tensors, eTensors, k, false);
    live = [...e.resp, e.logLik, e.nk, e.sums];
    const meanLogLikelihood = eTensors.shift + (await e.logLik.data())[0];
    release();
    if (!Number.isFinite(meanLogLikelihood)) throw notFiniteError();
    return { components, meanLogLikelihood, iterations, converged };
  } finally {
    release();
    disposeEStep(eTensors);
  }
}

export async function fitGmm(
  tf: Tf,
  data: EngineData,
  params: GmmParams,
  options: FitGmmOptions,
): Promise<GmmSummary> {
  const { k, covarianceType: type, standardize } = params;
  checkData(data, params);
  const { rows: n, cols: d } = data;

  // Work on column-centred data: float32 keeps ~7 digits of x, and x − μ for data like
  // faithful's waiting (~70) would otherwise lose two of them. Translation changes nothing else;
  // scaling (standardize) changes the log-likelihood by −Σ log scale_j per row, added back below.
  const centre = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centre[j] += data.values[i * d + j] / n;
  const colVar = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) colVar[j] += (data.values[i * d + j] - centre[j]) ** 2 / n;
  const scale = standardize ? colVar.map(Math.sqrt) : new Array<number>(d).fill(1);
  const coords: Coordinates = { centre, scale };
  const values = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) values[i * d + j] = (data.values[i * d + j] - centre[j]) / scale[j];
  const minPivot = colVar.map((v, j) => (MIN_RELATIVE_VARIANCE * v) / scale[j] ** 2);
  const logScale = scale.reduce((s, v) => s + Math.log(v), 0);
  const toOriginal = (c: Components) => toMixture(c, coords);

  const nInit = options.init ? 1 : Math.max(1, params.nInit);
  const tensors = dataTensors(tf, values, n, d, k);
  try {
    let best: Awaited<ReturnType<typeof runEm>> | null = null;
    let bestInit = 0;
    const initLogLikelihoods: number[] = [];
    let step = 0;
    for (let restart = 0; restart < nInit; restart++) {
      const start = options.init
        ? componentsFromInit(options.init, coords, k, d, minPivot)
        : initialComponents(values, n, d, params, coords, minPivot, options.rng);
      const fit = await runEm(
        tf,
        tensors,
        start,
        params,
        minPivot,
        options,
        restart,
        step,
        toOriginal,
      );
      step += fit.iterations + 1;
      initLogLikelihoods.push(fit.meanLogLikelihood - logScale);
      // sklearn keeps the restart with the largest final lower bound (the log-likelihood before
      // its last M-step); we compare the log-likelihood after it, which is what is reported.
      if (best === null || fit.meanLogLikelihood > best.meanLogLikelihood) {
        best = fit;
        bestInit = restart;
      }
    }
    const { components, iterations, converged } = best!;
    const meanLogLikelihood = best!.meanLogLikelihood - logScale;
    const nParams = gmmParameterCount(k, d, type);
    const mixture = toOriginal(components);
    const summary: GmmSummary = {
      covarianceType: type,
      weights: mixture.weights,
      means: mixture.means,
      covariances: mixture.covariances,
      meanLogLikelihood,
      bic: -2 * n * meanLogLikelihood + nParams * Math.log(n),
      aic: -2 * n * meanLogLikelihood + 2 * nParams,
      iterations,
      converged,
      bestInit,
      initLogLikelihoods,
    };
    const numbers = [
      ...summary.weights,
      ...summary.means.flat(),
      ...summary.covariances.flat(2),
      summary.bic,
    ];
    if (!numbers.every(Number.isFinite)) throw notFiniteError();
    return summary;
  } finally {
    disposeData(tensors);
  }
}

/**
 * Live output: every restart's iterations are emitted, on one running step counter (a restart's
 * starting mixture takes its own step, so the log-likelihood curve shows each restart in turn).
 * With nInit > 1 the kept restart's mixture is emitted once more at the end, so the latest
 * mixture is the result, and a note says which restart was kept.
 */
export const gmm: Algorithm<GmmParams, GmmSummary> = {
  id: 'gmm',
  params: gmmParams,
  async run(ctx) {
    const { maxIter, nInit } = ctx.params;
    let lastStep = 0;
    const restartSteps: number[] = [];
    const summary = await fitGmm(ctx.tf, ctx.data, ctx.params, {
      rng: ctx.rng,
      signal: ctx.signal,
      checkpoint: (phase, step) => ctx.checkpoint(phase, step),
      onInit: (step, mixture) => {
        restartSteps.push(step);
        lastStep = step;
        ctx.emit.artifact('mixture', step, mixture);
      },
      onEStep: (step, meanLogLikelihood) => ctx.emit.metrics(step, { meanLogLikelihood }),
      onIteration: (step, _ll, mixture, restart) => {
        lastStep = step;
        ctx.emit.artifact('mixture', step, mixture);
        const iter = step - restartSteps[restart];
        // A fraction of the maximum of iterations: EM stops at convergence, so no time is told.
        const fraction = Math.min(1, (restart * maxIter + iter) / (nInit * maxIter));
        ctx.emit.progress(fraction, { name: '', fraction, untimed: true });
      },
    });
    if (nInit > 1) {
      const { weights, means, covariances } = summary;
      ctx.emit.artifact('mixture', lastStep + 1, { weights, means, covariances });
      ctx.emit.note(
        localText('note.keptRestart', {
          best: summary.bestInit + 1,
          n: nInit,
          starts: restartSteps.join(', '),
          logLikelihoods: summary.initLogLikelihoods.map((v) => v.toFixed(6)).join(', '),
        }),
      );
    }
    ctx.emit.progress(1);
    return summary;
  },
};
