/**
 * A variational autoencoder (Kingma & Welling 2014) with MLP encoder and decoder, as the PyTorch
 * example VAE by default: 784-400-(20 means, 20 log-variances), decoder 20-400-784 logits, ReLU,
 * Adam 1e-3, batch 128, the Bernoulli cross-entropy from logits with grey pixels as continuous
 * targets. Gaussian likelihoods (fixed or learned per-column variance) fit plain numeric tables.
 *
 * Per step: loss = −ELBO per example (recon + KL), and its two terms; the objective minimised is
 * recon + β·w·KL (w the KL warm-up weight). Per epoch: the test −ELBO (one sample of z per row, as
 * the PyTorch example's test loss), the active units (Burda et al. 2016) and the test rows' latent
 * means in 2-D. At the end: the importance-weighted bound (Burda et al.) on the test rows, and the
 * weights as a 'model' artifact (`loadVaeModel` rebuilds it in tfjs, src/shared/vae-model.ts in
 * plain TypeScript) with some test rows' indices, for interpolating between them.
 *
 * Every random number comes from the run's rng: the split, the weights, the fixed prior draws of
 * the sample gallery, each epoch's shuffle and each step's ε (a tfjs seed drawn from the rng).
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import {
  vaeParams,
  type Points2dMeta,
  type VaeParams,
  type VaeSummary,
} from '../../../shared/algorithms/vae';
import { localText } from '../../../shared/i18n';
import {
  checkImageShape,
  checkValues,
  DataError,
  type Algorithm,
  type EngineData,
  type Emitter,
} from '../algorithm';
import type { Rng } from '../../../shared/rng';
import { createAdam } from '../training/adam';
import { epochBatches, gatherRows, unscaleRows } from '../training/batches';
import {
  bernoulliCrossEntropyFromLogits,
  gaussianNegLogDensity,
  klToStandardNormal,
} from '../training/densities';
import { interleaveImages, toImageGrid, valueRange, type ImageShape } from '../training/image-grid';
import { createMlp, mlpFromArrays, mlpToArrays, type Mlp } from '../training/mlp';
import { packTensors, unpackTensor } from '../training/model-artifact';
import { mlpTensorList } from '../../../shared/mlp-forward';
import { columnVariances, normalQuantile, pca2d } from '../training/projection';
import { trainingCheckpoint } from '../training/checkpoint';
import { splitRows, spreadRows, type RowSplit } from '../training/split';
import {
  EXAMPLE_ROWS,
  MIN_LOG_VARIANCE,
  VAE_MODEL_FORMAT,
  type VaeModelMeta,
} from '../../../shared/vae-model';

type Tf = typeof tfjs;

/** Burda et al.'s threshold on Cov_x(E[z_u | x]) for an active latent unit. */
export const ACTIVE_UNIT_THRESHOLD = 0.01;
/** Rows per forward pass when evaluating (test loss, latent means, galleries). */
const EVAL_ROWS = 1000;
/** Bound on the decoder's output per IWAE chunk (k samples × rows × columns floats). */
const IWAE_CHUNK_VALUES = 1 << 22;
const RECONSTRUCTION_PAIRS = 8;
const PRIOR_SAMPLES = 64;
const MANIFOLD_SIDE = 15;
const TABLE_SAMPLES = 500;

export interface VaeModel {
  inputDim: number;
  latentDim: number;
  likelihood: VaeParams['likelihood'];
  /** inputDim → hidden… → 2·latentDim (means, then log-variances). */
  encoder: Mlp;
  /** latentDim → hidden… → inputDim (logits for Bernoulli, means for Gaussian). */
  decoder: Mlp;
  /** Gaussian: log σ² per column, a variable when learned, a fixed scalar tensor otherwise. */
  logVarX: tfjs.Tensor | null;
}

export function createVaeModel(
  tf: Tf,
  rng: Rng,
  inputDim: number,
  p: Pick<
    VaeParams,
    'latentDim' | 'hiddenLayers' | 'hiddenUnits' | 'activation' | 'likelihood' | 'sigma' | 'init'
  >,
): VaeModel {
  const hidden = Array.from({ length: p.hiddenLayers }, () => p.hiddenUnits);
  // The encoder only ever sees data: no gradient for its input.
  const encoder = createMlp(tf, rng, [inputDim, ...hidden, 2 * p.latentDim], p.activation, p.init, {
    inputGradient: false,
  });
  const decoder = createMlp(tf, rng, [p.latentDim, ...hidden, inputDim], p.activation, p.init);
  const logVarX =
    p.likelihood === 'gaussian-learned'
      ? tf.variable(tf.zeros([inputDim]), true)
      : p.likelihood === 'gaussian-fixed'
        ? tf.scalar(2 * Math.log(p.sigma))
        : null;
  return { inputDim, latentDim: p.latentDim, likelihood: p.likelihood, encoder, decoder, logVarX };
}

