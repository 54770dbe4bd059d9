/**
 * EM for a Gaussian mixture with full covariances, with the semantics of scikit-learn's
 * GaussianMixture(covariance_type='full'). The N×d work (E-step densities, M-step moments) runs in
 * tfjs float32; the K tiny d×d matrices are read back and factorised in JS float64 (Cholesky only,
 * never inverses or determinants of covariances).
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import { gmmParams, type GmmParams, type GmmSummary } from '../../../shared/algorithms/gmm';
import type { Mixture } from '../../../shared/artifacts';
import {
  CancelledError,
  DataError,
  yieldToEventLoop,
  type Algorithm,
  type EngineData,
} from '../algorithm';
import { cholesky, inverseTransposeLower } from '../../../shared/linalg';
import type { Rng } from '../rng';

type Tf = typeof tfjs;

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
  onIteration?: (iter: number, meanLogLikelihood: number, mixture: Mixture) => void | Promise<void>;
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

/** Mixture parameters in float64, with means in the internally centred coordinates. */
interface Components {
  weights: number[];
  means: number[][];
  /** Regularised covariances (absent when started from precisions). */
  covariances: number[][][] | null;
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
  /** K: log w_k + log det P_k − d/2 log 2π. */
  logConstant: tfjs.Tensor1D;
}

function collapseError(component: number): DataError {
  return new DataError(
    `component ${component + 1} collapsed onto a single point or a lower-dimensional set: its covariance is ` +
      'singular; raise reg_covar, reduce K or standardise the columns',
  );
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

function eStepTensors(tf: Tf, c: Components): EStepTensors {
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
    logConst[m] = Math.log(c.weights[m]) + c.logDetPrecisionCholesky[m] - 0.5 * d * LOG_2PI;
  }
  return {
    precisionCholesky: tf.tensor2d(pcat, [d, k * d]),
    meanProjection: tf.tensor1d(meanProj),
    logConstant: tf.tensor1d(logConst),
  };
}

function disposeEStep(t: EStepTensors): void {
  t.precisionCholesky.dispose();
  t.meanProjection.dispose();
  t.logConstant.dispose();
}

/**
 * The data as tensors. Rows are padded with zeros (the column means, after centring) to whole
 * chunks of CHUNK_ROWS, and every sum over rows is taken per chunk and then over chunks: a float32
 * running sum over 200,000 rows drops small terms once it is large (N_k was off by 5e-4 relative
 * when most rows had responsibility ~1e-3), two levels of sums keep it to ~1e-6.
 */
interface DataTensors {
  x: tfjs.Tensor2D;
  /** 1 for real rows, 0 for padding (null when there is none). */
  mask: tfjs.Tensor2D | null;
  rows: number;
  chunks: number;
  chunkRows: number;
}

const CHUNK_ROWS = 1024;

function dataTensors(tf: Tf, centred: Float64Array, n: number, d: number): DataTensors {
  const chunkRows = Math.min(CHUNK_ROWS, n);
  const chunks = Math.ceil(n / chunkRows);
  const padded = new Float32Array(chunks * chunkRows * d);
  padded.set(centred);
  const x = tf.tensor2d(padded, [chunks * chunkRows, d]);
  const pad = chunks * chunkRows - n;
  const mask =
    pad > 0
      ? tf.tensor2d(
          Float32Array.from({ length: n + pad }, (_, i) => (i < n ? 1 : 0)),
          [n + pad, 1],
        )
      : null;
  return { x, mask, rows: n, chunks, chunkRows };
}

/**
 * E-step: responsibilities (rows×K) and the mean log-likelihood minus `shift`, all in log space.
 * Subtracting a shift close to the answer before summing keeps float32 sums small, so the mean is
 * accurate to ~1e-7 (changes of 1e-6 must be visible to `tol`).
 */
