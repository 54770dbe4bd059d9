import type { Algorithm } from '../algorithm';
import { gan } from './gan';
import { gmm } from './gmm';
import { gmmSweep } from './gmm-sweep';
import { rbm } from './rbm';
import { hmc, mcmc } from './sampling';
import { vae } from './vae';

/**
 * Every algorithm the engine can run, by id (the ids match src/shared/algorithms). Each module is
 * typed with its own parameters; here they are held as any algorithm (the worker parses the
 * parameters with the algorithm's own schema before it runs it).
 */
export const engineAlgorithms: Record<string, Algorithm> = {
  gmm,
  'gmm-sweep': gmmSweep,
  gan,
  vae,
  rbm,
  mcmc,
  hmc,
};
