/**
 * A restricted Boltzmann machine trained by contrastive divergence: CD-k, or persistent CD
 * (Tieleman 2008) with one chain per batch row, as scikit-learn's BernoulliRBM `_fit`: the
 * positive phase with hidden probabilities, the negative phase from sampled chains, every
 * parameter stepped by the batch mean times the learning rate. On top of that, Hinton's guide:
 * initial weights N(0, 0.01²), visible biases log(p / (1 − p)), hidden biases 0, momentum (one
 * value, then another from a chosen epoch) and L2 weight decay on the weights only. Gaussian
 * visibles (unit variance) fit standardised numeric tables.
 *
 * Plain typed arrays, no tfjs (`tensors: false`): at batch 10 every op is a few thousand flops,
 * and tfjs-wasm pays more per op dispatch than the op costs (measured in bench/rbm.ts's notes);
 * loops over binary images also skip the off pixels, which a dense matmul cannot.
 *
 * Per epoch: reconstruction error, the exact pseudo-log-likelihood (every pixel) and the mean
 * free energy of training versus test rows (Hinton's overfitting monitor). Galleries: filters,
 * fantasy particles (the chains), reconstructions, and a histogram of hidden probabilities. At the
 * end: log Z by annealed importance sampling and the test log-likelihood; the weights as a model.
 */
import {
  rbmParams,
  type HistogramMeta,
  type RbmParams,
  type RbmSummary,
} from '../../../shared/algorithms/rbm';
import {
  annealedLogZ,
  createRbm,
  freeEnergies,
  hiddenInput,
  meanLogLikelihood,
  pseudoLogLikelihoods,
  RBM_MODEL_FORMAT,
  sigmoid,
  visibleInput,
  visibleLogOdds,
  type Rbm,
  type RbmModelMeta,
} from '../../../shared/rbm-model';
import { localText } from '../../../shared/i18n';
import {
  checkValues,
  DataError,
  type Algorithm,
  type EngineData,
  type Emitter,
} from '../algorithm';
import type { Rng } from '../../../shared/rng';
import type { StageReport } from '../../../shared/progress';
import { epochBatches } from '../training/batches';
import { interleaveImages, toImageGrid, type ImageShape } from '../training/image-grid';
import { packTensors } from '../training/model-artifact';
import { trainingCheckpoint } from '../training/checkpoint';
import { splitRows, spreadRows, type RowSplit } from '../training/split';

/** Rows the per-epoch monitors use from each of the training and test sets. */
export const MONITOR_ROWS = 1000;
const FILTERS_SHOWN = 100;
const RECONSTRUCTION_PAIRS = 8;
const HISTOGRAM_BINS = 20;
const EXAMPLE_ROWS = 32;
/** Share of the progress bar the end-of-run AIS takes. */
const AIS_SHARE = 0.2;

export interface FitRbmOptions {
  rng: Rng;
  emit?: Partial<Emitter>;
  checkpoint?: (phase: string, step: number) => Promise<void>;
  signal?: AbortSignal;
  /** Explicit train/test rows (e.g. a published split); otherwise drawn from the rng. */
  split?: RowSplit;
  /** Skip the per-epoch monitors (benchmarks time training alone). */
  monitor?: boolean;
  /** Called after every epoch with its monitors (tests, benchmarks). */
  onEpoch?: (epoch: number, metrics: Record<string, number>) => void;
}

function checkData(data: EngineData, p: RbmParams): void {
  if (data.rows < 1 || data.cols < 1) throw new DataError(localText('fail.emptyData'));
  checkValues(data, p.visible === 'bernoulli' ? 'fail.binaryRange' : null);
}

/** Column centre and scale over the training rows (two passes: E[x²] − μ² cancels). */
function standardisation(data: EngineData, train: Int32Array) {
  const d = data.cols;
  const n = train.length;
  const centre = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const r of train) for (let j = 0; j < d; j++) centre[j] += data.values[r * d + j] / n;
  for (const r of train)
    for (let j = 0; j < d; j++) scale[j] += (data.values[r * d + j] - centre[j]) ** 2 / n;
  for (let j = 0; j < d; j++) scale[j] = scale[j] > 0 ? Math.sqrt(scale[j]) : 1;
  return { centre, scale };
}

