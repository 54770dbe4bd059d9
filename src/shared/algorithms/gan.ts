import type { z } from 'zod';
import { paramsSchema, type FieldList } from './fields';
import { localText, type LocalText } from '../i18n';

/**
 * Where the real samples come from: a 2-D preset drawn afresh each step (no data set), points
 * the user painted (kept in the parameters), or the run's data set (two numeric columns of a
 * table, or an image set).
 */
export const gan2dPresets = ['ring8', 'grid25', 'moons', 'spiral'] as const;
export type Gan2dPreset = (typeof gan2dPresets)[number];
export const ganSources = [...gan2dPresets, 'painted', 'dataset'] as const;
export type GanSource = (typeof ganSources)[number];

export const ganActivations = ['relu', 'leakyRelu', 'tanh', 'elu', 'sigmoid'] as const;
export type GanActivation = (typeof ganActivations)[number];
/**
 * Losses, all from the discriminator's logits (or critic values):
 * - 'non-saturating': D minimises BCE; G minimises −log D(G(z)) = softplus(−l).
 * - 'minimax': G minimises log(1 − D(G(z))) = −softplus(l) (Goodfellow's original game).
 * - 'least-squares': LSGAN, targets 1 (real) and 0 (fake) on the logits, G targets 1.
 * - 'wgan-gp': critic E[f(G(z))] − E[f(x)] + λ E[(‖∇f(x̂)‖ − 1)²]; G minimises −E[f(G(z))].
 * - 'hinge': critic E[relu(1 − f(x))] + E[relu(1 + f(G(z)))]; G minimises −E[f(G(z))].
 */
export const ganLosses = [
  'non-saturating',
  'minimax',
  'least-squares',
  'wgan-gp',
  'hinge',
] as const;
export type GanLoss = (typeof ganLosses)[number];
export const ganNoises = ['gaussian', 'uniform'] as const;
export const ganOptimizers = ['adam', 'sgd'] as const;
export const ganInits = ['pytorch', 'glorot', 'he'] as const;

/** Defaults are the reference setup: G 2→128→128→2, D 2→128→128→1, ReLU, Adam 2e-4 (0.5, 0.999). */
export const ganFields = [
  { key: 'source', kind: 'choice', default: 'ring8', options: ganSources },
  { key: 'painted', kind: 'matrix', showIf: { key: 'source', in: ['painted'] } },
  { key: 'noiseDim', kind: 'int', default: 2, min: 1, max: 512, step: 1 },
  { key: 'noise', kind: 'choice', default: 'gaussian', options: ganNoises },
  { key: 'gLayers', kind: 'int', default: 2, min: 0, max: 6, step: 1 },
  { key: 'gUnits', kind: 'int', default: 128, min: 1, max: 4096, step: 16 },
  { key: 'gActivation', kind: 'choice', default: 'relu', options: ganActivations },
  { key: 'dLayers', kind: 'int', default: 2, min: 0, max: 6, step: 1 },
  { key: 'dUnits', kind: 'int', default: 128, min: 1, max: 4096, step: 16 },
  { key: 'dActivation', kind: 'choice', default: 'relu', options: ganActivations },
  { key: 'loss', kind: 'choice', default: 'non-saturating', options: ganLosses },
  {
    key: 'gpWeight',
    kind: 'number',
    default: 10,
    min: 0,
    max: 1e4,
    step: 1,
    showIf: { key: 'loss', in: ['wgan-gp'] },
  },
  { key: 'optimizer', kind: 'choice', default: 'adam', options: ganOptimizers },
  {
    key: 'dLearningRate',
    kind: 'number',
    default: 2e-4,
    min: 0,
    exclusiveMin: true,
    max: 10,
    step: 1e-4,
  },
  {
    key: 'gLearningRate',
    kind: 'number',
    default: 2e-4,
    min: 0,
    exclusiveMin: true,
    max: 10,
    step: 1e-4,
  },
  {
    key: 'beta1',
    kind: 'number',
    default: 0.5,
    min: 0,
    max: 0.9999,
    step: 0.05,
    showIf: { key: 'optimizer', in: ['adam'] },
  },
  {
    key: 'beta2',
    kind: 'number',
    default: 0.999,
    min: 0,
    max: 0.99999,
    step: 0.001,
    showIf: { key: 'optimizer', in: ['adam'] },
  },
  { key: 'dSteps', kind: 'int', default: 1, min: 1, max: 100, step: 1 },
  { key: 'batchSize', kind: 'int', default: 256, min: 1, max: 65536, step: 32 },
  { key: 'steps', kind: 'int', default: 5000, min: 1, max: 10_000_000, step: 500 },
  { key: 'labelSmoothing', kind: 'number', default: 0, min: 0, max: 0.5, step: 0.05 },
  { key: 'init', kind: 'choice', default: 'pytorch', options: ganInits },
  { key: 'viewEvery', kind: 'int', default: 50, min: 1, max: 1_000_000, step: 10 },
  { key: 'galleryEvery', kind: 'int', default: 500, min: 0, max: 1_000_000, step: 100 },
] as const satisfies FieldList;

