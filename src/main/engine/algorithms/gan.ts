/**
 * A generative adversarial network (Goodfellow et al. 2014) with MLP generator and discriminator,
 * on a 2-D preset, painted points, two columns of a table, or images. Every loss is computed from
 * the discriminator's logits (or critic values), never from probabilities.
 *
 * One step: `dSteps` discriminator updates on a fresh real batch and fresh noise, then one
 * generator update on fresh noise. Values stay on the device: the step's losses and mean outputs
 * are summed there and read back only every `viewEvery` steps (GAN Lab reads back every 50), when
 * the metrics, the 2-D view (D's output on a grid, real and generated points with the generator's
 * push on each) and the checks for NaN, mode collapse and an overpowering discriminator run.
 * In step mode (the user paused) every update is read back and drawn.
 *
 * Randomness: the weights, real batches and tfjs seeds of the noise come from the run's rng; the
 * evaluation (the samples the metrics are computed on) has its own generator split off at the
 * start, so how often one looks does not change the training.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import {
  ganParams,
  type GanFieldMeta,
  type GanLoss,
  type GanParams,
  type GanPointsMeta,
  type GanSummary,
} from '../../../shared/algorithms/gan';
import {
  boundsOf,
  histogramDivergences,
  modeCoverage,
  presetBounds,
  presetModes,
  samplePreset,
} from '../../../shared/gan-2d';
import { GAN_MODEL_FORMAT, type GanModelMeta } from '../../../shared/gan-model';
import { localText, type LocalText } from '../../../shared/i18n';
import { mlpTensorList } from '../../../shared/mlp-forward';
import {
  CancelledError,
  checkImageShape,
  checkValues,
  DataError,
  type Algorithm,
  type EngineData,
  type Emitter,
} from '../algorithm';
import { createRng, type Rng } from '../../../shared/rng';
import { createAdam, createSgd, type Optimizer } from '../training/adam';
import { epochBatches, gatherRows, unscaleRows } from '../training/batches';
import { toImageGrid, valueRange, type ImageShape } from '../training/image-grid';
import { createMlp, mlpToArrays, type Activation, type Mlp } from '../training/mlp';
import { packTensors } from '../training/model-artifact';

type Tf = typeof tfjs;

/** Samples the 2-D metrics (modes, high quality, KL / JS) are computed on. */
export const EVAL_SAMPLES = 2500;
/** Real and generated points drawn in the 2-D view. */
const VIEW_POINTS = 400;
/** Grid points per side of the discriminator's heat map. */
const FIELD_SIZE = 40;
const GALLERY_SAMPLES = 64;
/** D(x) above this with D(G(z)) below 1 − it: the discriminator wins outright. */
const OVERPOWER = 0.95;
/** Modes covered falling this far below the best so far is flagged as likely collapse. */
const COLLAPSE_DROP = 2;

/** Losses whose discriminator output is a logit of P(real); the others output a score. */
export function outputsProbability(loss: GanLoss): boolean {
  return loss === 'non-saturating' || loss === 'minimax';
}

/**
 * The discriminator's (critic's) loss from its outputs on a real and a generated batch. With
 * one-sided label smoothing s, the real target is 1 − s (BCE, least squares); fakes keep 0.
 */
export function discriminatorLoss(
  tf: Tf,
  loss: GanLoss,
  real: tfjs.Tensor,
  fake: tfjs.Tensor,
  smoothing = 0,
): tfjs.Scalar {
  const target = 1 - smoothing;
  switch (loss) {
    case 'non-saturating':
    case 'minimax':
      // BCE(l, t) = softplus(l) − t·l; t = 1 − s for real, t = 0 for fake.
      return tf.add(
        tf.mean(tf.sub(tf.softplus(real), tf.mul(real, target))),
        tf.mean(tf.softplus(fake)),
      ) as tfjs.Scalar;
    case 'least-squares':
      return tf.mul(
        tf.add(tf.mean(tf.square(tf.sub(real, target))), tf.mean(tf.square(fake))),
        0.5,
      ) as tfjs.Scalar;
    case 'wgan-gp':
      return tf.sub(tf.mean(fake), tf.mean(real)) as tfjs.Scalar;
    case 'hinge':
      return tf.add(
        tf.mean(tf.relu(tf.sub(1, real))),
        tf.mean(tf.relu(tf.add(1, fake))),
      ) as tfjs.Scalar;
  }
}

