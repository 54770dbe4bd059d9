import { ganView } from './gan';
import { gmmView } from './gmm';
import { gmmSweepView } from './gmm-sweep';
import { rbmView } from './rbm';
import { samplingView } from './sampling';
import type { AlgorithmView } from './types';
import { vaeView } from './vae';

/**
 * Every algorithm's views, by id (the ids of src/shared/algorithms). An algorithm missing here
 * has no views: its run page says so and lists its parameters and results.
 */
export const algorithmViews: Record<string, AlgorithmView> = {
  gmm: gmmView,
  'gmm-sweep': gmmSweepView,
  vae: vaeView,
  rbm: rbmView,
  gan: ganView,
  mcmc: samplingView,
  hmc: samplingView,
};

export function viewOf(algorithm: string): AlgorithmView | null {
  return Object.hasOwn(algorithmViews, algorithm) ? algorithmViews[algorithm] : null;
}
