/**
 * Seeded weight initialisation, drawn in JS from the run's rng so a run repeated with its seed
 * starts from the same weights on every backend (tfjs initialisers take a seed too, but their
 * streams are the library's, not ours).
 */
import type { Rng } from '../../../shared/rng';

/**
 * - 'pytorch': nn.Linear's default, kaiming_uniform(a = √5) = U(±1/√fan_in), biases alike.
 * - 'glorot': U(±√(6/(fan_in + fan_out))), biases 0 (Keras's default for Dense).
 * - 'he': U(±√(6/fan_in)), biases 0 (for ReLU layers).
 */
export type WeightInit = 'pytorch' | 'glorot' | 'he';

export function uniformArray(rng: Rng, length: number, limit: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
  return out;
}

/** A fan_in × fan_out weight matrix (row-major) and its bias, as plain arrays. */
export function initDense(
  rng: Rng,
  fanIn: number,
  fanOut: number,
  init: WeightInit,
): { weights: Float32Array; bias: Float32Array } {
  switch (init) {
    case 'pytorch': {
      const limit = 1 / Math.sqrt(fanIn);
      return {
        weights: uniformArray(rng, fanIn * fanOut, limit),
        bias: uniformArray(rng, fanOut, limit),
      };
    }
    case 'glorot':
      return {
        weights: uniformArray(rng, fanIn * fanOut, Math.sqrt(6 / (fanIn + fanOut))),
        bias: new Float32Array(fanOut),
      };
    case 'he':
      return {
        weights: uniformArray(rng, fanIn * fanOut, Math.sqrt(6 / fanIn)),
        bias: new Float32Array(fanOut),
      };
  }
}