export function disposeVaeModel(m: VaeModel): void {
  m.encoder.dispose();
  m.decoder.dispose();
  m.logVarX?.dispose();
}

export function vaeVariables(m: VaeModel): tfjs.Variable[] {
  const vars = [...m.encoder.variables(), ...m.decoder.variables()];
  if (m.likelihood === 'gaussian-learned') vars.push(m.logVarX as tfjs.Variable);
  return vars;
}

/** q(z|x): means and log-variances, each rows × latentDim. */
export function encode(
  tf: Tf,
  m: VaeModel,
  x: tfjs.Tensor2D,
): { mean: tfjs.Tensor2D; logVar: tfjs.Tensor2D } {
  const h = m.encoder.apply(x);
  const [mean, logVar] = tf.split(h, 2, 1) as [tfjs.Tensor2D, tfjs.Tensor2D];
  return { mean, logVar };
}

/**
 * −log p(x|z) per row, from the decoder's output for z: summed over the last axis, so `decoded`
 * may carry leading sample axes that `x` broadcasts over (k × rows × cols against rows × cols).
 */
export function reconstructionNll(
  tf: Tf,
  m: VaeModel,
  decoded: tfjs.Tensor,
  x: tfjs.Tensor,
): tfjs.Tensor {
  const axis = decoded.rank - 1;
  if (m.likelihood === 'bernoulli')
    return tf.sum(bernoulliCrossEntropyFromLogits(tf, decoded, x), axis);
  const logVar =
    m.likelihood === 'gaussian-learned'
      ? tf.maximum(m.logVarX!, MIN_LOG_VARIANCE)
      : (m.logVarX as tfjs.Tensor);
  return tf.sum(gaussianNegLogDensity(tf, x, decoded, logVar), axis);
}

/** The decoder's mean of p(x|z): σ(logits) for Bernoulli, the output itself for Gaussian. */
export function decodeMean(tf: Tf, m: VaeModel, z: tfjs.Tensor2D): tfjs.Tensor2D {
  const out = m.decoder.apply(z);
  return m.likelihood === 'bernoulli' ? tf.sigmoid(out) : out;
}

/**
 * The two ELBO terms per row with given standard-normal noise ε (rows × latentDim):
 * recon = −log p(x|z), z = μ + σ·ε (the reparameterisation), and KL(q(z|x) ‖ N(0, I)) in closed
 * form. −ELBO = recon + kl.
 */
export function elboTerms(
  tf: Tf,
  m: VaeModel,
  x: tfjs.Tensor2D,
  eps: tfjs.Tensor2D,
): { recon: tfjs.Tensor1D; kl: tfjs.Tensor1D; mean: tfjs.Tensor2D } {
  const { mean, logVar } = encode(tf, m, x);
  const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tfjs.Tensor2D;
  const recon = reconstructionNll(tf, m, m.decoder.apply(z), x) as tfjs.Tensor1D;
  return { recon, kl: klToStandardNormal(tf, mean, logVar), mean };
}

/**
 * The importance-weighted bound per row (Burda et al. 2016):
 * log (1/k) Σ_i p(x, z_i) / q(z_i|x), z_i ~ q(z|x); equals the ELBO in expectation for k = 1 and
 * rises to log p(x) as k grows. Samples go through the decoder in chunks of at most
 * IWAE_CHUNK_VALUES output values; `between` runs after each chunk (a checkpoint).
 */
