/**
 * VAE speed and quality on the bundled digits with the default architecture (the PyTorch example:
 * 784-400-20, ReLU, Adam 1e-3, batch 128), on the published split (9,000 train / 1,000 test,
 * ../shared/reference/mnist10k_perm.csv). Prints one line of JSON: seconds per epoch (median of 3,
 * training only: the epoch's steps with their per-step metric read-back, no galleries), the test
 * −ELBO after each epoch beside PyTorch's, the time of the end-of-run IWAE bound, the backend,
 * and the peak tensor memory of one training step and the process's peak RSS.
 * Run: npx tsx bench/vae.ts  [LATENT_LAB_BACKEND=wasm|cpu|tensorflow]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { fitVae } from '../src/main/engine/algorithms/vae';
import { initBackend } from '../src/main/engine/backend';
import { createRng } from '../src/shared/rng';
import { loadMnist, mnistEngineData, readMnistSplit } from '../src/main/host/mnist';
import { vaeParams } from '../src/shared/algorithms/vae';
import { referenceDir, referenceFigure, referenceFields } from './reference';

const EPOCHS = 3;
const here = path.dirname(fileURLToPath(import.meta.url));
const shared = referenceDir;

// PyTorch first, before our process warms up tfjs (each alone on the machine's cores).
const torch = referenceFigure({
  section: 'vae',
  perfKey: 'seconds_per_epoch',
  script: 'vae_torch.py',
  args: [String(EPOCHS)],
  pick: (out) => Number(out.mean_train_seconds_per_epoch),
});
const reference = (
  torch.source === 'measured in this run'
    ? {
        test_loss_per_sample_by_epoch: (torch.detail.per_epoch as { test_loss: number }[]).map(
          (e) => e.test_loss,
        ),
        train_loss_per_sample_by_epoch: (torch.detail.per_epoch as { train_loss: number }[]).map(
          (e) => e.train_loss,
        ),
      }
    : torch.detail
) as { test_loss_per_sample_by_epoch?: number[]; train_loss_per_sample_by_epoch?: number[] };
const backend = await initBackend();
const loadStart = performance.now();
const data = mnistEngineData(loadMnist(path.resolve(here, '../resources')));
const loadSeconds = (performance.now() - loadStart) / 1000;
const split = readMnistSplit(path.join(shared, 'mnist10k_perm.csv'));

let peakRss = process.memoryUsage().rss;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const epochEnds: number[] = [];
const epochStarts: number[] = [];
const testLoss: number[] = [];
const trainLoss: number[] = [];
let lastStepAt = 0;
const params = vaeParams.parse({ epochs: EPOCHS, galleryEvery: 0, iwaeK: 500 });
let iwaeStart = 0;
const started = performance.now();
epochStarts.push(started);
const summary = await fitVae(tf, data, params, {
  rng: createRng(1),
  split,
  onStep: () => {
    lastStepAt = performance.now();
  },
  onEpoch: (_epoch, train, test) => {
    epochEnds.push(lastStepAt);
    trainLoss.push(train);
    testLoss.push(test ?? NaN);
    sampleRss();
    epochStarts.push(performance.now());
    iwaeStart = performance.now();
  },
  checkpoint: async (phase) => {
    if (phase === 'step') sampleRss();
  },
});
const end = performance.now();
const perEpoch = epochEnds.map((t, i) => (t - epochStarts[i]) / 1000);
const median = [...perEpoch].sort((a, b) => a - b)[Math.floor(perEpoch.length / 2)];

// Peak tensor memory of training (one epoch of a fresh model, profiled: not timed).
const before = tf.memory().numBytes;
const profile = await tf.profile(async () => {
  await fitVae(
    tf,
    data,
    { ...params, epochs: 1, iwaeK: 0 },
    { rng: createRng(2), split: { train: split.train.subarray(0, 512), test: split.test } },
  );
  return [];
});
sampleRss();
const refTest = reference.test_loss_per_sample_by_epoch ?? [];
console.log(
  JSON.stringify({
    benchmark: 'vae_mnist',
    backend: backend.name,
    train_rows: split.train.length,
    test_rows: split.test.length,
    epochs: EPOCHS,
    mnist_load_seconds: loadSeconds,
    seconds_per_epoch_median: median,
    seconds_per_epoch: perEpoch,
    ...referenceFields(torch, median),
    train_loss_by_epoch: trainLoss,
    reference_train_loss_by_epoch: reference.train_loss_per_sample_by_epoch ?? null,
    test_loss_by_epoch: testLoss,
    reference_test_loss_by_epoch: refTest,
    test_loss_relative_difference: refTest.length
      ? testLoss.map((v, i) => (refTest[i] ? (v - refTest[i]) / refTest[i] : null))
      : null,
    test_iwae: summary.testIwae,
    iwae_k: summary.iwaeK,
    iwae_seconds: (end - iwaeStart) / 1000,
    active_units: summary.activeUnits,
    peak_tensor_bytes: profile.peakBytes - before,
    peak_rss_bytes: peakRss,
  }),
);
