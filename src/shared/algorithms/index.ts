import type { z } from 'zod';
import { isShown, type FieldList, type ParamValues } from './fields';
import type { LocalText } from '../i18n';
import {
  checkGmmData,
  checkGmmSweepData,
  gmmFields,
  gmmParams,
  gmmSweepFields,
  gmmSweepParams,
  type GmmParams,
  type GmmSweepParams,
} from './gmm';
import { checkGanData, ganFields, ganNeedsData, ganParams, type GanParams } from './gan';
import {
  checkSamplingData,
  hmcFields,
  hmcParams,
  mcmcFields,
  mcmcParams,
  samplingNeedsData,
  type SamplingParams,
} from './mcmc';
import { checkRbmData, rbmFields, rbmParams, type RbmParams } from './rbm';
import { checkVaeData, vaeFields, vaeParams, type VaeParams } from './vae';

/** What the renderer, the host and the CLI need to know about an algorithm (no engine code). */
export interface AlgorithmSpec {
  id: string;
  fields: FieldList;
  params: z.ZodType<ParamValues>;
  /** The summary key that is this algorithm's headline result, and whether higher is better. */
  headline: { key: string; higherIsBetter: boolean };
  /** The metric plotted live on the run page. */
  mainMetric: string;
  /** Whether the run can be paused and advanced one phase at a time. */
  steppable: boolean;
  /**
   * The phase that ends one whole step of several phases (a GAN's D updates then its G update):
   * step mode then also offers to advance to it in one click.
   */
  cycleEnd?: string;
  /** Whether it learns from image data sets (every pixel an input), not only from tables. */
  images: boolean;
  /** Whether a run with these parameters needs a data set (samplers of fixed targets do not). */
  needsData(params: ParamValues): boolean;
  /** Why these parameters do not fit the data (null when they do, or when it takes none). */
  checkData(
    params: ParamValues,
    shape: { rows: number; cols: number } | null,
    columns: readonly string[],
    /** Whether the data set is an image set (every pixel a column). */
    image?: boolean,
  ): LocalText | null;
}

const always = () => true;

function samplingSpec(id: 'mcmc' | 'hmc'): AlgorithmSpec {
  return {
    id,
    fields: id === 'mcmc' ? mcmcFields : hmcFields,
    params: (id === 'mcmc' ? mcmcParams : hmcParams) as z.ZodType<ParamValues>,
    headline: { key: 'minEssBulk', higherIsBetter: true },
    mainMetric: 'logDensity',
    steppable: true,
    images: false,
    needsData: (p) => samplingNeedsData(p as unknown as SamplingParams),
    checkData: (p, shape, columns) =>
      checkSamplingData(p as unknown as SamplingParams, shape, columns),
  };
}

export const algorithmSpecs: Record<string, AlgorithmSpec> = {
  gmm: {
    id: 'gmm',
    fields: gmmFields,
    params: gmmParams as z.ZodType<ParamValues>,
    headline: { key: 'meanLogLikelihood', higherIsBetter: true },
    mainMetric: 'meanLogLikelihood',
    steppable: true,
    images: false,
    needsData: always,
    checkData: (p, shape) => shape && checkGmmData(p as unknown as GmmParams, shape),
  },
  'gmm-sweep': {
    id: 'gmm-sweep',
    fields: gmmSweepFields,
    params: gmmSweepParams as z.ZodType<ParamValues>,
    headline: { key: 'bestBic', higherIsBetter: false },
    mainMetric: 'bic',
    steppable: false,
    images: false,
    needsData: always,
    checkData: (p, shape) => shape && checkGmmSweepData(p as unknown as GmmSweepParams, shape),
  },
  vae: {
    id: 'vae',
    fields: vaeFields,
    params: vaeParams as z.ZodType<ParamValues>,
    headline: { key: 'testLoss', higherIsBetter: false },
    mainMetric: 'loss',
    steppable: false,
    images: true,
    needsData: always,
    checkData: (p, shape) => shape && checkVaeData(p as unknown as VaeParams, shape),
  },
  rbm: {
    id: 'rbm',
    fields: rbmFields,
    params: rbmParams as z.ZodType<ParamValues>,
    headline: { key: 'testPll', higherIsBetter: true },
    mainMetric: 'testPll',
    steppable: false,
    images: true,
    needsData: always,
    checkData: (p, shape) => shape && checkRbmData(p as unknown as RbmParams, shape),
  },
  gan: {
    id: 'gan',
    fields: ganFields,
    params: ganParams as z.ZodType<ParamValues>,
    headline: { key: 'js', higherIsBetter: false },
    mainMetric: 'dLoss',
    steppable: true,
    cycleEnd: 'g-step',
    images: true,
    needsData: (p) => ganNeedsData(p as unknown as GanParams),
    checkData: (p, shape, _columns, image) =>
      checkGanData(p as unknown as GanParams, shape, image ?? false),
  },
  mcmc: samplingSpec('mcmc'),
  hmc: samplingSpec('hmc'),
};

/**
 * A run's parameters without those of fields that did not apply (a preset target's formula, NUTS's
 * settings on a Metropolis run): what the run page, the compare page and exported comparisons
 * list. Keys no field of the algorithm names are kept.
 */
export function appliedParams<T>(algorithm: string, params: Record<string, T>): Record<string, T> {
  const fields = algorithmSpecs[algorithm]?.fields ?? [];
  return Object.fromEntries(
    Object.entries(params).filter(([key]) => {
      const field = fields.find((f) => f.key === key);
      return !field || isShown(field, params, fields);
    }),
  );
}

export const algorithmIds = Object.keys(algorithmSpecs) as [string, ...string[]];
