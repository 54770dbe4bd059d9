import type { z } from 'zod';
import { paramsSchema, withoutFields, type FieldList } from './fields';
import { localText, type LocalText } from '../i18n';

export const covarianceTypes = ['full', 'diag', 'spherical', 'tied'] as const;
export type CovarianceType = (typeof covarianceTypes)[number];
/** scikit-learn's init_params names, plus 'means' for user-given means. */
export const gmmInits = ['kmeans', 'k-means++', 'random', 'random_from_data', 'means'] as const;
export type GmmInit = (typeof gmmInits)[number];

/** Fields shared by a single fit and a model-selection sweep. Names follow scikit-learn. */
const fitFields = [
  { key: 'init', kind: 'choice', default: 'kmeans', options: gmmInits },
  { key: 'initMeans', kind: 'matrix', showIf: { key: 'init', in: ['means'] } },
  { key: 'nInit', kind: 'int', default: 1, min: 1, max: 100, step: 1 },
  { key: 'maxIter', kind: 'int', default: 100, min: 1, max: 100000, step: 10 },
  { key: 'tol', kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, max: 1, step: 1e-4 },
  { key: 'regCovar', kind: 'number', default: 1e-6, min: 0, max: 1e3, step: 1e-6 },
  { key: 'standardize', kind: 'boolean', default: false },
] as const satisfies FieldList;

/** EM for a Gaussian mixture. */
export const gmmFields = [
  { key: 'k', kind: 'int', default: 2, min: 1, max: 64, step: 1 },
  { key: 'covarianceType', kind: 'choice', default: 'full', options: covarianceTypes },
  ...fitFields,
] as const satisfies FieldList;

export type GmmParams = {
  k: number;
  covarianceType: CovarianceType;
  init: GmmInit;
  /** K × d initial means (in the data's units), used when init = 'means'. */
  initMeans?: number[][];
  nInit: number;
  maxIter: number;
  tol: number;
  regCovar: number;
  /** Fit on columns scaled to mean 0, sd 1; results are reported back in the original units. */
  standardize: boolean;
};
export const gmmParams: z.ZodType<GmmParams> = paramsSchema(gmmFields);

/** Model selection: every K in [kMin, kMax] × every chosen covariance type, by BIC. */
export const gmmSweepFields = [
  { key: 'kMin', kind: 'int', default: 1, min: 1, max: 64, step: 1 },
  { key: 'kMax', kind: 'int', default: 6, min: 1, max: 64, step: 1 },
  { key: 'covarianceTypes', kind: 'choices', default: covarianceTypes, options: covarianceTypes },
  {
    key: 'init',
    kind: 'choice',
    default: 'kmeans',
    options: gmmInits.filter((i) => i !== 'means'),
  },
  ...withoutFields(fitFields, ['initMeans', 'init']),
] as const satisfies FieldList;

export type GmmSweepParams = Omit<GmmParams, 'k' | 'covarianceType' | 'initMeans'> & {
  kMin: number;
  kMax: number;
  covarianceTypes: CovarianceType[];
};
export const gmmSweepParams: z.ZodType<GmmSweepParams> = paramsSchema(gmmSweepFields);

/** Refusals that depend on the data, checked by the host before anything is stored. */
export function checkGmmData(
  params: Pick<GmmParams, 'k' | 'init' | 'initMeans'>,
  shape: { rows: number; cols: number },
): LocalText | null {
  if (shape.cols < 1) return localText('refuse.chooseNumericColumn');
  if (params.k > shape.rows)
    return localText('refuse.kTooLarge', { k: params.k, rows: shape.rows });
  if (params.init === 'means') {
    const m = params.initMeans;
    if (!m) return localText('refuse.initMeansMissing');
    if (m.length !== params.k || m.some((row) => row.length !== shape.cols))
      return localText('refuse.initMeansShape', { k: params.k, cols: shape.cols });
  }
  return null;
}

export function checkGmmSweepData(
  params: Pick<GmmSweepParams, 'kMin' | 'kMax'>,
  shape: { rows: number; cols: number },
): LocalText | null {
  if (params.kMin > params.kMax)
    return localText('refuse.kRange', { kMin: params.kMin, kMax: params.kMax });
  return checkGmmData({ k: params.kMax, init: 'kmeans' }, shape);
}

/** Free parameters of a mixture, as scikit-learn counts them for BIC and AIC. */
export function gmmParameterCount(k: number, d: number, type: CovarianceType): number {
  const covariance =
    type === 'full'
      ? (k * d * (d + 1)) / 2
      : type === 'diag'
        ? k * d
        : type === 'tied'
          ? (d * (d + 1)) / 2
          : k;
  return covariance + k * d + k - 1;
}

export interface GmmSummary {
  covarianceType: CovarianceType;
  weights: number[];
  /** K × d, original units. */
  means: number[][];
  /** K × d × d full matrices whatever the covariance type (tied: K copies of one matrix). */
  covariances: number[][][];
  meanLogLikelihood: number;
  bic: number;
  aic: number;
  iterations: number;
  converged: boolean;
  /** Which of the nInit restarts was kept (0-based) and each one's final mean log-likelihood. */
  bestInit: number;
  initLogLikelihoods: number[];
}

export interface GmmSweepFit {
  k: number;
  covarianceType: CovarianceType;
  bic: number;
  aic: number;
  meanLogLikelihood: number;
  iterations: number;
  converged: boolean;
  /** Why this fit failed (e.g. a collapsed component), if it did. */
  error?: string;
}

export interface GmmSweepSummary {
  fits: GmmSweepFit[];
  best: { k: number; covarianceType: CovarianceType; bic: number };
  /** The headline number in run lists (lower is better). */
  bestBic: number;
}
