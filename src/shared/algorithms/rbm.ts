import type { z } from 'zod';
import { paramsSchema, type FieldList } from './fields';
import type { LocalText } from '../i18n';
import { checkVaeData } from './vae';

/** Binary units for pixels (binarised), Gaussian units of unit variance for standardised tables. */
export const rbmVisibleTypes = ['bernoulli', 'gaussian'] as const;
export type RbmVisibleType = (typeof rbmVisibleTypes)[number];
/** Pixels in [0, 1] to binary: above a threshold, or drawn as Bernoulli(pixel) afresh each epoch. */
export const rbmBinarizations = ['threshold', 'stochastic'] as const;
export type RbmBinarization = (typeof rbmBinarizations)[number];

/**
 * Defaults reproduce the reference: scikit-learn's BernoulliRBM with 256 hidden units, PCD-1,
 * learning rate 0.06, batch 10, no momentum and no weight decay, on pixels binarised at 0.5.
 */
export const rbmFields = [
  { key: 'visible', kind: 'choice', default: 'bernoulli', options: rbmVisibleTypes },
  {
    key: 'binarize',
    kind: 'choice',
    default: 'threshold',
    options: rbmBinarizations,
    showIf: { key: 'visible', in: ['bernoulli'] },
  },
  {
    key: 'threshold',
    kind: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    step: 0.05,
    showIf: { key: 'binarize', in: ['threshold'] },
  },
  { key: 'hiddenUnits', kind: 'int', default: 256, min: 1, max: 4096, step: 16 },
  { key: 'persistent', kind: 'boolean', default: true },
  { key: 'cdK', kind: 'int', default: 1, min: 1, max: 1000, step: 1 },
  {
    key: 'learningRate',
    kind: 'number',
    default: 0.06,
    min: 0,
    exclusiveMin: true,
    max: 10,
    step: 0.01,
  },
  { key: 'momentumStart', kind: 'number', default: 0, min: 0, max: 0.999, step: 0.1 },
  { key: 'momentumFinal', kind: 'number', default: 0, min: 0, max: 0.999, step: 0.1 },
  { key: 'momentumSwitchEpoch', kind: 'int', default: 5, min: 0, max: 100000, step: 1 },
  { key: 'weightDecay', kind: 'number', default: 0, min: 0, max: 1, step: 1e-4 },
  { key: 'batchSize', kind: 'int', default: 10, min: 1, max: 65536, step: 10 },
  { key: 'epochs', kind: 'int', default: 5, min: 1, max: 100000, step: 1 },
  { key: 'testFraction', kind: 'number', default: 0.1, min: 0, max: 0.9, step: 0.05 },
  { key: 'aisRuns', kind: 'int', default: 100, min: 0, max: 10000, step: 10 },
  { key: 'aisTemperatures', kind: 'int', default: 1000, min: 2, max: 1000000, step: 500 },
  { key: 'galleryEvery', kind: 'int', default: 300, min: 0, max: 1000000, step: 100 },
] as const satisfies FieldList;

export type RbmParams = {
  visible: RbmVisibleType;
  binarize: RbmBinarization;
  /** 'threshold': a pixel is on when its value is above this. */
  threshold: number;
  hiddenUnits: number;
  /** Persistent CD (Tieleman 2008): the negative phase continues chains kept between updates. */
  persistent: boolean;
  /** Gibbs steps of the negative phase per update (CD-k, or PCD-k). */
  cdK: number;
  /** Step size; the gradient is the batch mean (scikit-learn's learning_rate / batch size). */
  learningRate: number;
  /** Momentum before `momentumSwitchEpoch` (Hinton's guide: 0.5), then `momentumFinal` (0.9). */
  momentumStart: number;
  momentumFinal: number;
  /** The first epoch (1-based) that uses `momentumFinal`. */
  momentumSwitchEpoch: number;
  /** L2 penalty on the weights (not on the biases). */
  weightDecay: number;
  batchSize: number;
  epochs: number;
  /** Rows held out (seeded) for the test pseudo-log-likelihood, free energy and AIS likelihood. */
  testFraction: number;
  /** Annealed importance sampling at the end: independent runs (0: skip it). */
  aisRuns: number;
  /** Intermediate distributions of each AIS run. */
  aisTemperatures: number;
  /** Galleries (filters, fantasy particles, reconstructions) every this many steps (0: per epoch end only). */
  galleryEvery: number;
};
export const rbmParams: z.ZodType<RbmParams> = paramsSchema(rbmFields);

/** Refusals that depend on the data's shape: the VAE's (there must be training rows). */
export const checkRbmData: (
  params: Pick<RbmParams, 'testFraction' | 'batchSize'>,
  shape: { rows: number; cols: number },
) => LocalText | null = checkVaeData;

export interface RbmSummary {
  /** Mean log p(v) of the test rows from the AIS estimate of log Z (null without AIS or test rows). */
  testLogLikelihood: number | null;
  /** The same for the training rows (a sample of them). */
  trainLogLikelihood: number | null;
  /** AIS estimate of log Z and its standard error (delta method over the importance weights). */
  logZ: number | null;
  logZStd: number | null;
  aisRuns: number;
  aisTemperatures: number;
  /** Exact pseudo-log-likelihood per example (every pixel; Bernoulli visibles only). */
  trainPll: number | null;
  testPll: number | null;
  /** Mean free energy of training rows (a sample) and of test rows. */
  trainFreeEnergy: number;
  testFreeEnergy: number | null;
  /** Squared reconstruction error per example after one Gibbs step (test rows, else training). */
  reconError: number;
  secondsPerEpoch: number;
  epochs: number;
  steps: number;
  seconds: number;
  trainRows: number;
  testRows: number;
}

/** 'histogram' artifacts: `data` holds `bins` counts of values in [lo, hi] in equal bins. */
export interface HistogramMeta {
  role: 'hidden-activations';
  bins: number;
  range: [number, number];
  /** How many values were counted. */
  count: number;
}