export async function iwaeBound(
  tf: Tf,
  m: VaeModel,
  x: Float32Array,
  rows: number,
  k: number,
  rng: Rng,
  between?: () => Promise<void>,
): Promise<Float64Array> {
  const d = m.inputDim;
  const latent = m.latentDim;
  const blockRows = Math.max(1, Math.min(rows, Math.floor(IWAE_CHUNK_VALUES / d)));
  const out = new Float64Array(rows);
  for (let start = 0; start < rows; start += blockRows) {
    const b = Math.min(blockRows, rows - start);
    const kChunk = Math.max(1, Math.min(k, Math.floor(IWAE_CHUNK_VALUES / (b * d))));
    const xb = tf.tensor2d(x.subarray(start * d, (start + b) * d), [b, d]);
    const q = tf.tidy(() => encode(tf, m, xb));
    const parts: tfjs.Tensor[] = [];
    try {
      for (let done = 0; done < k; done += kChunk) {
        const kc = Math.min(kChunk, k - done);
        parts.push(
          tf.tidy(() => {
            // ε: kc × b × latent; z_i = μ + σ ε_i.
            const eps = tf.randomNormal([kc, b, latent], 0, 1, 'float32', rng.nextSeed());
            const std = tf.exp(tf.mul(q.logVar, 0.5));
            const z = tf.add(q.mean, tf.mul(std, eps));
            const flatZ = tf.reshape(z, [kc * b, latent]) as tfjs.Tensor2D;
            // x broadcasts over the samples (tf.tile costs more than the decoder on wasm).
            const decoded = tf.reshape(m.decoder.apply(flatZ), [kc, b, d]);
            const nll = reconstructionNll(tf, m, decoded, xb); // kc × b
            // log p(z) − log q(z|x) = Σ_j [−½ z² + ½ ε² + ½ log σ²] (the 2π terms cancel).
            const logPriorOverQ = tf.sum(
              tf.add(tf.mul(tf.sub(tf.square(eps), tf.square(z)), 0.5), tf.mul(q.logVar, 0.5)),
              2,
            );
            return tf.sub(logPriorOverQ, nll); // kc × b log-weights
          }),
        );
        await between?.();
      }
      const bound = tf.tidy(() =>
        tf.sub(tf.logSumExp(parts.length === 1 ? parts[0] : tf.concat(parts, 0), 0), Math.log(k)),
      );
      out.set(await bound.data(), start);
      bound.dispose();
    } finally {
      for (const t of parts) t.dispose();
      xb.dispose();
      q.mean.dispose();
      q.logVar.dispose();
    }
  }
  return out;
}

/** How the data were scaled for the model: model units = (x − centre) / scale. */
interface Scaling {
  centre: Float64Array;
  scale: Float64Array;
  /** Σ log scale_j: added to −log p(x) in model units to give it in the data's units. */
  logScale: number;
}

function checkData(data: EngineData, p: VaeParams): void {
  const { rows, cols } = data;
  if (rows < 1 || cols < 1) throw new DataError(localText('fail.emptyData'));
  if (data.image) checkImageShape(data.image, cols);
  checkValues(data, p.likelihood === 'bernoulli' ? 'fail.bernoulliRange' : null);
  if (data.labels && data.labels.length !== rows)
    throw new DataError(localText('refuse.labelCount', { labels: data.labels.length, rows }));
}

function scalingFor(data: EngineData, train: Int32Array, p: VaeParams): Scaling {
  const d = data.cols;
  const centre = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  if (p.likelihood === 'bernoulli' || !p.standardize) return { centre, scale, logScale: 0 };
  // Two passes (centre, then spread about it): E[x²] − μ² cancels in float32 and loses digits.
  const n = train.length;
  for (const r of train) for (let j = 0; j < d; j++) centre[j] += data.values[r * d + j] / n;
  const variance = new Float64Array(d);
  for (const r of train)
    for (let j = 0; j < d; j++) variance[j] += (data.values[r * d + j] - centre[j]) ** 2 / n;
  let logScale = 0;
  for (let j = 0; j < d; j++) {
    // A constant column (e.g. an always-black border pixel) keeps scale 1.
    scale[j] = variance[j] > 0 ? Math.sqrt(variance[j]) : 1;
    logScale += Math.log(scale[j]);
  }
  return { centre, scale, logScale };
}

function scaledRows(data: EngineData, rows: Int32Array, s: Scaling): Float32Array {
  const d = data.cols;
  const out = gatherRows(data.values, d, rows);
  for (let i = 0; i < rows.length; i++)
    for (let j = 0; j < d; j++) out[i * d + j] = (out[i * d + j] - s.centre[j]) / s.scale[j];
  return out;
}