/** The generator's loss from the discriminator's outputs on generated samples. */
export function generatorLoss(tf: Tf, loss: GanLoss, fake: tfjs.Tensor): tfjs.Scalar {
  switch (loss) {
    case 'non-saturating':
      return tf.mean(tf.softplus(tf.neg(fake))) as tfjs.Scalar; // −log σ(l)
    case 'minimax':
      return tf.neg(tf.mean(tf.softplus(fake))) as tfjs.Scalar; // log(1 − σ(l))
    case 'least-squares':
      return tf.mul(tf.mean(tf.square(tf.sub(fake, 1))), 0.5) as tfjs.Scalar;
    case 'wgan-gp':
    case 'hinge':
      return tf.neg(tf.mean(fake)) as tfjs.Scalar;
  }
}

/** WGAN-GP's interpolation weights: one per example (rows × 1), uniform on [0, 1]. */
export function interpolationWeights(tf: Tf, rows: number, seed: number): tfjs.Tensor2D {
  return tf.randomUniform([rows, 1], 0, 1, 'float32', seed);
}

/**
 * Gulrajani et al.'s penalty E[(‖∇f(x̂)‖ − 1)²], x̂ = α·real + (1 − α)·fake, α per example. Its
 * gradient with respect to the critic's weights is a gradient of a gradient.
 */
export function gradientPenalty(
  tf: Tf,
  critic: (x: tfjs.Tensor2D) => tfjs.Tensor2D,
  real: tfjs.Tensor2D,
  fake: tfjs.Tensor2D,
  alpha: tfjs.Tensor2D,
): tfjs.Scalar {
  const mixed = tf.add(tf.mul(alpha, real), tf.mul(tf.sub(1, alpha), fake)) as tfjs.Tensor2D;
  const grad = tf.grad((x: tfjs.Tensor) => tf.sum(critic(x as tfjs.Tensor2D)))(mixed);
  // A tiny constant keeps the norm's own gradient finite where ∇f = 0.
  const norm = tf.sqrt(tf.add(tf.sum(tf.square(grad), 1), 1e-12));
  return tf.mean(tf.square(tf.sub(norm, 1)));
}

/**
 * Whether the backend in use differentiates a gradient (what WGAN-GP needs) through a critic with
 * this activation: the penalty's gradient for a tiny critic is checked against central
 * differences. Measured with tfjs 4.22 (wasm and cpu alike): right through ReLU; wrong through
 * tanh and sigmoid (their gradients reuse the saved output, which the outer tape does not
 * follow); missing for leakyRelu (no gradient for Greater).
 */
export async function secondOrderGradientsWork(tf: Tf, activation: Activation): Promise<boolean> {
  const rng = createRng(7);
  const critic = createMlp(tf, rng, [2, 4, 1], activation, 'pytorch');
  const real = tf.tensor2d([0.3, -0.2, 1, 0.5], [2, 2]);
  const fake = tf.tensor2d([-0.5, 0.1, 0.2, 0.9], [2, 2]);
  const alpha = tf.tensor2d([0.25, 0.75], [2, 1]);
  const penalty = () => gradientPenalty(tf, (x) => critic.apply(x), real, fake, alpha);
  try {
    const w = critic.layers[0].weights;
    const { grads, value } = tf.variableGrads(penalty, [w]);
    const analytic = Array.from(await grads[w.name].data());
    value.dispose();
    grads[w.name].dispose();
    const base = Float32Array.from(await w.data());
    const eps = 1e-3;
    const at = async (i: number, delta: number) => {
      const moved = Float32Array.from(base);
      moved[i] += delta;
      w.assign(tf.tensor2d(moved, w.shape));
      const v = tf.tidy(penalty);
      const out = (await v.data())[0];
      v.dispose();
      return out;
    };
    for (let i = 0; i < base.length; i++) {
      const numeric = ((await at(i, eps)) - (await at(i, -eps))) / (2 * eps);
      if (Math.abs(numeric - analytic[i]) > 2e-2 * Math.max(0.1, Math.abs(numeric))) return false;
    }
    return analytic.some((v) => v !== 0);
  } catch {
    return false;
  } finally {
    critic.dispose();
    real.dispose();
    fake.dispose();
    alpha.dispose();
  }
}

/**
 * Watches the read-backs for trouble and words it, once per episode: modes covered falling
 * COLLAPSE_DROP below the best so far (likely mode collapse; re-armed when the count is back at
 * its best), and D(x) → 1 with D(G(z)) → 0 (the discriminator overpowering the generator, whose
 * gradients then vanish; not for critics, whose outputs are not probabilities).
 */