/** The model's view of some rows: binary (threshold or one Bernoulli draw) or standardised. */
function prepareRows(
  data: EngineData,
  rows: Int32Array,
  p: RbmParams,
  rng: Rng,
  std: { centre: Float64Array; scale: Float64Array },
): Float64Array {
  const d = data.cols;
  const out = new Float64Array(rows.length * d);
  for (let k = 0; k < rows.length; k++) {
    const src = rows[k] * d;
    for (let j = 0; j < d; j++) {
      const x = data.values[src + j];
      out[k * d + j] =
        p.visible === 'gaussian'
          ? (x - std.centre[j]) / std.scale[j]
          : p.binarize === 'threshold'
            ? +(x > p.threshold)
            : +(rng.uniform() < x);
    }
  }
  return out;
}

/** Indices, into a prepared block, of rows spread evenly over it. */
function spreadIndices(total: number, max: number): Int32Array {
  return spreadRows(
    Int32Array.from({ length: total }, (_, i) => i),
    max,
  );
}

/** Mean squared reconstruction error per example: v → p(h|v) → E[v|h] (mean field, no noise). */
export function reconstructionError(m: Rbm, x: Float64Array, rows: number): number {
  const pre = new Float64Array(m.nh);
  const vin = new Float64Array(m.nv);
  const active = new Int32Array(m.nh);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const v = x.subarray(r * m.nv, (r + 1) * m.nv);
    reconstruct(m, v, pre, vin, active);
    for (let i = 0; i < m.nv; i++) total += (vin[i] - v[i]) ** 2;
  }
  return total / rows;
}

/** vin ← E[v | h = p(h|v)], in place. */
function reconstruct(
  m: Rbm,
  v: Float64Array,
  pre: Float64Array,
  vin: Float64Array,
  active: Int32Array,
): Float64Array {
  hiddenInput(m, v, pre);
  for (let j = 0; j < m.nh; j++) pre[j] = sigmoid(pre[j]);
  visibleInput(m, pre, vin, active);
  if (m.visible === 'bernoulli') for (let i = 0; i < m.nv; i++) vin[i] = sigmoid(vin[i]);
  return vin;
}

function mean(x: Float64Array): number {
  return x.reduce((s, v) => s + v, 0) / x.length;
}

/**
 * The training state: the model, its momentum buffers and the persistent chains (hidden states,
 * one per batch row; scikit-learn starts them at zero).
 */
export interface RbmTrainer {
  model: Rbm;
  /** One update from a batch of prepared rows (n × nv). */
  step(batch: Float64Array, n: number, momentum: number): void;
  /** The last negative phase's visible samples, one per batch row. */
  fantasy(): { v: Float64Array; count: number };
  /**
   * The chains' hidden states (binary, one per batch row): PCD's persistent chains, which the next
   * update continues; with CD, the last batch's last hidden sample.
   */
  chainStates(): { h: Float64Array; count: number };
}