export type GanParams = {
  source: GanSource;
  /** 'painted': the user's points, one [x, y] row each. */
  painted?: number[][];
  noiseDim: number;
  noise: (typeof ganNoises)[number];
  /** Hidden layers of the generator, each of `gUnits`. */
  gLayers: number;
  gUnits: number;
  gActivation: GanActivation;
  dLayers: number;
  dUnits: number;
  dActivation: GanActivation;
  loss: GanLoss;
  /** λ of the gradient penalty ('wgan-gp'). */
  gpWeight: number;
  optimizer: (typeof ganOptimizers)[number];
  dLearningRate: number;
  gLearningRate: number;
  beta1: number;
  beta2: number;
  /** Discriminator updates per generator update. */
  dSteps: number;
  batchSize: number;
  /** Generator updates. */
  steps: number;
  /** One-sided: real samples' target is 1 − s (Salimans et al. 2016); fakes stay 0. */
  labelSmoothing: number;
  init: (typeof ganInits)[number];
  /** Metrics read back from the device, and the 2-D view, every this many steps. */
  viewEvery: number;
  /** Image galleries from the fixed noise every this many steps (0: only at the end). */
  galleryEvery: number;
};
export const ganParams: z.ZodType<GanParams> = paramsSchema(ganFields);

/** At least this many painted points (a distribution, not a handful of dots). */
export const MIN_PAINTED_POINTS = 10;

export function ganNeedsData(p: { source: string }): boolean {
  return p.source === 'dataset';
}

/** Refusals the host checks before anything is stored. */
/** D activations through which tfjs 4.22 differentiates the gradient penalty correctly. */
export const GRADIENT_PENALTY_ACTIVATIONS: readonly GanActivation[] = ['relu'];

export function checkGanData(
  p: Pick<GanParams, 'source' | 'painted'> & Partial<Pick<GanParams, 'loss' | 'dActivation'>>,
  shape: { rows: number; cols: number } | null,
  image: boolean,
): LocalText | null {
  if (
    p.loss === 'wgan-gp' &&
    p.dActivation &&
    !GRADIENT_PENALTY_ACTIVATIONS.includes(p.dActivation)
  )
    return localText('refuse.gradientPenalty', { activation: p.dActivation });
  if (p.source === 'painted') {
    const pts = p.painted ?? [];
    if (pts.length < MIN_PAINTED_POINTS || pts.some((r) => r.length !== 2))
      return localText('refuse.paintMore', { n: MIN_PAINTED_POINTS });
    return null;
  }
  if (!ganNeedsData(p)) return null;
  if (!shape) return localText('refuse.chooseDataset');
  if (shape.rows < 2) return localText('refuse.twoRows');
  if (!image && shape.cols !== 2) return localText('refuse.ganTwoColumns', { n: shape.cols });
  return null;
}

export interface GanSummary {
  steps: number;
  seconds: number;
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
  /** Presets with modes (ring8, grid25) only. */
  modesCovered: number | null;
  modes: number | null;
  highQuality: number | null;
  /** Between 2-D histograms of real and generated samples (2-D runs only). */
  kl: number | null;
  js: number | null;
}

/**
 * 'field2d' of a 2-D GAN: the discriminator's output on size × size points (row j is y, column i
 * is x) — D(x) = σ(logit) for the classic losses, the raw critic value for 'wgan-gp' / 'hinge'.
 */
export interface GanFieldMeta {
  role: 'discriminator';
  size: number;
  bounds: [[number, number], [number, number]];
  /** What the values are: probabilities in [0, 1] or critic values. */
  scale: 'probability' | 'critic';
}

/**
 * 'points2d' of a 2-D GAN: rows of x, y (stride 2: real samples) or x, y, gx, gy (stride 4:
 * generated samples from the fixed noise, with the direction the generator's loss pushes each,
 * −∂L_G/∂x, scaled to the view).
 */
export interface GanPointsMeta {
  role: 'real' | 'generated';
  count: number;
  stride: 2 | 4;
  projection: 'none';
  axisNames: [string, string];
}
