import type { Algorithm } from '../algorithm';
import { gan } from './gan';
import { gmm } from './gmm';
import { gmmSweep } from './gmm-sweep';
import { rbm } from './rbm';
import { hmc, mcmc } from './sampling';
import { vae } from './vae';

/** Every algorithm the engine can run, by id (the ids match src/shared/algorithms). */
export const engineAlgorithms: Record<string, Algorithm<never, Record<string, unknown>>> = {
  gmm: gmm as unknown as Algorithm<never, Record<string, unknown>>,
  'gmm-sweep': gmmSweep as unknown as Algorithm<never, Record<string, unknown>>,
  gan: gan as unknown as Algorithm<never, Record<string, unknown>>,
  vae: vae as unknown as Algorithm<never, Record<string, unknown>>,
  rbm: rbm as unknown as Algorithm<never, Record<string, unknown>>,
  mcmc: mcmc as unknown as Algorithm<never, Record<string, unknown>>,
  hmc: hmc as unknown as Algorithm<never, Record<string, unknown>>,
};
