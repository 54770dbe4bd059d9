import type { z } from 'zod';
import { paramsSchema, type FieldList } from './fields';
import { localText, type LocalText } from '../i18n';

export const vaeActivations = ['relu', 'tanh', 'elu', 'leakyRelu', 'sigmoid'] as const;
export type VaeActivation = (typeof vaeActivations)[number];
/**
 * p(x|z): Bernoulli from logits (pixels in [0, 1] as continuous targets, as the PyTorch example),
 * Gaussian with a fixed standard deviation `sigma`, or Gaussian with a learned per-column variance.
 */
export const vaeLikelihoods = ['bernoulli', 'gaussian-fixed', 'gaussian-learned'] as const;
export type VaeLikelihood = (typeof vaeLikelihoods)[number];
/** Weight initialisation: PyTorch's nn.Linear default (U(±1/√fan_in)), Glorot or He uniform. */
export const vaeInits = ['pytorch', 'glorot', 'he'] as const;
export type VaeInit = (typeof vaeInits)[number];

/** Defaults reproduce the PyTorch example VAE: 784-400-20, ReLU, Adam 1e-3, batch 128. */
export const vaeFields = [
  { key: 'latentDim', kind: 'int', default: 20, min: 1, max: 512, step: 1 },
  { key: 'hiddenLayers', kind: 'int', default: 1, min: 0, max: 4, step: 1 },
  { key: 'hiddenUnits', kind: 'int', default: 400, min: 1, max: 4096, step: 50 },
  { key: 'activation', kind: 'choice', default: 'relu', options: vaeActivations },
  { key: 'likelihood', kind: 'choice', default: 'bernoulli', options: vaeLikelihoods },
  {
    key: 'sigma',
    kind: 'number',
    default: 1,
    min: 0,
    exclusiveMin: true,
    max: 1e6,
    step: 0.1,
    showIf: { key: 'likelihood', in: ['gaussian-fixed'] },
  },
  {
    key: 'standardize',
    kind: 'boolean',
    default: true,
    showIf: { key: 'likelihood', in: ['gaussian-fixed', 'gaussian-learned'] },
  },
  { key: 'beta', kind: 'number', default: 1, min: 0, max: 1000, step: 0.1 },
  { key: 'warmupEpochs', kind: 'number', default: 0, min: 0, max: 10000, step: 1 },
  {
    key: 'learningRate',
    kind: 'number',
    default: 1e-3,
    min: 0,
    exclusiveMin: true,
    max: 1,
    step: 1e-4,
  },
  { key: 'batchSize', kind: 'int', default: 128, min: 1, max: 65536, step: 16 },
  { key: 'epochs', kind: 'int', default: 10, min: 1, max: 100000, step: 1 },
  { key: 'testFraction', kind: 'number', default: 0.1, min: 0, max: 0.9, step: 0.05 },
  { key: 'init', kind: 'choice', default: 'pytorch', options: vaeInits },
  { key: 'iwaeK', kind: 'int', default: 500, min: 0, max: 100000, step: 50 },
  { key: 'galleryEvery', kind: 'int', default: 100, min: 0, max: 1000000, step: 10 },
] as const satisfies FieldList;

export type VaeParams = {
  latentDim: number;
  /** Encoder hidden layers (the decoder mirrors them), each of `hiddenUnits`. */
  hiddenLayers: number;
  hiddenUnits: number;
  activation: VaeActivation;
  likelihood: VaeLikelihood;
  /** Standard deviation of p(x|z) for 'gaussian-fixed', in standardised units if `standardize`. */
  sigma: number;
  /** Gaussian likelihoods only: fit on columns scaled to mean 0, sd 1; losses in data units. */
  standardize: boolean;
  /** β of the β-VAE: the objective is recon + β·w·KL (w the warm-up weight). */
  beta: number;
  /** w rises linearly from 0 to 1 over this many epochs (0: no warm-up). */
  warmupEpochs: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Rows held out (seeded) for the test −ELBO, active units, latent plots and the IWAE bound. */
  testFraction: number;
  init: VaeInit;
  /** Importance samples per test row for the final IWAE bound (0: skip it). */
  iwaeK: number;
  /** Galleries (reconstructions, samples, manifold) every this many steps (0: only at the end). */
  galleryEvery: number;
};
export const vaeParams: z.ZodType<VaeParams> = paramsSchema(vaeFields);

/** Refusals that depend on the data's shape, checked by the host before anything is stored. */
export function checkVaeData(
  params: Pick<VaeParams, 'testFraction' | 'batchSize'>,
  shape: { rows: number; cols: number },
): LocalText | null {
  if (shape.cols < 1) return localText('refuse.chooseNumericColumn');
  const test = Math.round(shape.rows * params.testFraction);
  if (shape.rows - test < 1) return localText('refuse.noTrainingRows');
  return null;
}

export interface VaeSummary {
  /** −ELBO per example, averaged over the last epoch's steps (as the PyTorch example reports). */
  trainLoss: number;
  /** −ELBO per example on the test rows after the last epoch (null without test rows). */
  testLoss: number | null;
  /** −IWAE bound per example on the test rows (≤ testLoss in expectation); null if skipped. */
  testIwae: number | null;
  iwaeK: number;
  /** Latent dimensions with Cov_x(E[z|x]) > 0.01 (Burda et al.). */
  activeUnits: number;
  epochs: number;
  steps: number;
  seconds: number;
  trainRows: number;
  testRows: number;
}

/**
 * Artifact metas the VAE emits (GAN and RBM will emit the same kinds); candidates for
 * src/shared/artifacts.ts once the renderer draws them.
 *
 * 'image-grid': `data` is a Uint8Array of `count` tiles, each height × width × channels bytes
 * (row-major, channels last), 0 black … 255 white after mapping `range` to [0, 255]. The renderer
 * lays them out `columns` to a row. With `pairs`, tiles go input, output, input, output, …
 */
export interface ImageGridMeta {
  role:
    'reconstructions' | 'samples' | 'manifold' | 'interpolation' | 'filters' | 'fantasy' | 'gibbs';
  width: number;
  height: number;
  channels: number;
  count: number;
  columns: number;
  /** The data values that map to 0 and 255. */
  range: [number, number];
  pairs?: boolean;
  /** Manifold: the latent coordinates of the grid's columns (x) and rows (y). */
  axes?: { x: number[]; y: number[] };
}

/**
 * 'points2d': `data` is a Float32Array of `count` rows of `stride` floats: x, y, and (stride 3) the
 * row's label. `projection` says how the points were made from higher-dimensional ones.
 */
export interface Points2dMeta {
  role: 'latent-means' | 'samples';
  count: number;
  stride: 2 | 3;
  projection: 'none' | 'pca';
  /** PCA: the fraction of the total variance each of the two axes explains. */
  explained?: [number, number];
  axisNames?: [string, string];
}