export function createRbmTrainer(
  model: Rbm,
  p: Pick<RbmParams, 'persistent' | 'cdK' | 'learningRate' | 'weightDecay' | 'batchSize'>,
  rng: Rng,
): RbmTrainer {
  const { nv, nh, W, b, c } = model;
  const bernoulli = model.visible === 'bernoulli';
  const B = p.batchSize;
  const chains = new Float64Array(B * nh); // binary hidden states
  const hPos = new Float64Array(B * nh);
  const hNeg = new Float64Array(B * nh);
  const vNeg = new Float64Array(B * nv);
  const vin = new Float64Array(nv);
  const active = new Int32Array(nh);
  let lastNegatives = 0;
  // Momentum and decay need the whole gradient; without them it is added to W in place.
  let gW: Float32Array | null = null;
  let velW: Float64Array | null = null;
  const gb = new Float64Array(nv);
  const gc = new Float64Array(nh);
  const velB = new Float64Array(nv);
  const velC = new Float64Array(nh);

  const sampleInto = (probs: Float64Array, out: Float64Array) => {
    for (let j = 0; j < probs.length; j++) out[j] = rng.uniform() < probs[j] ? 1 : 0;
  };
  const hiddenProbs = (v: Float64Array, out: Float64Array) => {
    hiddenInput(model, v, out);
    for (let j = 0; j < nh; j++) out[j] = sigmoid(out[j]);
  };
  const sampleVisible = (h: Float64Array, out: Float64Array) => {
    visibleInput(model, h, vin, active);
    for (let i = 0; i < nv; i++)
      out[i] = bernoulli ? (rng.uniform() < sigmoid(vin[i]) ? 1 : 0) : vin[i] + rng.normal();
  };
  // target[i, :] += scale · v_i · h for every v_i ≠ 0 (real-valued visibles).
  const addOuter = (target: Float32Array, v: Float64Array, h: Float64Array, scale: number) => {
    for (let i = 0; i < nv; i++) {
      const x = v[i];
      if (x === 0) continue;
      const a = scale * x;
      const row = i * nh;
      for (let j = 0; j < nh; j++) target[row + j] += a * h[j];
    }
  };
  // Binary visibles: per pixel, target[i, :] += Σ of the scaled hidden vectors of the positive
  // rows where it is on, minus those of the negative ones: each weight row is read and written
  // once per batch, not once per row, and the sum is added up four vectors at a time.
  const signed = new Float64Array(2 * B * nh);
  const list = new Int32Array(2 * B);
  const addBinaryOuters = (target: Float32Array, vp: Float64Array, n: number, scale: number) => {
    for (let s = 0; s < n; s++)
      for (let j = 0; j < nh; j++) {
        signed[s * nh + j] = scale * hPos[s * nh + j];
        signed[(n + s) * nh + j] = -scale * hNeg[s * nh + j];
      }
    for (let i = 0; i < nv; i++) {
      let q = 0;
      for (let s = 0; s < n; s++) {
        if (vp[s * nv + i] !== 0) list[q++] = s * nh;
        if (vNeg[s * nv + i] !== 0) list[q++] = (n + s) * nh;
      }
      if (q === 0) continue;
      const row = i * nh;
      let k = 0;
      for (; k + 8 <= q; k += 8) {
        const r0 = list[k],
          r1 = list[k + 1],
          r2 = list[k + 2],
          r3 = list[k + 3];
        const r4 = list[k + 4],
          r5 = list[k + 5],
          r6 = list[k + 6],
          r7 = list[k + 7];
        for (let j = 0; j < nh; j++)
          target[row + j] +=
            signed[r0 + j] +
            signed[r1 + j] +
            signed[r2 + j] +
            signed[r3 + j] +
            (signed[r4 + j] + signed[r5 + j] + signed[r6 + j] + signed[r7 + j]);
      }
      for (; k + 4 <= q; k += 4) {
        const r0 = list[k],
          r1 = list[k + 1],
          r2 = list[k + 2],
          r3 = list[k + 3];
        for (let j = 0; j < nh; j++)
          target[row + j] += signed[r0 + j] + signed[r1 + j] + signed[r2 + j] + signed[r3 + j];
      }
      for (; k < q; k++) {
        const r = list[k];
        for (let j = 0; j < nh; j++) target[row + j] += signed[r + j];
      }
    }
  };

  return {
    model,
    step(batch, n, momentum) {
      const plain = momentum === 0 && p.weightDecay === 0 && velW === null;
      for (let s = 0; s < n; s++)
        hiddenProbs(batch.subarray(s * nv, (s + 1) * nv), hPos.subarray(s * nh, (s + 1) * nh));
      for (let s = 0; s < n; s++) {
        const h = chains.subarray(s * nh, (s + 1) * nh);
        // CD starts each chain at the data: h ~ p(h | v_data).
        if (!p.persistent) sampleInto(hPos.subarray(s * nh, (s + 1) * nh), h);
        const v = vNeg.subarray(s * nv, (s + 1) * nv);
        const hn = hNeg.subarray(s * nh, (s + 1) * nh);
        for (let t = 1; t <= p.cdK; t++) {
          sampleVisible(h, v);
          hiddenProbs(v, hn);
          if (t < p.cdK) sampleInto(hn, h);
        }
      }
      lastNegatives = n;
      // Gradient of the log-likelihood, batch mean: ⟨v hᵀ⟩_data − ⟨v hᵀ⟩_model.
      const rate = p.learningRate / n;
      let target = W;
      let scale = rate;
      if (!plain) {
        gW ??= new Float32Array(nv * nh);
        velW ??= new Float64Array(nv * nh);
        gW.fill(0);
        target = gW;
        scale = 1 / n;
      }
      gb.fill(0);
      gc.fill(0);
      if (bernoulli) addBinaryOuters(target, batch, n, scale);
      for (let s = 0; s < n; s++) {
        const vp = batch.subarray(s * nv, (s + 1) * nv);
        const vn = vNeg.subarray(s * nv, (s + 1) * nv);
        const hp = hPos.subarray(s * nh, (s + 1) * nh);
        const hn = hNeg.subarray(s * nh, (s + 1) * nh);
        if (!bernoulli) {
          addOuter(target, vp, hp, scale);
          addOuter(target, vn, hn, -scale);
        }
        for (let j = 0; j < nh; j++) gc[j] += (hp[j] - hn[j]) / n;
        for (let i = 0; i < nv; i++) gb[i] += (vp[i] - vn[i]) / n;
      }
      if (plain) {
        for (let j = 0; j < nh; j++) c[j] += p.learningRate * gc[j];
        for (let i = 0; i < nv; i++) b[i] += p.learningRate * gb[i];
      } else {
        const g = gW!;
        const vel = velW!;
        const lr = p.learningRate;
        const wd = p.weightDecay;
        for (let k = 0; k < g.length; k++) {
          vel[k] = momentum * vel[k] + lr * (g[k] - wd * W[k]);
          W[k] += vel[k];
        }
        for (let j = 0; j < nh; j++) c[j] += velC[j] = momentum * velC[j] + lr * gc[j];
        for (let i = 0; i < nv; i++) b[i] += velB[i] = momentum * velB[i] + lr * gb[i];
      }
      // The chains continue from h ~ p(h | v_model) (computed before this update, as sklearn).
      if (p.persistent)
        for (let s = 0; s < n; s++)
          sampleInto(hNeg.subarray(s * nh, (s + 1) * nh), chains.subarray(s * nh, (s + 1) * nh));
    },
    fantasy() {
      return { v: vNeg.slice(0, lastNegatives * nv), count: lastNegatives };
    },
    chainStates() {
      return { h: chains.slice(0, lastNegatives * nh), count: lastNegatives };
    },
  };
}