export interface FitVaeOptions {
  rng: Rng;
  emit?: Partial<Emitter>;
  checkpoint?: (phase: string, step: number) => Promise<void>;
  signal?: AbortSignal;
  /** Explicit train/test rows (e.g. a published split); otherwise drawn from the rng. */
  split?: RowSplit;
  /** Called after every training step with the step's −ELBO terms (tests, benchmarks). */
  onStep?: (step: number, recon: number, kl: number) => void;
  /** Called after every epoch (tests, benchmarks). */
  onEpoch?: (epoch: number, trainLoss: number, testLoss: number | null) => void;
}

/** Test-set evaluation: one-sample −ELBO per row (mean) and the latent means (rows × latent). */
async function evaluate(
  tf: Tf,
  m: VaeModel,
  x: Float32Array,
  rows: number,
  rng: Rng,
): Promise<{ loss: number; means: Float32Array }> {
  const d = m.inputDim;
  const means = new Float32Array(rows * m.latentDim);
  let total = 0;
  for (let start = 0; start < rows; start += EVAL_ROWS) {
    const b = Math.min(EVAL_ROWS, rows - start);
    const [sum, mean] = tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(start * d, (start + b) * d), [b, d]);
      const eps = tf.randomNormal([b, m.latentDim], 0, 1, 'float32', rng.nextSeed());
      const t = elboTerms(tf, m, xb, eps as tfjs.Tensor2D);
      return [tf.sum(tf.add(t.recon, t.kl)), t.mean];
    });
    total += (await sum.data())[0];
    means.set((await mean.data()) as Float32Array, start * m.latentDim);
    sum.dispose();
    mean.dispose();
  }
  return { loss: total / rows, means };
}

