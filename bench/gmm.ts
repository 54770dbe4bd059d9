/**
 * EM speed on the reference problem: 200,000 × 8, K = 8 well-separated Gaussians with random full
 * covariances. Prints one line of JSON; compare with scikit-learn's time per iteration measured on
 * the same kind of machine (../shared/reference/perf.json).
 * Run: npx tsx bench/gmm.ts  [LATENT_LAB_BACKEND=wasm|cpu|tensorflow]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { fitGmm } from '../src/main/engine/algorithms/gmm';
import { initBackend } from '../src/main/engine/backend';
import { createRng } from '../src/main/engine/rng';

const ROWS = 200_000;
const COLS = 8;
const K = 8;
const ITERATIONS = 20;

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

function referenceSecondsPerIteration(): number | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  try {
    const perf = JSON.parse(
      readFileSync(path.resolve(here, '../../shared/reference/perf.json'), 'utf8'),
    ) as {
      gmm_em?: { seconds_per_iteration?: number };
    };
    return perf.gmm_em?.seconds_per_iteration ?? null;
  } catch {
    return null;
  }
}

const backend = await initBackend();
const values = syntheticProblem(1);
const data = {
  values,
  rows: ROWS,
  cols: COLS,
  columns: Array.from({ length: COLS }, (_, j) => `x${j + 1}`),
};
const stamps: number[] = [];
let start = 0;
start = performance.now();
const summary = await fitGmm(
  tf,
  data,
  { k: K, maxIter: ITERATIONS, tol: 1e-300, regCovar: 1e-6 },
  {
    rng: createRng(2),
    onIteration: () => {
      stamps.push(performance.now());
    },
  },
);
// The first interval starts when fitGmm was called, so it includes k-means++ and the upload; drop it.
const perIteration = stamps.slice(1).map((t, i) => (t - stamps[i]) / 1000);
const sorted = [...perIteration].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const reference = referenceSecondsPerIteration();
console.log(
  JSON.stringify({
    benchmark: 'gmm_em',
    backend: backend.name,
    rows: ROWS,
    cols: COLS,
    k: K,
    iterations: summary.iterations,
    seconds_per_iteration_median: median,
    seconds_per_iteration_all: perIteration,
    first_iteration_with_init_seconds: (stamps[0] - start) / 1000,
    mean_log_likelihood: summary.meanLogLikelihood,
    reference_seconds_per_iteration: reference,
    ratio_to_reference: reference ? median / reference : null,
  }),
);
