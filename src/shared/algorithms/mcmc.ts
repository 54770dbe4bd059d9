import type { z } from 'zod';
import { paramsSchema, type FieldList } from './fields';
import { localText, type LocalText } from '../i18n';

/** Targets drawn in two dimensions, where the run page shows the density and the moves. */
export const targets2d = [
  'gaussian',
  'correlated',
  'banana',
  'donut',
  'bimodal',
  'funnel',
  'squiggle',
] as const;
/** Fixed targets of higher dimension (the benchmark problems). */
export const targetsHighDim = ['gauss100', 'funnel10'] as const;
/** Posteriors that need a data set (the run's selected columns). */
export const dataTargets = ['logistic-regression', 'linear-regression'] as const;
export const presetTargets = [...targets2d, ...targetsHighDim] as const;
/** A Gaussian mixture fitted by a completed GMM run (`gmmRun`), as a density to sample. */
const hmcTargets = [...presetTargets, 'formula', 'gmm-run', ...dataTargets] as const;
/** Exact Gibbs on the Bayesian Gaussian mixture is a Gibbs sampler only. */
const mcmcTargets = [...hmcTargets, 'bayes-gmm'] as const;
export type SamplingTarget = (typeof mcmcTargets)[number];

export const mcmcSamplers = ['metropolis', 'gibbs'] as const;
export const hmcSamplers = ['nuts', 'hmc'] as const;

/** Fields of the target, shared by both algorithms. */
function targetFields<T extends readonly string[]>(options: T) {
  return [
    { key: 'target', kind: 'choice', default: 'banana', options },
    {
      key: 'formula',
      kind: 'text',
      default: '-(x^2)/2 - (y - x^2)^2',
      maxLength: 2000,
      showIf: { key: 'target', in: ['formula'] },
    },
    // The box a 2-D formula is drawn over: "x0, x1; y0, y1" (default [−4, 4]²).
    {
      key: 'bounds',
      kind: 'matrix',
      optional: true,
      placeholder: '-4, 4; -4, 4',
      showIf: { key: 'target', in: ['formula'] },
    },
    {
      key: 'gmmRun',
      kind: 'int',
      default: 1,
      min: 1,
      max: 2 ** 31 - 1,
      step: 1,
      showIf: { key: 'target', in: ['gmm-run'] },
    },
    {
      key: 'response',
      kind: 'text',
      default: 'y',
      maxLength: 200,
      column: true,
      showIf: { key: 'target', in: dataTargets },
    },
    {
      key: 'priorScale',
      kind: 'number',
      default: 2.5,
      min: 0,
      exclusiveMin: true,
      max: 1e6,
      step: 0.5,
      showIf: { key: 'target', in: dataTargets },
    },
  ] as const;
}

/** 'watch': a 2-D target runs at a pace the eye can follow; 'full': as fast as it can. */
export const samplingPaces = ['watch', 'full'] as const;
/** Iterations per second of a 2-D target at the 'watch' pace. */
export const WATCH_ITERATIONS_PER_SECOND = 200;

const chainFields = [
  { key: 'chains', kind: 'int', default: 4, min: 1, max: 16, step: 1 },
  { key: 'warmup', kind: 'int', default: 1000, min: 0, max: 1_000_000, step: 100 },
  { key: 'draws', kind: 'int', default: 1000, min: 1, max: 1_000_000, step: 100 },
  { key: 'pace', kind: 'choice', default: 'watch', options: samplingPaces },
] as const;

export const mcmcFields = [
  ...targetFields(mcmcTargets),
  {
    key: 'components',
    kind: 'int',
    default: 2,
    min: 1,
    max: 20,
    step: 1,
    showIf: { key: 'target', in: ['bayes-gmm'] },
  },
  { key: 'sampler', kind: 'choice', default: 'metropolis', options: mcmcSamplers },
  {
    key: 'proposalScale',
    kind: 'number',
    default: 1,
    min: 0,
    exclusiveMin: true,
    max: 1e6,
    step: 0.1,
  },
  { key: 'adapt', kind: 'boolean', default: true },
  ...chainFields,
] as const satisfies FieldList;

