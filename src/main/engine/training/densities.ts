/**
 * Log densities and divergences shared by the neural models, elementwise or summed over the last
 * axis, all in log space and stable for any logit.
 */
import type * as tfjs from '@tensorflow/tfjs-core';

type Tf = typeof tfjs;

export const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Bernoulli cross-entropy from logits, −[x log σ(l) + (1 − x) log(1 − σ(l))], elementwise, for
 * targets x in [0, 1] (continuous targets allowed, as the PyTorch VAE uses grey pixels):
 * softplus(l) − l·x. tfjs's Softplus kernels (cpu, wasm, TensorFlow) are the stable
 * max(l, 0) + log1p(e^−|l|) form, so this never overflows; three kernels instead of the seven
 * the written-out form takes (the IWAE bound runs it on millions of values).
 */
export function bernoulliCrossEntropyFromLogits(
  tf: Tf,
  logits: tfjs.Tensor,
  x: tfjs.Tensor,
): tfjs.Tensor {
  return tf.sub(tf.softplus(logits), tf.mul(logits, x));
}

/** −log N(x; μ, exp(logVar)) elementwise. */
export function gaussianNegLogDensity(
  tf: Tf,
  x: tfjs.Tensor,
  mean: tfjs.Tensor,
  logVar: tfjs.Tensor,
): tfjs.Tensor {
  return tf.mul(
    0.5,
    tf.add(tf.add(tf.div(tf.squaredDifference(x, mean), tf.exp(logVar)), logVar), LOG_2PI),
  );
}

/** KL(N(μ, diag e^logVar) ‖ N(0, I)) per row: ½ Σ (μ² + e^logVar − 1 − logVar). */
export function klToStandardNormal(
  tf: Tf,
  mean: tfjs.Tensor2D,
  logVar: tfjs.Tensor2D,
): tfjs.Tensor1D {
  return tf.mul(
    0.5,
    tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(logVar, 1)), 1),
  ) as tfjs.Tensor1D;
}