export function troubleWatch(
  modes: number | null,
  loss: GanLoss,
): { check(step: number, m: Record<string, number>): LocalText[] } {
  let best = 0;
  let collapsed = false;
  let overpowered = false;
  return {
    check(step, m) {
      const notes: LocalText[] = [];
      if (modes !== null && m.modesCovered !== undefined) {
        best = Math.max(best, m.modesCovered);
        if (m.modesCovered <= best - COLLAPSE_DROP && !collapsed) {
          collapsed = true;
          notes.push(
            localText('note.modeCollapse', { step, best, covered: m.modesCovered, modes }),
          );
        } else if (m.modesCovered === best) collapsed = false;
      }
      if (loss !== 'wgan-gp' && loss !== 'hinge') {
        const winning = m.dReal > OVERPOWER && m.dFake < 1 - OVERPOWER;
        if (winning && !overpowered)
          notes.push(
            localText('note.overpowering', {
              step,
              dReal: m.dReal.toFixed(3),
              dFake: m.dFake.toFixed(3),
            }),
          );
        overpowered = winning;
      }
      return notes;
    },
  };
}

export interface GanNets {
  generator: Mlp;
  discriminator: Mlp;
  /** Images: the generator's output goes through a sigmoid (pixels in [0, 1] model units). */
  sigmoidOutput: boolean;
}

export function createGanNets(
  tf: Tf,
  rng: Rng,
  dim: number,
  p: Pick<
    GanParams,
    | 'noiseDim'
    | 'gLayers'
    | 'gUnits'
    | 'gActivation'
    | 'dLayers'
    | 'dUnits'
    | 'dActivation'
    | 'init'
  >,
  sigmoidOutput = false,
): GanNets {
  const g = Array.from({ length: p.gLayers }, () => p.gUnits);
  const d = Array.from({ length: p.dLayers }, () => p.dUnits);
  const generator = createMlp(tf, rng, [p.noiseDim, ...g, dim], p.gActivation, p.init, {
    inputGradient: false,
  });
  const discriminator = createMlp(tf, rng, [dim, ...d, 1], p.dActivation, p.init);
  return { generator, discriminator, sigmoidOutput };
}

export function generate(tf: Tf, nets: GanNets, z: tfjs.Tensor2D): tfjs.Tensor2D {
  const out = nets.generator.apply(z);
  return nets.sigmoidOutput ? tf.sigmoid(out) : out;
}

/** model units = (data − centre) / scale. */
interface Scaling {
  centre: Float64Array;
  scale: Float64Array;
}

/** Where real batches come from, in model units. */
interface RealSource {
  dim: number;
  batch(n: number): Float32Array;
  /** A fixed real sample for the metrics and the view (model units). */
  fixed(n: number, rng: Rng): Float32Array;
  scaling: Scaling;
  image?: ImageShape;
  axisNames: [string, string];
  bounds?: [[number, number], [number, number]];
  modes: number[][] | null;
  /** Pixel range of an image set (data units). */
  range: [number, number];
}

function identityScaling(dim: number): Scaling {
  return { centre: new Float64Array(dim), scale: new Float64Array(dim).fill(1) };
}