export const hmcFields = [
  ...targetFields(hmcTargets),
  { key: 'sampler', kind: 'choice', default: 'nuts', options: hmcSamplers },
  { key: 'stepSize', kind: 'number', default: 1, min: 0, exclusiveMin: true, max: 100, step: 0.05 },
  {
    key: 'leapfrogSteps',
    kind: 'int',
    default: 20,
    min: 1,
    max: 10_000,
    step: 1,
    showIf: { key: 'sampler', in: ['hmc'] },
  },
  {
    key: 'trajectoryLength',
    kind: 'number',
    default: 0,
    min: 0,
    max: 10_000,
    step: 0.5,
    showIf: { key: 'sampler', in: ['hmc'] },
  },
  {
    key: 'maxTreeDepth',
    kind: 'int',
    default: 10,
    min: 1,
    max: 15,
    step: 1,
    showIf: { key: 'sampler', in: ['nuts'] },
  },
  { key: 'adaptStepSize', kind: 'boolean', default: true },
  // The metric is learnt in the step size's warm-up windows: without those, there is none.
  {
    key: 'adaptMetric',
    kind: 'boolean',
    default: true,
    showIf: { key: 'adaptStepSize', in: [true] },
  },
  {
    key: 'targetAccept',
    kind: 'number',
    default: 0.8,
    min: 0.05,
    max: 0.999,
    step: 0.05,
  },
  ...chainFields,
] as const satisfies FieldList;

type CommonParams = {
  target: SamplingTarget;
  formula?: string;
  /** [[x0, x1], [y0, y1]]: where a 2-D formula's density is drawn. */
  bounds?: number[][];
  gmmRun?: number;
  response?: string;
  priorScale?: number;
  chains: number;
  warmup: number;
  draws: number;
  pace: (typeof samplingPaces)[number];
};
export type McmcParams = CommonParams & {
  components?: number;
  sampler: (typeof mcmcSamplers)[number];
  proposalScale: number;
  adapt: boolean;
};
export type HmcParams = CommonParams & {
  sampler: (typeof hmcSamplers)[number];
  stepSize: number;
  leapfrogSteps?: number;
  /** HMC: integration time εL; when > 0 the steps are ⌊length / ε⌋ (ε as adapted). */
  trajectoryLength?: number;
  maxTreeDepth?: number;
  adaptStepSize: boolean;
  adaptMetric: boolean;
  targetAccept: number;
};
export type SamplingParams = McmcParams | HmcParams;

export const mcmcParams: z.ZodType<McmcParams> = paramsSchema(mcmcFields);
export const hmcParams: z.ZodType<HmcParams> = paramsSchema(hmcFields);

/** Whether the target is a posterior given a data set (so the run needs one). */
export function samplingNeedsData(p: { target: string }): boolean {
  return (dataTargets as readonly string[]).includes(p.target) || p.target === 'bayes-gmm';
}

/**
 * Values kept (draws × chains × (parameters + statistics)): bounds the run's memory (80 MB of
 * float64 in the worker and in the page) and keeps its draws.csv well inside a string's size.
 */
const MAX_VALUES = 10_000_000;

/** Why a run of this target's dimension would keep too many draws (null when it fits). */
export function checkSamplingSize(p: SamplingParams, dim: number): LocalText | null {
  const values = p.chains * (p.warmup + p.draws) * (dim + 7);
  return values > MAX_VALUES
    ? localText('refuse.tooManyDraws', {
        dim,
        values: values.toLocaleString('en'),
        max: MAX_VALUES.toLocaleString('en'),
      })
    : null;
}

export function checkSamplingData(
  p: SamplingParams,
  shape: { rows: number; cols: number } | null,
  columns: readonly string[],
): LocalText | null {
  // Every draw is kept (with 7 sampler statistics). The host checks again once it has built the
  // target and knows its dimension; here, the fixed targets.
  const fixed = p.target === 'gauss100' ? 100 : p.target === 'funnel10' ? 10 : 2;
  const tooBig = checkSamplingSize(p, fixed);
  if (tooBig) return tooBig;
  const b = p.target === 'formula' ? p.bounds : undefined;
  if (b && (b.length !== 2 || b.some((r) => r.length !== 2 || !(r[1] > r[0]))))
    return localText('refuse.bounds');
  if (!samplingNeedsData(p)) return null;
  if (!shape) return localText('refuse.posteriorNeedsData', { target: p.target });
  if (p.target === 'bayes-gmm') {
    if (shape.rows < (p as McmcParams).components! * 2) return localText('refuse.mixtureRows');
    if (p.sampler !== 'gibbs') return localText('refuse.mixtureGibbs');
    return null;
  }
  if (!p.response || !columns.includes(p.response))
    return localText('refuse.responseColumn', {
      response: p.response ?? '',
      columns: columns.join(', '),
    });
  if (columns.length < 2) return localText('refuse.regressionColumns');
  if (shape.rows <= columns.length) return localText('refuse.regressionRows');
  return null;
}
