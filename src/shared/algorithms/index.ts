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

/**
 * What the renderer, the host and the CLI need to know about an algorithm (no engine code), with
 * its parameter type `P` (an `AlgorithmSpec` without it takes any algorithm's values).
 */
export interface AlgorithmSpec<P extends ParamValues = ParamValues> {
  id: string;
  fields: FieldList;
  params: z.ZodType<P>;
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
  needsData(params: P): boolean;
  /** Why these parameters do not fit the data (null when they do, or when it takes none). */
  checkData(
    params: P,
    shape: { rows: number; cols: number } | null,
    columns: readonly string[],
    /** Whether the data set is an image set (every pixel a column). */
    image?: boolean,
  ): LocalText | null;
}

const always = () => true;

function samplingSpec<P extends SamplingParams>(
  id: 'mcmc' | 'hmc',
  fields: FieldList,
  params: z.ZodType<P>,
): AlgorithmSpec<P> {
  return {
    id,
    fields,
    params,
    headline: { key: 'minEssBulk', higherIsBetter: true },
    mainMetric: 'logDensity',
    steppable: true,
    images: false,
    needsData: samplingNeedsData,
    checkData: checkSamplingData,
  };
}

const gmm: AlgorithmSpec<GmmParams> = {
  id: 'gmm',
  fields: gmmFields,
  params: gmmParams,
  headline: { key: 'meanLogLikelihood', higherIsBetter: true },
  mainMetric: 'meanLogLikelihood',
  steppable: true,
  images: false,
  needsData: always,
  checkData: (p, shape) => shape && checkGmmData(p, shape),
};

const gmmSweep: AlgorithmSpec<GmmSweepParams> = {
  id: 'gmm-sweep',
  fields: gmmSweepFields,
  params: gmmSweepParams,
  headline: { key: 'bestBic', higherIsBetter: false },
  mainMetric: 'bic',
  steppable: false,
  images: false,
  needsData: always,
  checkData: (p, shape) => shape && checkGmmSweepData(p, shape),
};

const vae: AlgorithmSpec<VaeParams> = {
  id: 'vae',
  fields: vaeFields,
  params: vaeParams,
  headline: { key: 'testLoss', higherIsBetter: false },
  mainMetric: 'loss',
  steppable: false,
  images: true,
  needsData: always,
  checkData: (p, shape) => shape && checkVaeData(p, shape),
};

const rbm: AlgorithmSpec<RbmParams> = {
  id: 'rbm',
  fields: rbmFields,
  params: rbmParams,
  headline: { key: 'testPll', higherIsBetter: true },
  mainMetric: 'testPll',
  steppable: false,
  images: true,
  needsData: always,
  checkData: (p, shape) => shape && checkRbmData(p, shape),
};

const gan: AlgorithmSpec<GanParams> = {
  id: 'gan',
  fields: ganFields,
  params: ganParams,
  headline: { key: 'js', higherIsBetter: false },
  mainMetric: 'dLoss',
  steppable: true,
  cycleEnd: 'g-step',
  images: true,
  needsData: ganNeedsData,
  checkData: (p, shape, _columns, image) => checkGanData(p, shape, image ?? false),
};

/**
 * Every algorithm, by id. Each entry is checked against its own parameter type above; here they
 * are held as any algorithm's (the host validates values with `params` before using them).
 */
export const algorithmSpecs: Record<string, AlgorithmSpec> = {
  gmm,
  'gmm-sweep': gmmSweep,
  vae,
  rbm,
  gan,
  mcmc: samplingSpec('mcmc', mcmcFields, mcmcParams),
  hmc: samplingSpec('hmc', hmcFields, hmcParams),
};

/**
 * What a run that took no data set was made from, as "field: value" (a sampler's target, a GAN's
 * preset source), or null when its parameters name neither.
 */
export function madeFrom(params: Record<string, unknown>): { field: string; value: string } | null {
  for (const field of ['target', 'source'])
    if (params[field] !== undefined) return { field, value: String(params[field]) };
  return null;
}

/** The spec of an algorithm id, or null for an id this version does not know. */
export function specOf(algorithm: string): AlgorithmSpec | null {
  return Object.hasOwn(algorithmSpecs, algorithm) ? algorithmSpecs[algorithm] : null;
}

/**
 * A run's parameters without those of fields that did not apply (a preset target's formula, NUTS's
 * settings on a Metropolis run): what the run page, the compare page and exported comparisons
 * list. Keys no field of the algorithm names are kept.
 */
export function appliedParams<T>(algorithm: string, params: Record<string, T>): Record<string, T> {
  const fields = specOf(algorithm)?.fields ?? [];
  return Object.fromEntries(
    Object.entries(params).filter(([key]) => {
      const field = fields.find((f) => f.key === key);
      return !field || isShown(field, params, fields);
    }),
  );
}