export async function fitVae(
  tf: Tf,
  data: EngineData,
  params: VaeParams,
  options: FitVaeOptions,
): Promise<VaeSummary> {
  const started = performance.now();
  checkData(data, params);
  const { rng } = options;
  const emit = options.emit ?? {};
  const checkpoint = trainingCheckpoint(options);
  const d = data.cols;
  const L = params.latentDim;
  const split = options.split ?? splitRows(rng, data.rows, params.testFraction);
  if (split.train.length < 1) throw new DataError(localText('refuse.noTrainingRows'));
  const scaling = scalingFor(data, split.train, params);
  const trainX = scaledRows(data, split.train, scaling);
  const testX = scaledRows(data, split.test, scaling);
  const nTrain = split.train.length;
  const nTest = split.test.length;
  const image: ImageShape | undefined = data.image;
  // Galleries show data values; images from a Gaussian model use the data's range.
  const range: [number, number] =
    params.likelihood !== 'bernoulli' ? valueRange(data.values) : [0, 1];

  const model = createVaeModel(tf, rng, d, params);
  const adam = createAdam(tf, vaeVariables(model), { learningRate: params.learningRate });
  // Fixed prior draws: successive sample galleries decode the same z, so they are comparable.
  const priorCount = image ? PRIOR_SAMPLES : TABLE_SAMPLES;
  const priorZ = Float32Array.from({ length: priorCount * L }, () => rng.normal());
  const priorNoise = image
    ? null
    : Float32Array.from({ length: priorCount * d }, () => rng.normal());
  // Reconstructions of fixed rows: the first test rows (training rows if there is no test set).
  const reconSource = nTest > 0 ? testX : trainX;
  const reconCount = Math.min(RECONSTRUCTION_PAIRS, nTest > 0 ? nTest : nTrain);
  const reconX = reconSource.slice(0, reconCount * d);

  const decodeToData = async (z: Float32Array, count: number): Promise<Float32Array> => {
    const t = tf.tidy(() => decodeMean(tf, model, tf.tensor2d(z, [count, L])));
    const values = (await t.data()) as Float32Array;
    t.dispose();
    return unscaleRows(values, d, scaling);
  };

  const emitGalleries = async (step: number) => {
    if (!emit.artifact) return;
    if (image) {
      const recon = tf.tidy(() => {
        const { mean } = encode(tf, model, tf.tensor2d(reconX, [reconCount, d]));
        return decodeMean(tf, model, mean);
      });
      const outputs = unscaleRows((await recon.data()) as Float32Array, d, scaling);
      recon.dispose();
      const inputs = unscaleRows(reconX.slice(), d, scaling);
      const pairs = toImageGrid(interleaveImages(inputs, outputs, d), image, {
        role: 'reconstructions',
        columns: 8,
        range,
        pairs: true,
      });
      emit.artifact('image-grid', step, pairs.meta, pairs.data);
      const samples = toImageGrid(await decodeToData(priorZ, priorCount), image, {
        role: 'samples',
        columns: 8,
        range,
      });
      emit.artifact('image-grid', step, samples.meta, samples.data);
      if (L === 2) {
        const axis = Array.from({ length: MANIFOLD_SIDE }, (_, i) =>
          normalQuantile((i + 0.5) / MANIFOLD_SIDE),
        );
        // Rows go from the top (largest z₂) down, as a plot's y axis.
        const ys = [...axis].reverse();
        const grid = new Float32Array(MANIFOLD_SIDE * MANIFOLD_SIDE * 2);
        ys.forEach((y, r) => axis.forEach((x, c) => grid.set([x, y], (r * MANIFOLD_SIDE + c) * 2)));
        const manifold = toImageGrid(await decodeToData(grid, MANIFOLD_SIDE ** 2), image, {
          role: 'manifold',
          columns: MANIFOLD_SIDE,
          range,
          axes: { x: axis, y: ys },
        });
        emit.artifact('image-grid', step, manifold.meta, manifold.data);
      }
    } else if (d === 2) {
      // A table of two columns: samples x ~ p(x|z) from the fixed draws, as points.
      const means = await decodeToData(priorZ, priorCount);
      const sd = new Float64Array(d);
      if (model.logVarX) {
        const lv = tf.tidy(() =>
          tf.mul(tf.exp(tf.mul(tf.maximum(model.logVarX!, MIN_LOG_VARIANCE), 0.5)), tf.ones([d])),
        );
        (await lv.data()).forEach((v, j) => (sd[j] = v * scaling.scale[j]));
        lv.dispose();
      }
      const pts = Float32Array.from(means, (v, i) => v + sd[i % d] * priorNoise![i]);
      const meta: Points2dMeta = {
        role: 'samples',
        count: priorCount,
        stride: 2,
        projection: 'none',
        axisNames: [data.columns[0] ?? 'x1', data.columns[1] ?? 'x2'],
      };
      emit.artifact('points2d', step, meta, pts);
    }
  };

  const emitLatents = (step: number, means: Float32Array, rows: Int32Array) => {
    if (!emit.artifact || rows.length === 0) return;
    const n = rows.length;
    const labels = data.labels;
    const stride = labels ? 3 : 2;
    const out = new Float32Array(n * stride);
    let projection: Points2dMeta['projection'] = 'none';
    let explained: [number, number] | undefined;
    if (L === 2) {
      for (let i = 0; i < n; i++) out.set(means.subarray(2 * i, 2 * i + 2), i * stride);
    } else {
      const p = pca2d(means, n, L);
      projection = 'pca';
      explained = p.explained;
      for (let i = 0; i < n; i++) out.set(p.points.subarray(2 * i, 2 * i + 2), i * stride);
    }
    if (labels) for (let i = 0; i < n; i++) out[i * 3 + 2] = labels[rows[i]];
    const meta: Points2dMeta = {
      role: 'latent-means',
      count: n,
      stride,
      projection,
      axisNames: projection === 'pca' ? ['PC1', 'PC2'] : ['z1', 'z2'],
    };
    if (explained) meta.explained = explained;
    emit.artifact('points2d', step, meta, out);
  };

  const stepsPerEpoch = Math.ceil(nTrain / params.batchSize);
  const totalSteps = stepsPerEpoch * params.epochs;
  const iwaeShare = params.iwaeK > 0 && nTest > 0 ? 0.1 : 0;
  let step = 0;
  let lastTrainLoss = NaN;
  let testLoss: number | null = null;
  let activeUnits = 0;
  try {
    for (let epoch = 1; epoch <= params.epochs; epoch++) {
      let epochLossSum = 0;
      for (const rows of epochBatches(
        rng,
        Int32Array.from({ length: nTrain }, (_, i) => i),
        params.batchSize,
      )) {
        step++;
        const b = rows.length;
        const warm =
          params.warmupEpochs > 0
            ? Math.min(1, (step - 1) / (params.warmupEpochs * stepsPerEpoch))
            : 1;
        const klWeight = params.beta * warm;
        const batch = gatherRows(trainX, d, rows);
        const report = tf.tidy(() => {
          const x = tf.tensor2d(batch, [b, d]);
          const eps = tf.randomNormal([b, L], 0, 1, 'float32', rng.nextSeed()) as tfjs.Tensor2D;
          return adam.step((keep) => {
            const t = elboTerms(tf, model, x, eps);
            const recon = tf.mean(t.recon);
            const kl = tf.mean(t.kl);
            keep(tf.stack([recon, kl]));
            return tf.add(recon, tf.mul(kl, klWeight)) as tfjs.Scalar;
          });
        });
        const [reconModel, kl] = await report.data();
        report.dispose();
        const recon = reconModel + scaling.logScale;
        const loss = recon + kl;
        if (!Number.isFinite(loss))
          throw new DataError(
            localText(
              params.likelihood === 'gaussian-learned'
                ? 'fail.vaeLossNotFiniteVariance'
                : 'fail.vaeLossNotFinite',
              { step },
            ),
          );
        epochLossSum += loss * b;
        const metrics: Record<string, number> = { loss, recon, kl };
        if (klWeight !== 1) metrics.klWeight = klWeight;
        emit.metrics?.(step, metrics);
        options.onStep?.(step, recon, kl);
        if (params.galleryEvery > 0 && step % params.galleryEvery === 0) await emitGalleries(step);
        emit.progress?.((step / totalSteps) * (1 - iwaeShare), {
          name: 'train',
          fraction: step / totalSteps,
          ...(iwaeShare > 0 ? { next: 'iwae' as const } : {}),
        });
        await checkpoint('step', step);
      }
      lastTrainLoss = epochLossSum / nTrain;
      const epochMetrics: Record<string, number> = { epochLoss: lastTrainLoss };
      // Latent statistics come from the test rows, or the training rows without a test set.
      const evalX = nTest > 0 ? testX : trainX;
      const evalRows = nTest > 0 ? split.test : split.train;
      const ev = await evaluate(tf, model, evalX, evalRows.length, rng);
      if (nTest > 0) {
        testLoss = ev.loss + scaling.logScale;
        epochMetrics.testLoss = testLoss;
      }
      activeUnits = columnVariances(ev.means, evalRows.length, L).filter(
        (v) => v > ACTIVE_UNIT_THRESHOLD,
      ).length;
      epochMetrics.activeUnits = activeUnits;
      emit.metrics?.(step, epochMetrics);
      emitLatents(step, ev.means, evalRows);
      options.onEpoch?.(epoch, lastTrainLoss, testLoss);
      await checkpoint('epoch', step);
    }
    if (params.galleryEvery === 0 || step % params.galleryEvery !== 0) await emitGalleries(step);

    let testIwae: number | null = null;
    if (params.iwaeK > 0 && nTest > 0) {
      const chunks = Math.max(1, Math.ceil((nTest * params.iwaeK * d) / IWAE_CHUNK_VALUES));
      let done = 0;
      const bound = await iwaeBound(tf, model, testX, nTest, params.iwaeK, rng, async () => {
        done++;
        const fraction = Math.min(1, done / chunks);
        emit.progress?.(1 - iwaeShare + iwaeShare * fraction, { name: 'iwae', fraction });
        await checkpoint('iwae', step);
      });
      testIwae = -bound.reduce((s, v) => s + v, 0) / nTest + scaling.logScale;
      emit.metrics?.(step, { testIwae });
    }

    // Test rows to pick interpolation endpoints from, spread evenly over the test set: a data set
    // sorted by label (the bundled digits are) still offers every label.
    const examples = spreadRows(nTest > 0 ? split.test : split.train, EXAMPLE_ROWS);
    const saved = await vaeModelArtifact(model, params, scaling, image, examples);
    emit.artifact?.('model', step, saved.meta, saved.data);
    emit.progress?.(1);
    return {
      trainLoss: lastTrainLoss,
      testLoss,
      testIwae,
      iwaeK: params.iwaeK,
      activeUnits,
      epochs: params.epochs,
      steps: step,
      seconds: (performance.now() - started) / 1000,
      trainRows: nTrain,
      testRows: nTest,
    };
  } finally {
    adam.dispose();
    disposeVaeModel(model);
  }
}