function realSource(data: EngineData, p: GanParams, rng: Rng): RealSource {
  if (p.source !== 'painted' && p.source !== 'dataset') {
    const preset = p.source;
    return {
      dim: 2,
      batch: (n) => samplePreset(rng, preset, n),
      fixed: (n, r) => samplePreset(r, preset, n),
      scaling: identityScaling(2),
      axisNames: ['x', 'y'],
      bounds: presetBounds(preset),
      modes: presetModes(preset),
      range: [0, 1],
    };
  }
  let values: Float32Array;
  let rows: number;
  let dim: number;
  let scaling: Scaling;
  let image: ImageShape | undefined;
  let range: [number, number] = [0, 1];
  let axisNames: [string, string] = ['x', 'y'];
  if (p.source === 'painted') {
    const pts = p.painted ?? [];
    if (pts.length < 2 || pts.some((r) => r.length !== 2 || !r.every(Number.isFinite)))
      throw new DataError(localText('refuse.paintFew'));
    values = Float32Array.from(pts.flat());
    rows = pts.length;
    dim = 2;
    scaling = identityScaling(2);
  } else {
    ({ rows } = data);
    dim = data.cols;
    if (rows < 2 || dim < 1) throw new DataError(localText('refuse.twoRows'));
    checkValues(data, null);
    image = data.image;
    if (image) checkImageShape(image, dim);
    if (!image && dim > 2) throw new DataError(localText('refuse.ganTwoColumns', { n: dim }));
    if (image) {
      // Pixels to [0, 1]: the generator's sigmoid output covers the data's range.
      range = valueRange(data.values);
      scaling = {
        centre: new Float64Array(dim).fill(range[0]),
        scale: new Float64Array(dim).fill(range[1] - range[0]),
      };
    } else {
      // Columns standardised (two passes: E[x²] − μ² cancels in float32).
      const centre = new Float64Array(dim);
      const scale = new Float64Array(dim);
      for (let i = 0; i < rows * dim; i++) centre[i % dim] += data.values[i] / rows;
      for (let i = 0; i < rows * dim; i++)
        scale[i % dim] += (data.values[i] - centre[i % dim]) ** 2;
      for (let j = 0; j < dim; j++) scale[j] = Math.sqrt(scale[j] / rows) || 1;
      scaling = { centre, scale };
      axisNames = [data.columns[0] ?? 'x', data.columns[1] ?? 'y'];
    }
    values = Float32Array.from(
      data.values,
      (v, i) => (v - scaling.centre[i % dim]) / scaling.scale[i % dim],
    );
  }
  // Batches walk shuffled epochs of the rows (painted points alike).
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  let queue: Int32Array[] = [];
  let at = 0;
  const nextRows = (n: number): Int32Array => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (queue.length === 0 || at >= queue[0].length) {
        queue = epochBatches(rng, all, rows);
        at = 0;
      }
      out[i] = queue[0][at++];
    }
    return out;
  };
  return {
    dim,
    batch: (n) => gatherRows(values, dim, nextRows(n)),
    fixed: (n, r) =>
      gatherRows(
        values,
        dim,
        Int32Array.from({ length: Math.min(n, rows) }, () => r.int(rows)),
      ),
    scaling,
    image,
    axisNames,
    modes: null,
    range,
  };
}

/** Model units to data units, in place. */
function toData(x: Float32Array, s: Scaling): Float32Array {
  return unscaleRows(x, s.centre.length, s);
}

export interface FitGanOptions {
  rng: Rng;
  emit?: Partial<Emitter>;
  checkpoint?: (phase: string, step: number) => Promise<void>;
  paused?: () => boolean;
  signal?: AbortSignal;
  /** Called at every read-back with the metrics (tests, benchmarks). */
  onReadback?: (step: number, metrics: Record<string, number>) => void;
  /** Skips the 2-D view artifacts and metrics at read-backs (the benchmark's bare timing). */
  bare?: boolean;
}

export interface GanResult extends GanSummary {
  /** The saved model (also emitted as the 'model' artifact). */
  model: { meta: GanModelMeta; data: Float32Array };
}