function eStep(
  tf: Tf,
  data: DataTensors,
  p: EStepTensors,
  k: number,
  shift: number,
): { resp: tfjs.Tensor2D; shiftedMeanLogLik: tfjs.Scalar } {
  return tf.tidy(() => {
    const { x, mask, rows, chunks, chunkRows } = data;
    const [n, d] = x.shape;
    // ½‖(x−μ_k)P_k‖² for every k from one matmul (P is pre-scaled by 1/√2).
    const proj = tf.squaredDifference(tf.matMul(x, p.precisionCholesky), p.meanProjection);
    const logProb = tf.sub(p.logConstant, tf.sum(tf.reshape(proj, [n, k, d]), 2));
    // The wasm softmax kernel is much faster than exp; log-sum-exp then follows from the largest
    // responsibility (≥ 1/K, so its log is safe): lse = max(logProb) − log(max(resp)).
    let resp = tf.softmax(logProb) as tfjs.Tensor2D;
    let logNorm = tf.sub(tf.sub(tf.max(logProb, 1, true), tf.log(tf.max(resp, 1, true))), shift);
    if (mask) {
      resp = tf.mul(resp, mask);
      logNorm = tf.mul(logNorm, mask);
    }
    const chunkSums = tf.sum(tf.reshape(logNorm, [chunks, chunkRows]), 1);
    const shiftedMeanLogLik = tf.div(tf.sum(chunkSums), rows) as tfjs.Scalar;
    return { resp, shiftedMeanLogLik };
  });
}

/**
 * M-step moments packed into one tensor for a single read-back: [N_k (K), means (K·d),
 * covariances without reg (K·d·d), extra]. Covariances are taken about the new means (centre
 * first, then square): E[x²] − μ² would cancel catastrophically in float32. The products are
 * batched per (component, chunk) so each chunk is summed on its own first.
 */
function mStep(tf: Tf, data: DataTensors, resp: tfjs.Tensor2D, extra: tfjs.Tensor): tfjs.Tensor1D {
  return tf.tidy(() => {
    const { x, chunks, chunkRows } = data;
    const d = x.shape[1];
    const k = resp.shape[1];
    const respT = tf.transpose(resp); // K × rows
    const respChunks = tf.reshape(respT, [k, chunks, chunkRows]);
    const nk = tf.sum(tf.sum(respChunks, 2), 1);
    const weightedSums = tf.sum(
      tf.matMul(tf.transpose(respChunks, [1, 0, 2]), tf.reshape(x, [chunks, chunkRows, d])),
      0,
    );
    const means = tf.div(weightedSums, tf.reshape(tf.add(nk, NK_FLOOR), [k, 1]));
    const centred = tf.sub(tf.expandDims(x, 0), tf.expandDims(means, 1)); // K × rows × d
    const weighted = tf.mul(centred, tf.expandDims(respT, 2));
    const byChunk: [number, number, number] = [k * chunks, chunkRows, d];
    const scatter = tf.matMul(
      tf.reshape(weighted, byChunk),
      tf.reshape(centred, byChunk),
      true,
      false,
    );
    const cov = tf.div(
      tf.sum(tf.reshape(scatter, [k, chunks, d, d]), 1),
      tf.reshape(tf.add(nk, NK_FLOOR), [k, 1, 1]),
    );
    return tf.concat([
      nk,
      tf.reshape(means, [-1]),
      tf.reshape(cov, [-1]),
      tf.reshape(extra, [-1]),
    ]) as tfjs.Tensor1D;
  });
}

/** Unpacks the M-step read-back into float64 parameters (sklearn: weights ∝ N_k, +reg_covar). */
function componentsFromMoments(
  packed: Float32Array | Int32Array | Uint8Array,
  k: number,
  d: number,
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
  const covariances = Array.from({ length: k }, (_, m) =>
    Array.from({ length: d }, (_, i) =>
      Array.from({ length: d }, (_, j) => {
        // Symmetrise the float32 result; add reg_covar in float64.
        const v =
          0.5 * (packed[base + m * d * d + i * d + j] + packed[base + m * d * d + j * d + i]);
        return i === j ? v + regCovar : v;
      }),
    ),
  );
  return fromCovariances(weights, means, covariances, minPivot);
}

/** k-means++ seeding then Lloyd iterations, in float64 on the centred data; returns labels. */
function kmeansLabels(values: Float64Array, n: number, d: number, k: number, rng: Rng): Int32Array {
  const centres = new Float64Array(k * d);
  const dist2 = (row: number, c: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = values[row * d + j] - centres[c * d + j];
      s += t * t;
    }
    return s;
  };
  const setCentre = (c: number, row: number) =>
    centres.set(values.subarray(row * d, (row + 1) * d), c * d);
  setCentre(0, rng.int(n));
  const nearest = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i], dist2(i, c - 1));
      total += nearest[i];
    }
    // D² sampling; with fewer distinct points than K every distance is 0, so pick uniformly.
    let row = rng.int(n);
    if (total > 0) {
      let u = rng.uniform() * total;
      for (row = 0; row < n - 1 && (u -= nearest[row]) >= 0; row++);
    }
    setCentre(c, row);
  }
  const labels = new Int32Array(n).fill(-1);
  for (let iter = 0; iter < KMEANS_ITERATIONS; iter++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const dc = dist2(i, c);
        if (dc < bestD) [best, bestD] = [c, dc];
      }
      if (labels[i] !== best) [labels[i], changed] = [best, true];
    }
    if (!changed) break;
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
  }
  return labels;
}

