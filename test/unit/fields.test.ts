/** Which of an algorithm's fields apply to a run: the form, the run page and comparisons agree. */
import { describe, expect, it } from 'vitest';
import { algorithmSpecs, appliedParams } from '../../src/shared/algorithms';
import { defaultValues, isShown } from '../../src/shared/algorithms/fields';

describe('fields that apply', () => {
  const rbm = algorithmSpecs.rbm.fields;
  const threshold = rbm.find((f) => f.key === 'threshold')!;

  it('follows a chain of conditions, not only the first', () => {
    const values = defaultValues(rbm);
    expect(isShown(threshold, values, rbm)).toBe(true);
    expect(isShown(threshold, { ...values, binarize: 'stochastic' }, rbm)).toBe(false);
    // Gaussian visibles: nothing is binarised, so the threshold (still 'threshold' binarising by
    // default) does not apply either.
    expect(isShown(threshold, { ...values, visible: 'gaussian' }, rbm)).toBe(false);
  });

  it("leaves out what did not apply to a run: a preset target's formula, NUTS settings on HMC", () => {
    const params = {
      ...defaultValues(algorithmSpecs.hmc.fields),
      target: 'banana',
      sampler: 'hmc',
    };
    expect(params).toHaveProperty('formula');
    expect(params).toHaveProperty('maxTreeDepth');
    const applied = appliedParams('hmc', params);
    expect(applied).not.toHaveProperty('formula');
    expect(applied).not.toHaveProperty('maxTreeDepth');
    expect(applied).toHaveProperty('leapfrogSteps');
    expect(applied.target).toBe('banana');
    // Keys no field names are kept; an unknown algorithm keeps everything.
    expect(appliedParams('hmc', { ...params, extra: 1 })).toHaveProperty('extra', 1);
    expect(appliedParams('future-model', { a: 1 })).toEqual({ a: 1 });
  });
});
