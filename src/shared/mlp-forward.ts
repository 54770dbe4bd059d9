/**
 * A saved MLP (the engine's training/mlp.ts: dense layers, one hidden activation, linear output)
 * evaluated in plain TypeScript, so the renderer and the CLI use a saved VAE or GAN without tfjs.
 */
import { unpackTensor, type PackedTensor } from './model-artifact';

export type HiddenActivation = 'relu' | 'tanh' | 'elu' | 'leakyRelu' | 'sigmoid';

export interface MlpLayer {
  fanIn: number;
  fanOut: number;
  /** fanIn × fanOut, row-major (as tfjs stores x·W). */
  weights: Float32Array;
  bias: Float32Array;
}

function activate(v: Float64Array, activation: HiddenActivation): void {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    switch (activation) {
      case 'relu':
        v[i] = x > 0 ? x : 0;
        break;
      case 'tanh':
        v[i] = Math.tanh(x);
        break;
      case 'elu':
        v[i] = x > 0 ? x : Math.expm1(x);
        break;
      case 'leakyRelu':
        v[i] = x > 0 ? x : 0.2 * x; // the slope tfjs's leakyRelu is called with in mlp.ts
        break;
      case 'sigmoid':
        v[i] = 1 / (1 + Math.exp(-x));
        break;
    }
  }
}

/** rows × fanIn → rows × fanOut: x·W + b, walking W row by row (contiguous, cache-friendly). */
function dense(x: Float64Array, rows: number, l: MlpLayer): Float64Array {
  const out = new Float64Array(rows * l.fanOut);
  for (let i = 0; i < rows; i++) {
    const o = i * l.fanOut;
    out.set(l.bias, o);
    for (let k = 0; k < l.fanIn; k++) {
      const a = x[i * l.fanIn + k];
      if (a === 0) continue; // ReLU leaves many zeros: their weight rows add nothing
      const w = k * l.fanOut;
      for (let j = 0; j < l.fanOut; j++) out[o + j] += a * l.weights[w + j];
    }
  }
  return out;
}

export function forwardMlp(
  layers: MlpLayer[],
  activation: HiddenActivation,
  x: Float64Array,
  rows: number,
): Float64Array {
  let h = x;
  layers.forEach((l, i) => {
    h = dense(h, rows, l);
    if (i < layers.length - 1) activate(h, activation); // linear output, as the engine's MLP
  });
  return h;
}

/** The layers `${name}/${i}/weights|bias` of a packed model, checked against `sizes`. */
export function readMlpLayers(
  entries: readonly PackedTensor[],
  data: Float32Array,
  name: string,
  sizes: number[],
): MlpLayer[] {
  return sizes.slice(1).map((fanOut, i) => {
    const l = {
      fanIn: sizes[i],
      fanOut,
      weights: unpackTensor(entries, data, `${name}/${i}/weights`),
      bias: unpackTensor(entries, data, `${name}/${i}/bias`),
    };
    if (l.weights.length !== l.fanIn * fanOut || l.bias.length !== fanOut)
      throw new Error(`the saved model's ${name} layer ${i} does not have its sizes' shape`);
    return l;
  });
}

/** Every layer's weights then bias as packed-tensor entries named `${name}/${i}/…`. */
export function mlpTensorList(
  name: string,
  sizes: number[],
  arrays: Float32Array[],
): { name: string; shape: number[]; values: Float32Array }[] {
  return arrays.map((values, i) => {
    const layer = i >> 1;
    const shape = i % 2 === 0 ? [sizes[layer], sizes[layer + 1]] : [sizes[layer + 1]];
    return { name: `${name}/${layer}/${i % 2 === 0 ? 'weights' : 'bias'}`, shape, values };
  });
}