/** sklearn's init_params='kmeans': the M-step of the hard k-means assignment, in float64. */
function componentsFromLabels(
  values: Float64Array,
  labels: Int32Array,
  n: number,
  d: number,
  k: number,
  regCovar: number,
  minPivot: number[],
): Components {
  const nk = new Array<number>(k).fill(NK_FLOOR);
  const means = Array.from({ length: k }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < n; i++) {
    nk[labels[i]]++;
    for (let j = 0; j < d; j++) means[labels[i]][j] += values[i * d + j];
  }
  means.forEach((mu, c) => mu.forEach((_, j) => (mu[j] /= nk[c])));
  const cov = Array.from({ length: k }, () =>
    Array.from({ length: d }, () => new Array<number>(d).fill(0)),
  );
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    for (let a = 0; a < d; a++) {
      const da = values[i * d + a] - means[c][a];
      for (let b = 0; b <= a; b++) cov[c][a][b] += da * (values[i * d + b] - means[c][b]);
    }
  }
  cov.forEach((m, c) =>
    m.forEach((row, a) =>
      row.forEach((_, b) => {
        if (b <= a) m[a][b] = m[b][a] = m[a][b] / nk[c] + (a === b ? regCovar : 0);
      }),
    ),
  );
  const total = nk.reduce((s, v) => s + v, 0);
  return fromCovariances(
    nk.map((v) => v / total),
    means,
    cov,
    minPivot,
  );
}

/** Starts from given parameters (original coordinates), as sklearn's weights/means/precisions_init. */
function componentsFromInit(
  init: GmmInit,
  centre: number[],
  k: number,
  d: number,
  minPivot: number[],
): Components {
  const shapeOk =
    init.weights.length === k &&
    init.means.length === k &&
    init.means.every((m) => m.length === d) &&
    [init.covariances ?? init.precisions].every(
      (ms) => ms?.length === k && ms.every((m) => m.length === d),
    );
  if (!shapeOk)
    throw new DataError(`the initial mixture must have ${k} components in ${d} dimensions`);
  const means = init.means.map((m) => m.map((v, j) => v - centre[j]));
  if (init.covariances) return fromCovariances(init.weights, means, init.covariances, minPivot);
  // sklearn: precisions_cholesky = cholesky(precision) (lower); P Pᵀ = Λ is all the E-step needs.
  const precisionCholesky: number[][][] = [];
  const logDet: number[] = [];
  init.precisions!.forEach((prec, c) => {
    const l = cholesky(prec);
    if (l === null) throw new DataError(`initial precision ${c + 1} is not positive definite`);
    precisionCholesky.push(l);
    logDet.push(l.reduce((s, row, i) => s + Math.log(row[i]), 0));
  });
  return {
    weights: init.weights,
    means,
    covariances: null,
    precisionCholesky,
    logDetPrecisionCholesky: logDet,
  };
}

function checkData(data: EngineData, k: number): void {
  const { values, rows, cols, columns } = data;
  if (rows < 1 || cols < 1)
    throw new DataError('the data are empty; choose at least one numeric column and one row');
  if (k > rows)
    throw new DataError(`K = ${k} is larger than the number of rows (${rows}); reduce K`);
  for (let i = 0; i < rows * cols; i++) {
    if (!Number.isFinite(values[i])) {
      const row = Math.floor(i / cols);
      throw new DataError(
        `row ${row + 1}, column "${columns[i % cols] ?? i % cols}" is ${values[i]}; drop or fix rows with missing values`,
      );
    }
  }
}

function toMixture(c: Components, centre: number[]): Mixture {
  return {
    weights: [...c.weights],
    means: c.means.map((m) => m.map((v, j) => v + centre[j])),
    covariances: c.covariances ?? [],
  };
}

