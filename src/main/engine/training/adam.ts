/**
 * Adam (or SGD) over a fixed list of variables. The objective function may keep (tf.keep) side results it
 * computes, such as the loss terms for the metrics: they are returned, and the caller disposes.
 */
import type * as tfjs from '@tensorflow/tfjs-core';

type Tf = typeof tfjs;

export interface AdamOptions {
  learningRate: number;
  /** PyTorch's defaults: 0.9, 0.999, 1e-8 (tfjs's epsilon default is 1e-7). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface Adam {
  /**
   * One update: minimises `objective()` (a scalar) over the variables. Returns whatever the
   * objective kept (as `report`), or the objective's value when it kept nothing.
   */
  step(objective: (keep: (t: tfjs.Tensor) => void) => tfjs.Scalar): tfjs.Tensor;
  dispose(): void;
}

export function createAdam(tf: Tf, variables: tfjs.Variable[], options: AdamOptions): Adam {
  const optimizer = tf.train.adam(
    options.learningRate,
    options.beta1 ?? 0.9,
    options.beta2 ?? 0.999,
    options.epsilon ?? 1e-8,
  );
  return minimizer(tf, optimizer, variables);
}

/** Any optimizer with Adam's interface (the GAN lets D and G each use Adam or SGD). */
export type Optimizer = Adam;

/** Plain stochastic gradient descent over a fixed list of variables. */
export function createSgd(tf: Tf, variables: tfjs.Variable[], learningRate: number): Optimizer {
  return minimizer(tf, tf.train.sgd(learningRate), variables);
}

function minimizer(tf: Tf, optimizer: tfjs.Optimizer, variables: tfjs.Variable[]): Optimizer {
  return {
    step(objective) {
      let report: tfjs.Tensor | null = null;
      const cost = optimizer.minimize(
        () =>
          objective((t) => {
            report = tf.keep(t);
          }),
        true,
        variables,
      ) as tfjs.Scalar;
      if (report === null) return cost;
      cost.dispose();
      return report;
    },
    dispose: () => optimizer.dispose(),
  };
}
