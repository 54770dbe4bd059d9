import type { z } from 'zod';
import type { FieldList } from './fields';
import { gmmFields, gmmParams, checkGmmData } from './gmm';

/** What the renderer, the host and the CLI need to know about an algorithm (no engine code). */
export interface AlgorithmSpec {
  id: string;
  fields: FieldList;
  params: z.ZodType<Record<string, number>, Record<string, number | undefined>>;
  /** The summary key that is this algorithm's headline result, and whether higher is better. */
  headline: { key: string; higherIsBetter: boolean };
  /** The metric plotted live on the run page. */
  mainMetric: string;
  checkData(params: Record<string, number>, shape: { rows: number; cols: number }): string | null;
}

export const algorithmSpecs: Record<string, AlgorithmSpec> = {
  gmm: {
    id: 'gmm',
    fields: gmmFields,
    params: gmmParams,
    headline: { key: 'meanLogLikelihood', higherIsBetter: true },
    mainMetric: 'meanLogLikelihood',
    checkData: (p, shape) =>
      checkGmmData(p as { k: number; maxIter: number; tol: number; regCovar: number }, shape),
  },
};

export const algorithmIds = Object.keys(algorithmSpecs) as [string, ...string[]];