/** Hinton's initialisation: W ~ N(0, 0.01²), b = log(p / (1 − p)) of the training data, c = 0. */
export function initRbm(
  visible: Rbm['visible'],
  trainX: Float64Array,
  rows: number,
  nv: number,
  nh: number,
  rng: Rng,
): Rbm {
  const m = createRbm(visible, nv, nh);
  for (let k = 0; k < m.W.length; k++) m.W[k] = 0.01 * rng.normal();
  if (visible === 'bernoulli') m.b.set(visibleLogOdds(trainX, rows, nv));
  return m;
}

export async function fitRbm(
  data: EngineData,
  params: RbmParams,
  options: FitRbmOptions,
): Promise<RbmSummary> {
  const started = performance.now();
  checkData(data, params);
  const { rng } = options;
  const emit = options.emit ?? {};
  const checkpoint = trainingCheckpoint(options);
  const nv = data.cols;
  const nh = params.hiddenUnits;
  const bernoulli = params.visible === 'bernoulli';
  const split = options.split ?? splitRows(rng, data.rows, params.testFraction);
  const nTrain = split.train.length;
  const nTest = split.test.length;
  if (nTrain < 1) throw new DataError(localText('refuse.noTrainingRows'));
  const std = standardisation(data, split.train);
  let trainX = prepareRows(data, split.train, params, rng, std);
  const testX = prepareRows(data, split.test, params, rng, std);
  // Monitors: the same spread-out training rows every epoch, and the test rows (at most 1,000).
  const monitorTrain = spreadIndices(nTrain, MONITOR_ROWS);
  const monitorTest = spreadIndices(nTest, MONITOR_ROWS);
  const pick = (x: Float64Array, idx: Int32Array) => {
    const out = new Float64Array(idx.length * nv);
    for (let k = 0; k < idx.length; k++)
      out.set(x.subarray(idx[k] * nv, (idx[k] + 1) * nv), k * nv);
    return out;
  };
  const image: ImageShape | undefined = data.image;

  const model = initRbm(params.visible, trainX, nTrain, nv, nh, rng);
  const trainer = createRbmTrainer(model, params, rng);
  const stepsPerEpoch = Math.ceil(nTrain / params.batchSize);
  const totalSteps = stepsPerEpoch * params.epochs;
  const aisShare = params.aisRuns > 0 ? AIS_SHARE : 0;
  // Training and AIS take time at different paces: each is timed as its own stage.
  const trainingStage = (step: number): StageReport => ({
    name: 'train',
    fraction: step / totalSteps,
    ...(params.aisRuns > 0 ? { next: 'ais' as const } : {}),
  });

  const emitGalleries = (step: number) => {
    if (!emit.artifact) return;
    const testRows = nTest > 0 ? testX : trainX;
    const testCount = nTest > 0 ? nTest : nTrain;
    if (image) {
      // Filters: each hidden unit's weights scaled by its own largest |w| (0 is mid-grey).
      const shown = Math.min(nh, FILTERS_SHOWN);
      const filters = new Float32Array(shown * nv);
      for (let j = 0; j < shown; j++) {
        let max = 1e-12;
        for (let i = 0; i < nv; i++) max = Math.max(max, Math.abs(model.W[i * nh + j]));
        for (let i = 0; i < nv; i++) filters[j * nv + i] = 0.5 + model.W[i * nh + j] / (2 * max);
      }
      const f = toImageGrid(filters, image, { role: 'filters', columns: 10 });
      emit.artifact('image-grid', step, f.meta, f.data);
      // Fantasy particles: the chains' pixels, E[v | h] at their current hidden states (the
      // means show a chain's state more clearly than its binary sample).
      const { h, count } = trainer.chainStates();
      if (count > 0) {
        const means = new Float32Array(count * nv);
        const vin = new Float64Array(nv);
        const act = new Int32Array(nh);
        for (let s = 0; s < count; s++) {
          visibleInput(model, h.subarray(s * nh, (s + 1) * nh), vin, act);
          for (let i = 0; i < nv; i++) means[s * nv + i] = bernoulli ? sigmoid(vin[i]) : vin[i];
        }
        const g = toImageGrid(means, image, {
          role: 'fantasy',
          columns: 10,
          range: bernoulli ? [0, 1] : [-2, 2],
        });
        emit.artifact('image-grid', step, g.meta, g.data);
      }
      const idx = spreadIndices(testCount, RECONSTRUCTION_PAIRS);
      const inputs = pick(testRows, idx);
      const outputs = new Float64Array(inputs.length);
      const pre = new Float64Array(nh);
      const act = new Int32Array(nh);
      for (let r = 0; r < idx.length; r++)
        outputs.set(
          reconstruct(model, inputs.subarray(r * nv, (r + 1) * nv), pre, new Float64Array(nv), act),
          r * nv,
        );
      const pairs = toImageGrid(
        interleaveImages(Float32Array.from(inputs), Float32Array.from(outputs), nv),
        image,
        { role: 'reconstructions', columns: 8, range: bernoulli ? [0, 1] : [-2, 2], pairs: true },
      );
      emit.artifact('image-grid', step, pairs.meta, pairs.data);
    }
    // Hidden probabilities over monitor rows: mostly near 0 or 1 is healthy, all ~0.5 is not.
    const counts = new Float64Array(HISTOGRAM_BINS);
    const rows = nTest > 0 ? monitorTest : monitorTrain;
    const pre = new Float64Array(nh);
    for (const r of rows) {
      hiddenInput(model, testRows.subarray(r * nv, (r + 1) * nv), pre);
      for (let j = 0; j < nh; j++)
        counts[Math.min(HISTOGRAM_BINS - 1, Math.floor(sigmoid(pre[j]) * HISTOGRAM_BINS))]++;
    }
    const meta: HistogramMeta = {
      role: 'hidden-activations',
      bins: HISTOGRAM_BINS,
      range: [0, 1],
      count: rows.length * nh,
    };
    emit.artifact('histogram', step, meta, counts);
  };

  const monitorTrainX = () => pick(trainX, monitorTrain);
  const monitorTestX = pick(testX, monitorTest);
  const monitors = (): Record<string, number> => {
    const tx = monitorTrainX();
    const out: Record<string, number> = {
      reconError: reconstructionError(model, tx, monitorTrain.length),
      trainFreeEnergy: mean(freeEnergies(model, tx, monitorTrain.length)),
    };
    if (nTest > 0) {
      out.testReconError = reconstructionError(model, monitorTestX, monitorTest.length);
      out.testFreeEnergy = mean(freeEnergies(model, monitorTestX, monitorTest.length));
    }
    if (bernoulli) {
      out.trainPll = mean(pseudoLogLikelihoods(model, tx, monitorTrain.length));
      if (nTest > 0)
        out.testPll = mean(pseudoLogLikelihoods(model, monitorTestX, monitorTest.length));
    }
    return out;
  };

  let step = 0;
  let trainSeconds = 0;
  let last: Record<string, number> = {};
  const allRows = Int32Array.from({ length: nTrain }, (_, i) => i);
  for (let epoch = 1; epoch <= params.epochs; epoch++) {
    const momentum =
      epoch < params.momentumSwitchEpoch ? params.momentumStart : params.momentumFinal;
    if (bernoulli && params.binarize === 'stochastic' && epoch > 1)
      trainX = prepareRows(data, split.train, params, rng, std);
    const epochStart = performance.now();
    for (const rows of epochBatches(rng, allRows, params.batchSize)) {
      step++;
      const t0 = performance.now();
      trainer.step(pick(trainX, rows), rows.length, momentum);
      trainSeconds += (performance.now() - t0) / 1000;
      if (params.galleryEvery > 0 && step % params.galleryEvery === 0) emitGalleries(step);
      if (step % 50 === 0) {
        emit.progress?.((step / totalSteps) * (1 - aisShare), trainingStage(step));
        await checkpoint('step', step);
      }
    }
    const epochSeconds = (performance.now() - epochStart) / 1000;
    if (options.monitor !== false) {
      last = monitors();
      last.epochSeconds = epochSeconds;
      emit.metrics?.(step, last);
    }
    if (!params.galleryEvery || step % params.galleryEvery !== 0) emitGalleries(step);
    options.onEpoch?.(epoch, last);
    emit.progress?.((step / totalSteps) * (1 - aisShare), trainingStage(step));
    await checkpoint('epoch', step);
  }
  if (!Object.keys(last).length) last = monitors();

  // Log-likelihood by AIS: log Z, then log p(v) = −F(v) − log Z for test and training rows.
  let ais: { logZ: number; logZStd: number } | null = null;
  let testLogLikelihood: number | null = null;
  let trainLogLikelihood: number | null = null;
  if (params.aisRuns > 0) {
    const r = await annealedLogZ(model, {
      runs: params.aisRuns,
      temperatures: params.aisTemperatures,
      rng,
      baseBias: bernoulli ? visibleLogOdds(trainX, nTrain, nv) : undefined,
      between: async (fraction) => {
        emit.progress?.(1 - aisShare + aisShare * fraction, { name: 'ais', fraction });
        await checkpoint('ais', step);
      },
    });
    ais = { logZ: r.logZ, logZStd: r.logZStd };
    // Gaussian visibles model standardised columns: the density in the data's units is lower by
    // Σ log scale_j (0 for binary pixels, whose scale is 1).
    const logScale = std.scale.reduce((a, v) => a + (bernoulli ? 0 : Math.log(v)), 0);
    if (nTest > 0) testLogLikelihood = meanLogLikelihood(model, testX, nTest, r.logZ) - logScale;
    trainLogLikelihood =
      meanLogLikelihood(model, monitorTrainX(), monitorTrain.length, r.logZ) - logScale;
    const m: Record<string, number> = { logZ: r.logZ, logZStd: r.logZStd, trainLogLikelihood };
    if (testLogLikelihood !== null) m.testLogLikelihood = testLogLikelihood;
    emit.metrics?.(step, m);
  }
  const exampleRows = spreadRows(nTest > 0 ? split.test : split.train, EXAMPLE_ROWS);
  const saved = rbmModelArtifact(model, params, std, image, exampleRows);
  emit.artifact?.('model', step, saved.meta, saved.data);
  emit.progress?.(1);
  return {
    testLogLikelihood,
    trainLogLikelihood,
    logZ: ais?.logZ ?? null,
    logZStd: ais?.logZStd ?? null,
    aisRuns: params.aisRuns,
    aisTemperatures: params.aisTemperatures,
    trainPll: last.trainPll ?? null,
    testPll: last.testPll ?? null,
    trainFreeEnergy: last.trainFreeEnergy,
    testFreeEnergy: last.testFreeEnergy ?? null,
    reconError: last.testReconError ?? last.reconError,
    secondsPerEpoch: trainSeconds / params.epochs,
    epochs: params.epochs,
    steps: step,
    seconds: (performance.now() - started) / 1000,
    trainRows: nTrain,
    testRows: nTest,
  };
}