export async function fitGan(
  tf: Tf,
  data: EngineData,
  params: GanParams,
  options: FitGanOptions,
): Promise<GanResult> {
  const started = performance.now();
  const { rng } = options;
  const emit = options.emit ?? {};
  const checkpoint = async (phase: string, step: number) => {
    if (options.signal?.aborted) throw new CancelledError();
    await options.checkpoint?.(phase, step);
  };
  const source = realSource(data, params, rng);
  const dim = source.dim;
  const twoD = dim === 2 && !source.image;
  if (params.loss === 'wgan-gp' && !(await secondOrderGradientsWork(tf, params.dActivation)))
    throw new DataError(
      localText('refuse.gradientPenaltyBackend', {
        backend: tf.getBackend(),
        activation: params.dActivation,
      }),
    );
  // Split off before anything else draws, so the evaluation never shifts the training stream.
  const evalRng = createRng(rng.nextSeed());
  const nets = createGanNets(tf, rng, dim, params, Boolean(source.image));
  const makeOptimizer = (vars: tfjs.Variable[], learningRate: number): Optimizer =>
    params.optimizer === 'adam'
      ? createAdam(tf, vars, { learningRate, beta1: params.beta1, beta2: params.beta2 })
      : createSgd(tf, vars, learningRate);
  const dOpt = makeOptimizer(nets.discriminator.variables(), params.dLearningRate);
  const gOpt = makeOptimizer(nets.generator.variables(), params.gLearningRate);
  const b = params.batchSize;
  const nz = params.noiseDim;
  const probability = outputsProbability(params.loss);
  const noise = (rows: number) =>
    (params.noise === 'gaussian'
      ? tf.randomNormal([rows, nz], 0, 1, 'float32', rng.nextSeed())
      : tf.randomUniform([rows, nz], -1, 1, 'float32', rng.nextSeed())) as tfjs.Tensor2D;
  const meanOutput = (logits: tfjs.Tensor) => tf.mean(probability ? tf.sigmoid(logits) : logits);

  // Fixed inputs of the views: the same noise each time, so the pictures animate.
  const fixedNoise = (count: number) => {
    const seed = evalRng.nextSeed();
    return tf.tidy(() =>
      params.noise === 'gaussian'
        ? tf.randomNormal([count, nz], 0, 1, 'float32', seed)
        : tf.randomUniform([count, nz], -1, 1, 'float32', seed),
    ) as tfjs.Tensor2D;
  };
  const viewNoise = twoD ? fixedNoise(VIEW_POINTS) : null;
  const galleryNoise = source.image ? fixedNoise(GALLERY_SAMPLES) : null;
  const evalReal = twoD ? toData(source.fixed(EVAL_SAMPLES, evalRng), source.scaling) : null;
  const bounds = twoD ? (source.bounds ?? boundsOf(evalReal!)) : null;

  let acc = tf.zeros([4]); // Σ over steps since the last read-back: dLoss, dReal, dFake, gLoss
  let accSteps = 0;
  const trouble = troubleWatch(source.modes?.length ?? null, params.loss);
  const last: Record<string, number> = {};
  const lastTwoD: { covered: number | null; highQuality: number | null; kl: number; js: number } = {
    covered: null,
    highQuality: null,
    kl: NaN,
    js: NaN,
  };

  /** Generated samples in data units for noise z. */
  const sampleData = async (z: tfjs.Tensor2D): Promise<Float32Array> => {
    const t = tf.tidy(() => generate(tf, nets, z));
    const v = (await t.data()) as Float32Array;
    t.dispose();
    return toData(v, source.scaling);
  };

  const emitView = async (step: number) => {
    if (!twoD || !emit.artifact) return;
    const [[x0, x1], [y0, y1]] = bounds!;
    const s = source.scaling;
    const grid = new Float32Array(FIELD_SIZE * FIELD_SIZE * 2);
    for (let j = 0; j < FIELD_SIZE; j++)
      for (let i = 0; i < FIELD_SIZE; i++) {
        const x = x0 + ((i + 0.5) / FIELD_SIZE) * (x1 - x0);
        const y = y0 + ((j + 0.5) / FIELD_SIZE) * (y1 - y0);
        grid[2 * (j * FIELD_SIZE + i)] = (x - s.centre[0]) / s.scale[0];
        grid[2 * (j * FIELD_SIZE + i) + 1] = (y - s.centre[1]) / s.scale[1];
      }
    const [field, points, push] = tf.tidy(() => {
      const out = nets.discriminator.apply(tf.tensor2d(grid, [FIELD_SIZE * FIELD_SIZE, 2]));
      const x = generate(tf, nets, viewNoise!);
      // −∂L_G/∂x: where the generator's loss pushes each generated point.
      const g = tf.grad((xi: tfjs.Tensor) =>
        tf.mul(generatorLoss(tf, params.loss, nets.discriminator.apply(xi as tfjs.Tensor2D)), -1),
      )(x);
      return [probability ? tf.sigmoid(out) : out, x, g];
    });
    const fieldValues = (await field.data()) as Float32Array;
    const xy = (await points.data()) as Float32Array;
    const g = (await push.data()) as Float32Array;
    field.dispose();
    points.dispose();
    push.dispose();
    // Arrows scaled so the longest is a twentieth of the view.
    let longest = 0;
    for (let i = 0; i < VIEW_POINTS; i++)
      longest = Math.max(longest, Math.hypot(g[2 * i] * s.scale[0], g[2 * i + 1] * s.scale[1]));
    const unit = longest > 0 ? Math.max(x1 - x0, y1 - y0) / 20 / longest : 0;
    const rows = new Float32Array(VIEW_POINTS * 4);
    for (let i = 0; i < VIEW_POINTS; i++) {
      rows[4 * i] = xy[2 * i] * s.scale[0] + s.centre[0];
      rows[4 * i + 1] = xy[2 * i + 1] * s.scale[1] + s.centre[1];
      rows[4 * i + 2] = g[2 * i] * s.scale[0] * unit;
      rows[4 * i + 3] = g[2 * i + 1] * s.scale[1] * unit;
    }
    const fieldMeta: GanFieldMeta = {
      role: 'discriminator',
      size: FIELD_SIZE,
      bounds: bounds!,
      scale: probability ? 'probability' : 'critic',
    };
    emit.artifact('field2d', step, fieldMeta, fieldValues);
    const pointsMeta: GanPointsMeta = {
      role: 'generated',
      count: VIEW_POINTS,
      stride: 4,
      projection: 'none',
      axisNames: source.axisNames,
    };
    emit.artifact('points2d', step, pointsMeta, rows);
  };

  const emitGallery = async (step: number) => {
    if (!source.image || !emit.artifact) return;
    const pixels = await sampleData(galleryNoise!);
    const grid = toImageGrid(pixels, source.image, {
      role: 'samples',
      columns: 8,
      range: source.range,
    });
    emit.artifact('image-grid', step, grid.meta, grid.data);
  };

  /** Reads the sums back, checks them, computes the 2-D metrics and reports. */
  const readback = async (step: number) => {
    const sums = await acc.data();
    acc.dispose();
    acc = tf.zeros([4]);
    const n = Math.max(1, accSteps);
    accSteps = 0;
    const [dLoss, dReal, dFake, gLoss] = Array.from(sums, (v) => v / n);
    if (![dLoss, dReal, dFake, gLoss].every(Number.isFinite))
      throw new DataError(localText('fail.ganLossNotFinite', { step }));
    const metrics: Record<string, number> = { dLoss, gLoss, dReal, dFake };
    if (twoD && !options.bare) {
      const z = fixedEvalNoise();
      const gen = await sampleData(z);
      z.dispose();
      if (source.modes) {
        const cov = modeCoverage(gen, source.modes);
        metrics.modesCovered = cov.covered;
        metrics.highQuality = cov.highQuality;
        lastTwoD.covered = cov.covered;
        lastTwoD.highQuality = cov.highQuality;
      }
      const div = histogramDivergences(evalReal!, gen, bounds!);
      metrics.kl = div.kl;
      metrics.js = div.js;
      lastTwoD.kl = div.kl;
      lastTwoD.js = div.js;
    }
    for (const note of trouble.check(step, metrics)) emit.note?.(note);
    Object.assign(last, metrics);
    emit.metrics?.(step, metrics);
    options.onReadback?.(step, metrics);
    if (!options.bare) await emitView(step);
  };
  // The metrics' generated sample: fresh noise from the evaluation stream each time.
  const fixedEvalNoise = () => fixedNoise(EVAL_SAMPLES);

  const dStep = (): tfjs.Tensor =>
    tf.tidy(() => {
      const real = tf.tensor2d(source.batch(b), [b, dim]);
      const fake = generate(tf, nets, noise(b)); // outside the objective: no gradient into G
      const alpha = params.loss === 'wgan-gp' ? interpolationWeights(tf, b, rng.nextSeed()) : null;
      return dOpt.step((keep) => {
        // One pass over real and fake together: half the ops of two passes.
        const out = nets.discriminator.apply(tf.concat([real, fake], 0));
        const [lr, lf] = tf.split(out, [b, b], 0);
        let loss = discriminatorLoss(tf, params.loss, lr, lf, params.labelSmoothing);
        if (alpha)
          loss = tf.add(
            loss,
            tf.mul(
              gradientPenalty(tf, (x) => nets.discriminator.apply(x), real, fake, alpha),
              params.gpWeight,
            ),
          );
        keep(tf.stack([loss, meanOutput(lr), meanOutput(lf)]));
        return loss;
      });
    });
  const gStep = (): tfjs.Tensor =>
    tf.tidy(() => {
      const z = noise(b);
      // D frozen: its weights' gradients would be thrown away.
      return gOpt.step(() =>
        generatorLoss(tf, params.loss, nets.discriminator.apply(generate(tf, nets, z), true)),
      );
    });

  let step = 0;
  try {
    if (twoD && emit.artifact && !options.bare) {
      const real = toData(source.fixed(VIEW_POINTS, evalRng), source.scaling);
      const meta: GanPointsMeta = {
        role: 'real',
        count: real.length / 2,
        stride: 2,
        projection: 'none',
        axisNames: source.axisNames,
      };
      emit.artifact('points2d', 0, meta, real);
      await emitView(0);
    }
    await emitGallery(0);
    for (step = 1; step <= params.steps; step++) {
      let dStats: tfjs.Tensor | null = null;
      for (let k = 0; k < params.dSteps; k++) {
        dStats?.dispose();
        dStats = dStep();
        if (options.paused?.()) {
          // Step mode: draw what this update did before pausing on it.
          const view = tf.tidy(() => tf.concat([dStats!, tf.zeros([1])]));
          await showPhase(step, view);
        }
        await checkpoint('d-step', step);
      }
      const gStat = gStep();
      const prev = acc;
      acc = tf.tidy(() => tf.add(prev, tf.concat([dStats!, tf.reshape(gStat, [1])])));
      prev.dispose();
      dStats!.dispose();
      gStat.dispose();
      accSteps++;
      if (step % params.viewEvery === 0 || step === params.steps || options.paused?.())
        await readback(step);
      if (source.image && params.galleryEvery > 0 && step % params.galleryEvery === 0)
        await emitGallery(step);
      emit.progress?.(step / params.steps);
      await checkpoint('g-step', step);
    }
    step = params.steps;
    if (source.image && (params.galleryEvery === 0 || step % params.galleryEvery !== 0))
      await emitGallery(step);
    const model = await ganModelArtifact(nets, params, source);
    emit.artifact?.('model', step, model.meta, model.data);
    emit.progress?.(1);
    return {
      steps: step,
      seconds: (performance.now() - started) / 1000,
      dLoss: last.dLoss ?? NaN,
      gLoss: last.gLoss ?? NaN,
      dReal: last.dReal ?? NaN,
      dFake: last.dFake ?? NaN,
      modesCovered: lastTwoD.covered,
      modes: source.modes?.length ?? null,
      highQuality: lastTwoD.highQuality,
      kl: twoD ? lastTwoD.kl : null,
      js: twoD ? lastTwoD.js : null,
      model,
    };
  } finally {
    acc.dispose();
    viewNoise?.dispose();
    galleryNoise?.dispose();
    dOpt.dispose();
    gOpt.dispose();
    nets.generator.dispose();
    nets.discriminator.dispose();
  }

  /** Step mode after a D update: its metrics (G's loss not yet new) and the view. */
  async function showPhase(at: number, stats: tfjs.Tensor): Promise<void> {
    const [dLoss, dReal, dFake] = Array.from(await stats.data());
    stats.dispose();
    if ([dLoss, dReal, dFake].every(Number.isFinite)) emit.metrics?.(at, { dLoss, dReal, dFake });
    await emitView(at);
  }
}

