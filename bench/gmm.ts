/**
 * EM speed and memory on the reference problem: 200,000 × 8, K = 8 well-separated Gaussians with
 * random full covariances, for each covariance type. Prints one line of JSON, with
 * scikit-learn's time per iteration (full covariance) beside it: measured in the same run with
 * BENCH_REFERENCE=1, else perf.json's figure from another machine (marked so).
 *
 * Per type: the median time per EM iteration over 15 iterations after the first (the first
 * includes the initialisation and the upload), split into E-step (densities, responsibilities,
 * N_k and Σ r x) and M-step (scatter about the new means, read-back, Cholesky); the peak tensor
 * memory of two EM iterations (tf.profile's peakBytes: every live tensor, the data included) and
 * its ratio to the data's float32 size; and the process's peak RSS. With BENCH_REFERENCE=1,
 * scikit-learn fits the same data first (reference.ts) and the full type's ratio is same-run.
 * Run: npx tsx bench/gmm.ts  [LATENT_LAB_BACKEND=wasm|cpu|tensorflow]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fitGmm } from '../src/main/engine/algorithms/gmm';
import { covarianceTypes, gmmParams, type CovarianceType } from '../src/shared/algorithms/gmm';
import { initBackend } from '../src/main/engine/backend';
import { createRng } from '../src/shared/rng';
import { referenceFigure } from './reference';

const ROWS = 200_000;
const COLS = 8;
const K = 8;
/** The first iteration (with the initialisation) plus 15 timed ones. */
const ITERATIONS = 16;

/** Component means 10 apart on a random direction each; covariances A Aᵀ/d + 0.1 I (random A). */
function syntheticProblem(seed: number): Float64Array {
  const rng = createRng(seed);
  const values = new Float64Array(ROWS * COLS);
  const means = Array.from({ length: K }, () =>
    Array.from({ length: COLS }, () => rng.normal() * 10),
  );
  const factors = Array.from({ length: K }, () =>
    Array.from({ length: COLS }, () =>
      Array.from({ length: COLS }, () => rng.normal() / Math.sqrt(COLS)),
    ),
  );
  const z = new Array<number>(COLS);
  for (let i = 0; i < ROWS; i++) {
    const c = rng.int(K);
    for (let j = 0; j < COLS; j++) z[j] = rng.normal();
    for (let j = 0; j < COLS; j++) {
      let v = means[c][j] + Math.sqrt(0.1) * rng.normal();
      for (let p = 0; p < COLS; p++) v += factors[c][j][p] * z[p];
      values[i * COLS + j] = v;
    }
  }
  return values;
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const backend = await initBackend();
const values = syntheticProblem(1);
const data = {
  values,
  rows: ROWS,
  cols: COLS,
  columns: Array.from({ length: COLS }, (_, j) => `x${j + 1}`),
};
const dataBytes = ROWS * COLS * 4;
/** scikit-learn on the same data (a CSV of it), full covariance, 100 iterations (tol 0). */
function sklearnReference() {
  const dir = mkdtempSync(path.join(tmpdir(), 'latent-lab-bench-gmm-'));
  try {
    const csv = path.join(dir, 'data.csv');
    const lines = [data.columns.join(',')];
    for (let i = 0; i < ROWS; i++)
      lines.push(Array.from(values.subarray(i * COLS, (i + 1) * COLS)).join(','));
    writeFileSync(csv, lines.join('\n') + '\n');
    return referenceFigure({
      section: 'gmm_em',
      perfKey: 'seconds_per_iteration',
      script: 'gmm_sklearn.py',
      args: [csv, String(K), 'full', '100', '0'],
      pick: (out) => Number(out.fit_seconds) / Number(out.n_iter),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const reference = sklearnReference();
let peakRss = process.memoryUsage().rss;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

async function measure(type: CovarianceType) {
  const params = gmmParams.parse({
    k: K,
    covarianceType: type,
    maxIter: ITERATIONS,
    tol: 1e-300,
    regCovar: 1e-6,
  });
  const eDone: number[] = [];
  const mDone: number[] = [];
  const start = performance.now();
  const summary = await fitGmm(tf, data, params, {
    rng: createRng(2),
    onEStep: () => void eDone.push(performance.now()),
    onIteration: () => {
      mDone.push(performance.now());
      sampleRss();
    },
  });
  // Interval i runs from the end of M-step i−1 to the end of M-step i; the first starts at the
  // call and includes k-means and the upload, so it is dropped.
  const perIteration = mDone.slice(1).map((t, i) => (t - mDone[i]) / 1000);
  const eStep = eDone.slice(1).map((t, i) => (t - mDone[i]) / 1000);
  const mStep = mDone.slice(1).map((t, i) => (t - eDone[i + 1]) / 1000);
  const secondsPerIteration = median(perIteration);

  // Peak tensor bytes over two iterations (profiling slows kernels down: not timed).
  const before = tf.memory().numBytes;
  const profile = await tf.profile(async () => {
    await fitGmm(tf, data, { ...params, maxIter: 2 }, { rng: createRng(2) });
    return [];
  });
  sampleRss();
  return {
    seconds_per_iteration_median: secondsPerIteration,
    e_step_seconds_median: median(eStep),
    m_step_seconds_median: median(mStep),
    first_iteration_with_init_seconds: (mDone[0] - start) / 1000,
    peak_tensor_bytes: profile.peakBytes - before,
    memory_ratio_to_data: (profile.peakBytes - before) / dataBytes,
    mean_log_likelihood: summary.meanLogLikelihood,
  };
}

const types: Record<string, Awaited<ReturnType<typeof measure>>> = {};
for (const type of covarianceTypes) types[type] = await measure(type);
console.log(
  JSON.stringify({
    benchmark: 'gmm_em',
    backend: backend.name,
    rows: ROWS,
    cols: COLS,
    k: K,
    timed_iterations: ITERATIONS - 1,
    // scikit-learn's figure is for full covariance: that type's ratio is the one to read.
    reference_seconds_per_iteration: reference.seconds,
    reference_source: reference.source,
    ...(reference.error ? { reference_error: reference.error } : {}),
    ratio_full_to_reference: reference.seconds
      ? types.full.seconds_per_iteration_median / reference.seconds
      : null,
    data_bytes: dataBytes,
    peak_rss_bytes: peakRss,
    types,
  }),
);
