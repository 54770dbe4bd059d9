/**
 * The reference check for the VAE: on the bundled digits with the default architecture
 * (784-400-20, ReLU, Adam 1e-3, batch 128) and PyTorch's split, the test −ELBO after each of 3
 * epochs is within 5% of PyTorch's (../shared/reference/perf.json). About 10 s on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { fitVae } from '../../src/main/engine/algorithms/vae';
import { initBackend } from '../../src/main/engine/backend';
import { createRng } from '../../src/shared/rng';
import { loadMnist, mnistEngineData, readMnistSplit } from '../../src/main/host/mnist';
import { vaeParams } from '../../src/shared/algorithms/vae';
import { resourcesDir, root } from './helpers';

const reference = join(root, '..', 'shared', 'reference');

beforeAll(async () => {
  await initBackend(null);
});

it('reaches PyTorch’s test −ELBO within 5% after each of 3 epochs on the bundled digits', async () => {
  const perf = JSON.parse(readFileSync(join(reference, 'perf.json'), 'utf8')) as {
    vae: { test_loss_per_sample_by_epoch: number[] };
  };
  const split = readMnistSplit(join(reference, 'mnist10k_perm.csv'));
  const digits = loadMnist(resourcesDir);
  expect(digits.count).toBe(10_000);
  const data = mnistEngineData(digits);
  const testLoss: number[] = [];
  const tensorsAtEpoch: number[] = [];
  await fitVae(tf, data, vaeParams.parse({ epochs: 3, galleryEvery: 0, iwaeK: 0 }), {
    rng: createRng(1),
    split,
    onEpoch: (_epoch, _train, test) => {
      testLoss.push(test ?? NaN);
      tensorsAtEpoch.push(tf.memory().numTensors);
    },
  });
  const expected = perf.vae.test_loss_per_sample_by_epoch;
  expect(testLoss).toHaveLength(3);
  testLoss.forEach((loss, e) => {
    expect(
      Math.abs(loss - expected[e]) / expected[e],
      `epoch ${e + 1}: ${loss} vs ${expected[e]}`,
    ).toBeLessThan(0.05);
  });
  // No tensor leak across epochs.
  expect(new Set(tensorsAtEpoch).size).toBe(1);
}, 120_000);