async function ganModelArtifact(
  nets: GanNets,
  p: GanParams,
  source: RealSource,
): Promise<{ meta: GanModelMeta; data: Float32Array }> {
  const g = nets.generator;
  const d = nets.discriminator;
  const { entries, data } = packTensors([
    ...mlpTensorList('generator', g.sizes, await mlpToArrays(g)),
    ...mlpTensorList('discriminator', d.sizes, await mlpToArrays(d)),
    { name: 'centre', shape: [source.dim], values: Float32Array.from(source.scaling.centre) },
    { name: 'scale', shape: [source.dim], values: Float32Array.from(source.scaling.scale) },
  ]);
  const meta: GanModelMeta = {
    format: GAN_MODEL_FORMAT,
    noiseDim: p.noiseDim,
    noise: p.noise,
    outputDim: source.dim,
    generatorSizes: g.sizes,
    discriminatorSizes: d.sizes,
    gActivation: p.gActivation,
    dActivation: p.dActivation,
    output: nets.sigmoidOutput ? 'sigmoid' : 'linear',
    tensors: entries,
  };
  if (source.image) meta.image = source.image;
  else meta.axisNames = source.axisNames;
  return { meta, data };
}

export const gan: Algorithm<GanParams, GanSummary> = {
  id: 'gan',
  params: ganParams,
  async run(ctx) {
    const { model: _model, ...summary } = await fitGan(ctx.tf, ctx.data, ctx.params, {
      rng: ctx.rng,
      emit: ctx.emit,
      signal: ctx.signal,
      checkpoint: (phase, step) => ctx.checkpoint(phase, step),
      paused: ctx.paused,
    });
    return summary;
  },
};