export async function fitGmm(
  tf: Tf,
  data: EngineData,
  params: GmmParams,
  options: FitGmmOptions,
): Promise<GmmSummary> {
  const { k, maxIter, tol, regCovar } = params;
  checkData(data, k);
  const { rows: n, cols: d } = data;

  // Work on column-centred data: float32 keeps ~7 digits of x, and x − μ for data like
  // faithful's waiting (~70) would otherwise lose two of them. Translation changes nothing else.
  const centre = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centre[j] += data.values[i * d + j] / n;
  const centred = new Float64Array(n * d);
  const colVar = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const v = data.values[i * d + j] - centre[j];
      centred[i * d + j] = v;
      colVar[j] += (v * v) / n;
    }
  const minPivot = colVar.map((v) => MIN_RELATIVE_VARIANCE * v);

  let components = options.init
    ? componentsFromInit(options.init, centre, k, d, minPivot)
    : componentsFromLabels(
        centred,
        kmeansLabels(centred, n, d, k, options.rng),
        n,
        d,
        k,
        regCovar,
        minPivot,
      );

  const tensors = dataTensors(tf, centred, n, d);
  let eTensors = eStepTensors(tf, components);
  try {
    let lowerBound = -Infinity;
    let converged = false;
    let iterations = 0;
    for (let iter = 1; iter <= maxIter; iter++) {
      if (options.signal?.aborted) throw new CancelledError();
      const shift = Number.isFinite(lowerBound) ? lowerBound : 0;
      const { resp, shiftedMeanLogLik } = eStep(tf, tensors, eTensors, k, shift);
      let packed: tfjs.Tensor1D;
      try {
        packed = mStep(tf, tensors, resp, shiftedMeanLogLik);
      } finally {
        resp.dispose();
        shiftedMeanLogLik.dispose();
      }
      const moments = await packed.data();
      packed.dispose();
      const meanLogLik = shift + moments[moments.length - 1];
      if (!Number.isFinite(meanLogLik))
        throw new DataError(
          'the log-likelihood is not finite; raise reg_covar, reduce K or standardise the columns',
        );
      components = componentsFromMoments(moments, k, d, regCovar, minPivot);
      disposeEStep(eTensors);
      eTensors = eStepTensors(tf, components);

      // sklearn: the bound is the E-step's log-likelihood (of the parameters before this M-step);
      // converged when it changed by less than tol. The M-step just done is kept.
      const previous = lowerBound;
      lowerBound = meanLogLik;
      iterations = iter;
      await options.onIteration?.(iter, meanLogLik, toMixture(components, centre));
      if (Math.abs(lowerBound - previous) < tol) {
        converged = true;
        break;
      }
    }

    // Like sklearn's score(X): the log-likelihood of the final parameters.
    const shift = Number.isFinite(lowerBound) ? lowerBound : 0;
    const { resp, shiftedMeanLogLik } = eStep(tf, tensors, eTensors, k, shift);
    resp.dispose();
    const meanLogLikelihood = shift + (await shiftedMeanLogLik.data())[0];
    shiftedMeanLogLik.dispose();
    if (!Number.isFinite(meanLogLikelihood))
      throw new DataError(
        'the log-likelihood is not finite; raise reg_covar, reduce K or standardise the columns',
      );

    const nParams = (k * d * (d + 1)) / 2 + k * d + k - 1;
    const mixture = toMixture(components, centre);
    return {
      weights: mixture.weights,
      means: mixture.means,
      covariances: mixture.covariances,
      meanLogLikelihood,
      bic: -2 * n * meanLogLikelihood + nParams * Math.log(n),
      aic: -2 * n * meanLogLikelihood + 2 * nParams,
      iterations,
      converged,
    };
  } finally {
    tensors.x.dispose();
    tensors.mask?.dispose();
    disposeEStep(eTensors);
  }
}

export const gmm: Algorithm<GmmParams, GmmSummary> = {
  id: 'gmm',
  params: gmmParams,
  async run(ctx) {
    const summary = await fitGmm(ctx.tf, ctx.data, ctx.params, {
      rng: ctx.rng,
      signal: ctx.signal,
      onIteration: async (iter, meanLogLikelihood, mixture) => {
        ctx.emit.metrics(iter, { meanLogLikelihood });
        ctx.emit.artifact('mixture', iter, mixture);
        ctx.emit.progress(iter / ctx.params.maxIter);
        // Lets a cancel message be handled; fitGmm checks the signal before the next iteration.
        await yieldToEventLoop();
      },
    });
    ctx.emit.progress(1);
    return summary;
  },
};
