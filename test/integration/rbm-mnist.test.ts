/**
 * The reference check for the RBM: trained as scikit-learn's BernoulliRBM reference (256
 * hidden, PCD-1, learning rate 0.06, batch 10, 5 epochs, pixels binarised at 0.5, the published
 * split), the exact pseudo-log-likelihood of the 1,000 test digits is within 3 nats of
 * scikit-learn’s (../shared/reference/perf.json: −95.01). About 30 s (training ~8 s; the rest
 * is the per-epoch monitors: exact PLL, reconstruction error, free energy on 2 × 1,000 rows).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fitRbm } from '../../src/main/engine/algorithms/rbm';
import { createRng } from '../../src/shared/rng';
import { loadMnist, mnistEngineData, readMnistSplit } from '../../src/main/host/mnist';
import { rbmParams } from '../../src/shared/algorithms/rbm';
import { resourcesDir, root } from './helpers';

const reference = join(root, '..', 'shared', 'reference');

it('reaches scikit-learn’s test pseudo-log-likelihood within 3 nats after 5 epochs', async () => {
  const perf = JSON.parse(readFileSync(join(reference, 'perf.json'), 'utf8')) as {
    rbm: { exact_pseudo_loglik_test_after_5_epochs: number };
  };
  const split = readMnistSplit(join(reference, 'mnist10k_perm.csv'));
  const digits = loadMnist(resourcesDir);
  const data = mnistEngineData(digits);
  const pll: number[] = [];
  const summary = await fitRbm(data, rbmParams.parse({ galleryEvery: 0, aisRuns: 0 }), {
    rng: createRng(1),
    split,
    onEpoch: (_e, m) => pll.push(m.testPll),
  });
  const expected = perf.rbm.exact_pseudo_loglik_test_after_5_epochs;
  expect(pll).toHaveLength(5);
  expect(summary.testRows).toBe(1000);
  expect(Math.abs(summary.testPll! - expected), `${summary.testPll} vs ${expected}`).toBeLessThan(
    3,
  );
  // The free energy monitor: after 5 epochs the model does not yet overfit much.
  expect(Math.abs(summary.trainFreeEnergy - summary.testFreeEnergy!)).toBeLessThan(10);
}, 120_000);