/** The 'model' artifact's meta (its schema is shared: the renderer and the CLI read it too). */
export type { VaeModelMeta };

async function vaeModelArtifact(
  m: VaeModel,
  p: VaeParams,
  scaling: Scaling,
  image: ImageShape | undefined,
  exampleRows: Int32Array,
): Promise<{ meta: VaeModelMeta; data: Float32Array }> {
  const list: { name: string; shape: number[]; values: Float32Array }[] = [];
  for (const [name, mlp] of [
    ['encoder', m.encoder],
    ['decoder', m.decoder],
  ] as const) {
    list.push(...mlpTensorList(name, mlp.sizes, await mlpToArrays(mlp)));
  }
  if (m.logVarX) {
    const lv = tf2Array(await m.logVarX.data(), m.inputDim);
    list.push({ name: 'logVarX', shape: [m.inputDim], values: lv });
  }
  list.push({ name: 'centre', shape: [m.inputDim], values: Float32Array.from(scaling.centre) });
  list.push({ name: 'scale', shape: [m.inputDim], values: Float32Array.from(scaling.scale) });
  const { entries, data } = packTensors(list);
  const meta: VaeModelMeta = {
    format: VAE_MODEL_FORMAT,
    inputDim: m.inputDim,
    latentDim: m.latentDim,
    encoderSizes: m.encoder.sizes,
    decoderSizes: m.decoder.sizes,
    activation: p.activation,
    likelihood: p.likelihood,
    exampleRows: Array.from(exampleRows),
    tensors: entries,
  };
  if (image) meta.image = image;
  return { meta, data };
}

