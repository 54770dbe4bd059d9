/**
 * A toy algorithm added the way the README's "Adding an algorithm" says, from this folder only:
 * its parameters (here), its engine module (engine.ts), its exporter (export.ts) and its views
 * (view.tsx), each put in its registry. A random walk with drift, taking no data set.
 * test/e2e/toy-algorithm.spec.ts runs it through the web shell: run page, compare page, export.
 */
import type { z } from 'zod';
import { algorithmSpecs, type AlgorithmSpec } from '../../src/shared/algorithms';
import { paramsSchema, type FieldList, type ParamsOf } from '../../src/shared/algorithms/fields';

export const TOY = 'toy-walk';
/** The same walk under another id, registered everywhere but in the page's views. */
export const TOY_WITHOUT_VIEWS = 'toy-walk-unseen';

const toyFields = [
  { key: 'steps', kind: 'int', default: 30, min: 1, max: 10_000, step: 1 },
  { key: 'drift', kind: 'number', default: 0.5, min: -10, max: 10, step: 0.1 },
] as const satisfies FieldList;

export type ToyParams = ParamsOf<typeof toyFields>;
export const toyParams: z.ZodType<ToyParams> = paramsSchema(toyFields);

export interface ToySummary {
  finalPosition: number;
  steps: number;
}

const toySpec: AlgorithmSpec<ToyParams> = {
  id: TOY,
  fields: toyFields,
  params: toyParams,
  headline: { key: 'finalPosition', higherIsBetter: true },
  mainMetric: 'position',
  steppable: true,
  images: false,
  needsData: () => false,
  checkData: () => null,
};

export function registerToySpec(): void {
  algorithmSpecs[TOY] = toySpec;
  algorithmSpecs[TOY_WITHOUT_VIEWS] = { ...toySpec, id: TOY_WITHOUT_VIEWS };
}
