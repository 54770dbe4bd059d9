/**
 * RBM speed and quality on the bundled digits in the reference setting (scikit-learn's
 * BernoulliRBM: 256 hidden, PCD-1, learning rate 0.06, batch 10, pixels binarised at 0.5), on the
 * published split (9,000 train / 1,000 test, ../shared/reference/mnist10k_perm.csv). Prints one
 * line of JSON: seconds per epoch at batch 10 (training only: the updates, no monitors or
 * galleries; median of the 5 epochs) beside scikit-learn's and their ratio, the test exact
 * pseudo-log-likelihood after 5 epochs beside scikit-learn's, seconds per epoch at batch 100, the
 * time of a short AIS (20 runs × 1,000 temperatures, with the end-of-run monitors) on a 1-epoch
 * model, the backend ('js': plain typed arrays, no tfjs) and the process's peak RSS.
 *
 * Why no tfjs: one batch-10 PCD epoch written plainly with tfjs ops on the wasm backend (three
 * matMuls, two outer products, sigmoids, uniform draws per batch; ~25 ops) took 58.7 and 67.6 s
 * in two runs here, against 1.3–2.2 s for these loops: at batch 10 every op is a few thousand
 * flops, so per-op dispatch dominates, and a dense matMul cannot skip the off pixels.
 * Run: npx tsx bench/rbm.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitRbm } from '../src/main/engine/algorithms/rbm';
import { createRng } from '../src/shared/rng';
import { loadMnist, mnistEngineData, readMnistSplit } from '../src/main/host/mnist';
import { rbmParams } from '../src/shared/algorithms/rbm';
import { perfSection, referenceDir, referenceFigure, referenceFields } from './reference';

const EPOCHS = 5;
const here = path.dirname(fileURLToPath(import.meta.url));
const shared = referenceDir;

// scikit-learn first, on the same digits and split (its script reads them from ../shared).
const sklearn = referenceFigure({
  section: 'rbm',
  perfKey: 'seconds_per_epoch',
  script: 'rbm_sklearn.py',
  args: [String(EPOCHS)],
  pick: (out) => Number(out.seconds_per_epoch),
});
const data = mnistEngineData(loadMnist(path.resolve(here, '../resources')));
const split = readMnistSplit(path.join(shared, 'mnist10k_perm.csv'));
let peakRss = process.memoryUsage().rss;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

/** Trains `epochs` epochs at a batch size; seconds per epoch of the updates alone. */
async function timeEpochs(batchSize: number, epochs: number) {
  const perEpoch: number[] = [];
  let epochStart = performance.now();
  const summary = await fitRbm(
    data,
    rbmParams.parse({ batchSize, epochs, galleryEvery: 0, aisRuns: 0 }),
    {
      rng: createRng(1),
      split,
      // Monitors only after the last epoch, so an epoch's time is its training alone.
      monitor: false,
      onEpoch: () => {
        perEpoch.push((performance.now() - epochStart) / 1000);
        sampleRss();
        epochStart = performance.now();
      },
    },
  );
  const median = [...perEpoch].sort((a, b) => a - b)[Math.floor(perEpoch.length / 2)];
  return { summary, perEpoch, median };
}

const b10 = await timeEpochs(10, EPOCHS);
const b100 = await timeEpochs(100, 3);

// AIS on the batch-10 model's size (256 hidden): a short run, timed (the default is 100 × 1,000).
const aisStart = performance.now();
const withAis = await fitRbm(
  data,
  rbmParams.parse({ epochs: 1, galleryEvery: 0, aisRuns: 20, aisTemperatures: 1000 }),
  { rng: createRng(2), split, monitor: false },
);
const aisSeconds = (performance.now() - aisStart) / 1000 - withAis.secondsPerEpoch;
sampleRss();
// The exact pseudo-log-likelihood on the test digits: scikit-learn's of this run, else perf.json's.
const refPll =
  sklearn.source === 'measured in this run'
    ? Number(sklearn.detail.pseudo_loglik_full_mean_test)
    : ((perfSection('rbm').exact_pseudo_loglik_test_after_5_epochs as number | undefined) ?? null);
const testPll = b10.summary.testPll;
console.log(
  JSON.stringify({
    benchmark: 'rbm_mnist',
    backend: 'js',
    train_rows: split.train.length,
    test_rows: split.test.length,
    hidden_units: 256,
    epochs: EPOCHS,
    seconds_per_epoch_batch10_median: b10.median,
    seconds_per_epoch_batch10: b10.perEpoch,
    ...referenceFields(sklearn, b10.median),
    seconds_per_epoch_batch100_median: b100.median,
    seconds_per_epoch_batch100: b100.perEpoch,
    test_exact_pll_after_5_epochs: testPll,
    reference_test_exact_pll_after_5_epochs: refPll,
    pll_difference_nats: refPll !== null && testPll !== null ? testPll - refPll : null,
    train_exact_pll_after_5_epochs: b10.summary.trainPll,
    test_free_energy: b10.summary.testFreeEnergy,
    train_free_energy: b10.summary.trainFreeEnergy,
    ais_runs_temperatures: [20, 1000],
    ais_seconds_and_monitors: aisSeconds,
    ais_log_z_after_1_epoch: withAis.logZ,
    ais_log_z_std: withAis.logZStd,
    ais_test_log_likelihood_after_1_epoch: withAis.testLogLikelihood,
    peak_rss_bytes: peakRss,
  }),
);
