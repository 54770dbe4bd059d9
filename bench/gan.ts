/**
 * GAN training speed on the reference setup (../shared/reference/perf.json, gan section): the
 * 8-Gaussian ring, G 2→128→128→2, D 2→128→128→1, ReLU, non-saturating loss, Adam 2e-4
 * (0.5, 0.999), batch 256. Values are read back from the device only every READ_EVERY steps (as
 * GAN Lab does); no views are drawn while timing. Prints one line of JSON: seconds per 1,000
 * steps (median of 3 runs of 1,000 after a warm-up), the ratio to PyTorch's, the backend, the
 * peak tensor memory of training and the process's peak RSS, and the modes covered / high-quality
 * fraction after a separate 5,000-step run when GAN_BENCH_QUALITY=1.
 * Run: npx tsx bench/gan.ts  [LATENT_LAB_BACKEND=wasm|cpu|tensorflow]
 */
import * as tf from '@tensorflow/tfjs-core';
import { fitGan } from '../src/main/engine/algorithms/gan';
import { initBackend } from '../src/main/engine/backend';
import { createRng } from '../src/shared/rng';
import { perfSection, referenceFigure, referenceFields } from './reference';
import { ganParams } from '../src/shared/algorithms/gan';

const READ_EVERY = 50;
const STEPS = 1000;
const REPEATS = 3;

// PyTorch first (3,000 steps: its per-1,000 figure over more than one chunk).
const torch = referenceFigure({
  section: 'gan',
  perfKey: 'seconds_per_1000_steps',
  script: 'gan_torch.py',
  args: ['3000'],
  pick: (out) => Number(out.seconds_per_1000_steps),
});
const backend = await initBackend();
const noData = { values: new Float64Array(0), rows: 0, cols: 0, columns: [] };
let peakRss = process.memoryUsage().rss;
const options = (seed: number) => ({
  rng: createRng(seed),
  bare: true,
  onReadback: () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  },
});

// Warm-up: wasm compiles kernels on first use.
await fitGan(tf, noData, ganParams.parse({ steps: 200, viewEvery: READ_EVERY }), options(99));
const seconds: number[] = [];
for (let r = 0; r < REPEATS; r++) {
  const t0 = performance.now();
  await fitGan(
    tf,
    noData,
    ganParams.parse({ steps: STEPS, viewEvery: READ_EVERY }),
    options(r + 1),
  );
  seconds.push((performance.now() - t0) / 1000);
}
const median = [...seconds].sort((a, b) => a - b)[Math.floor(REPEATS / 2)];

const before = tf.memory().numBytes;
const profile = await tf.profile(async () => {
  await fitGan(tf, noData, ganParams.parse({ steps: 20, viewEvery: 10 }), options(7));
  return [];
});

let quality: { modes_covered: number | null; high_quality: number | null } | null = null;
if (process.env.GAN_BENCH_QUALITY === '1') {
  const r = await fitGan(tf, noData, ganParams.parse({ steps: 5000, viewEvery: 5000 }), {
    rng: createRng(1),
  });
  quality = { modes_covered: r.modesCovered, high_quality: r.highQuality };
}

console.log(
  JSON.stringify({
    benchmark: 'gan_ring8',
    backend: backend.name,
    read_back_every: READ_EVERY,
    seconds_per_1000_steps_median: median,
    seconds_per_1000_steps: seconds,
    ...referenceFields(torch, median),
    peak_tensor_bytes: profile.peakBytes - before,
    peak_rss_bytes: peakRss,
    quality_after_5000_steps: quality,
    reference_after_5000_steps: perfSection('gan').after_5000_steps ?? null,
  }),
);