/** A fixed log-variance is one value; stored per column like a learned one. */
function tf2Array(values: ArrayLike<number>, d: number): Float32Array {
  return values.length === d ? Float32Array.from(values) : new Float32Array(d).fill(values[0]);
}

/** A saved VAE, rebuilt (weights not trainable), with its data scaling. */
export interface LoadedVae {
  model: VaeModel;
  /** Decoded means in the data's units for latent codes z (rows × latentDim, row-major). */
  decode(z: Float32Array, rows: number): Promise<Float32Array>;
  /** Posterior means of rows of data (rows × inputDim, data units). */
  encodeMeans(x: Float32Array, rows: number): Promise<Float32Array>;
  dispose(): void;
}

export function loadVaeModel(tf: Tf, meta: VaeModelMeta, data: Float32Array): LoadedVae {
  const get = (name: string) => unpackTensor(meta.tensors, data, name);
  const layers = (name: string, sizes: number[]) =>
    sizes.slice(1).map((_, i) => ({
      weights: get(`${name}/${i}/weights`),
      bias: get(`${name}/${i}/bias`),
    }));
  const encoder = mlpFromArrays(
    tf,
    meta.encoderSizes,
    meta.activation,
    layers('encoder', meta.encoderSizes),
    { trainable: false },
  );
  const decoder = mlpFromArrays(
    tf,
    meta.decoderSizes,
    meta.activation,
    layers('decoder', meta.decoderSizes),
    { trainable: false },
  );
  const logVarX = meta.likelihood === 'bernoulli' ? null : tf.tensor1d(get('logVarX'));
  const centre = get('centre');
  const scale = get('scale');
  const model: VaeModel = {
    inputDim: meta.inputDim,
    latentDim: meta.latentDim,
    likelihood: meta.likelihood,
    encoder,
    decoder,
    logVarX,
  };
  const d = meta.inputDim;
  return {
    model,
    async decode(z, rows) {
      const t = tf.tidy(() => decodeMean(tf, model, tf.tensor2d(z, [rows, meta.latentDim])));
      const v = (await t.data()) as Float32Array;
      t.dispose();
      return unscaleRows(v, d, { centre, scale });
    },
    async encodeMeans(x, rows) {
      const scaled = Float32Array.from(x, (v, i) => (v - centre[i % d]) / scale[i % d]);
      const t = tf.tidy(() => encode(tf, model, tf.tensor2d(scaled, [rows, d])).mean);
      const v = (await t.data()) as Float32Array;
      t.dispose();
      return v;
    },
    dispose: () => disposeVaeModel(model),
  };
}

export const vae: Algorithm<VaeParams, VaeSummary> = {
  id: 'vae',
  params: vaeParams,
  run(ctx) {
    return fitVae(ctx.tf, ctx.data, ctx.params, {
      rng: ctx.rng,
      emit: ctx.emit,
      signal: ctx.signal,
      checkpoint: (phase, step) => ctx.checkpoint(phase, step),
    });
  },
};
