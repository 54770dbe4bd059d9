/**
 * A multilayer perceptron on plain tf.Variables: dense layers with one hidden activation and a
 * linear output. Small on purpose (no tfjs-layers): the VAE's encoder and decoder, the GAN's
 * generator and discriminator are each one of these; an RBM uses `initDense` directly.
 */
import type * as tfjs from '@tensorflow/tfjs-core';
import type { Rng } from '../../../shared/rng';
import { initDense, type WeightInit } from './init';

type Tf = typeof tfjs;

export type Activation = 'relu' | 'tanh' | 'elu' | 'leakyRelu' | 'sigmoid' | 'linear';

export function activate(tf: Tf, x: tfjs.Tensor, activation: Activation): tfjs.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'elu':
      return tf.elu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, 0.2);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'linear':
      return x;
  }
}

export interface DenseLayer {
  /** fan_in × fan_out. */
  weights: tfjs.Variable<tfjs.Rank.R2>;
  bias: tfjs.Variable<tfjs.Rank.R1>;
}

export interface Mlp {
  /** Layer widths, input first: [784, 400, 40] is one hidden layer of 400. */
  sizes: number[];
  activation: Activation;
  layers: DenseLayer[];
  /**
   * x (batch × sizes[0]) → batch × sizes.at(-1), activation between layers, linear output. With
   * `frozen`, gradients pass through to x but none are computed for the weights.
   */
  apply(x: tfjs.Tensor2D, frozen?: boolean): tfjs.Tensor2D;
  variables(): tfjs.Variable[];
  dispose(): void;
}

/**
 * x·W + b with its gradient written out. tfjs's own MatMul gradient multiplies with a transposed
 * operand (transposeA / transposeB), which the wasm backend runs ~13× slower than a plain product
 * (36 ms against 2.8 ms for 128×784 by 784×400 here); transposing first and multiplying plainly
 * costs ~3 ms. `inputGrad` false skips the product for the input's gradient (zeros instead);
 * `weightGrad` false skips the weights' (a GAN's generator update passes through a discriminator
 * whose weights it does not change).
 */
export function denseLayer(
  tf: Tf,
): (
  x: tfjs.Tensor2D,
  w: tfjs.Tensor2D,
  b: tfjs.Tensor1D,
  inputGrad: boolean,
  weightGrad?: boolean,
) => tfjs.Tensor2D {
  const make = (inputGrad: boolean, weightGrad: boolean) =>
    tf.customGrad((...args: unknown[]) => {
      const [x, w, b, save] = args as [
        tfjs.Tensor2D,
        tfjs.Tensor2D,
        tfjs.Tensor1D,
        (t: tfjs.Tensor[]) => void,
      ];
      save([x, w, b]);
      return {
        value: tf.fused.matMul({ a: x, b: w, bias: b }) as tfjs.Tensor2D,
        gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => {
          const [sx, sw, sb] = saved as [tfjs.Tensor2D, tfjs.Tensor2D, tfjs.Tensor1D];
          const dy2 = dy as tfjs.Tensor2D;
          return [
            inputGrad ? tf.matMul(dy2, tf.transpose(sw)) : tf.zerosLike(sx),
            weightGrad ? tf.matMul(tf.transpose(sx), dy2) : tf.zerosLike(sw),
            weightGrad ? tf.sum(dy2, 0) : tf.zerosLike(sb),
          ];
        },
      };
    }) as unknown as (x: tfjs.Tensor2D, w: tfjs.Tensor2D, b: tfjs.Tensor1D) => tfjs.Tensor2D;
  const variants = [make(false, false), make(false, true), make(true, false), make(true, true)];
  return (x, w, b, inputGrad, weightGrad = true) =>
    variants[(inputGrad ? 2 : 0) + (weightGrad ? 1 : 0)](x, w, b);
}

export interface MlpOptions {
  /** False for frozen weights (a saved model rebuilt to generate). */
  trainable?: boolean;
  /**
   * False when the input is data that needs no gradient (an encoder, a discriminator's real
   * batch is not, since the same net also sees generated samples): saves one matrix product.
   */
  inputGradient?: boolean;
}

export function createMlp(
  tf: Tf,
  rng: Rng,
  sizes: number[],
  activation: Activation,
  init: WeightInit,
  options: MlpOptions = {},
): Mlp {
  const arrays = sizes.slice(1).map((fanOut, i) => initDense(rng, sizes[i], fanOut, init));
  return mlpFromArrays(tf, sizes, activation, arrays, options);
}

/** An MLP with given weights (e.g. read back from a saved 'model' artifact). */
export function mlpFromArrays(
  tf: Tf,
  sizes: number[],
  activation: Activation,
  arrays: { weights: Float32Array; bias: Float32Array }[],
  { trainable = true, inputGradient = true }: MlpOptions = {},
): Mlp {
  const options = { inputGradient };
  // Unnamed: tfjs names variables uniquely itself (two live models must not clash).
  const variable = <R extends tfjs.Rank>(initial: tfjs.Tensor<R>) => {
    const v = tf.variable<R>(initial, trainable);
    initial.dispose(); // the variable holds its own reference to the data
    return v;
  };
  const layers: DenseLayer[] = [];
  try {
    arrays.forEach((a, i) => {
      const weights = variable(tf.tensor2d(a.weights, [sizes[i], sizes[i + 1]]));
      try {
        layers.push({ weights, bias: variable(tf.tensor1d(a.bias)) });
      } catch (e) {
        weights.dispose();
        throw e;
      }
    });
  } catch (e) {
    for (const l of layers) {
      l.weights.dispose();
      l.bias.dispose();
    }
    throw e;
  }
  const dense = denseLayer(tf);
  return {
    sizes,
    activation,
    layers,
    apply(x, frozen = false) {
      let h: tfjs.Tensor2D = x;
      layers.forEach((l, i) => {
        h = dense(h, l.weights, l.bias, i > 0 || options.inputGradient || frozen, !frozen);
        if (i < layers.length - 1) h = activate(tf, h, activation) as tfjs.Tensor2D;
      });
      return h;
    },
    variables: () => layers.flatMap((l) => [l.weights, l.bias]),
    dispose() {
      for (const l of layers) {
        l.weights.dispose();
        l.bias.dispose();
      }
    },
  };
}

/** Every layer's weights then bias, in order, as one Float32Array (for a 'model' artifact). */
export async function mlpToArrays(mlp: Mlp): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const l of mlp.layers) {
    out.push((await l.weights.data()) as Float32Array, (await l.bias.data()) as Float32Array);
  }
  return out;
}
