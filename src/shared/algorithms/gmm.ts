import { paramsSchema, type FieldList } from './fields';

/** EM for a Gaussian mixture with full covariances. Parameter names follow scikit-learn. */
export const gmmFields = [
  { key: 'k', kind: 'int', default: 2, min: 1, max: 64, step: 1 },
  { key: 'maxIter', kind: 'int', default: 100, min: 1, max: 100000, step: 10 },
  { key: 'tol', kind: 'number', default: 1e-3, min: 0, exclusiveMin: true, max: 1, step: 1e-4 },
  { key: 'regCovar', kind: 'number', default: 1e-6, min: 0, max: 1, step: 1e-6 },
] as const satisfies FieldList;

export const gmmParams = paramsSchema(gmmFields);
export type GmmParams = { k: number; maxIter: number; tol: number; regCovar: number };

/** Refusals that depend on the data, checked by the host before anything is stored. */
export function checkGmmData(
  params: GmmParams,
  shape: { rows: number; cols: number },
): string | null {
  if (shape.cols < 1) return 'choose at least one numeric column';
  if (params.k > shape.rows)
    return `K = ${params.k} is larger than the number of rows (${shape.rows}); reduce K`;
  return null;
}

export interface GmmSummary {
  weights: number[];
  means: number[][];
  covariances: number[][][];
  meanLogLikelihood: number;
  bic: number;
  aic: number;
  iterations: number;
  converged: boolean;
}