export function rbmModelArtifact(
  m: Rbm,
  p: Pick<RbmParams, 'visible' | 'binarize' | 'threshold'>,
  std: { centre: Float64Array; scale: Float64Array },
  image: ImageShape | undefined,
  exampleRows: Int32Array,
): { meta: RbmModelMeta; data: Float32Array } {
  const list = [
    { name: 'W', shape: [m.nv, m.nh], values: Float32Array.from(m.W) },
    { name: 'b', shape: [m.nv], values: Float32Array.from(m.b) },
    { name: 'c', shape: [m.nh], values: Float32Array.from(m.c) },
  ];
  if (m.visible === 'gaussian')
    list.push(
      { name: 'centre', shape: [m.nv], values: Float32Array.from(std.centre) },
      { name: 'scale', shape: [m.nv], values: Float32Array.from(std.scale) },
    );
  const { entries, data } = packTensors(list);
  const meta: RbmModelMeta = {
    format: RBM_MODEL_FORMAT,
    visible: m.visible,
    nv: m.nv,
    nh: m.nh,
    threshold: p.visible === 'bernoulli' && p.binarize === 'threshold' ? p.threshold : null,
    exampleRows: Array.from(exampleRows),
    tensors: entries,
  };
  if (image) meta.image = image;
  return { meta, data };
}

export const rbm: Algorithm<RbmParams, RbmSummary> = {
  id: 'rbm',
  tensors: false,
  params: rbmParams,
  run(ctx) {
    return fitRbm(ctx.data, ctx.params, {
      rng: ctx.rng,
      emit: ctx.emit,
      signal: ctx.signal,
      checkpoint: (phase, step) => ctx.checkpoint(phase, step),
    });
  },
};
