import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, requestedBackend } from '../../src/main/engine/backend';

describe('tfjs backend choice', () => {
  it('initialises a backend and computes with it', async () => {
    const choice = await initBackend(null);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(choice.name);
    expect(tf.getBackend()).toBe(choice.name);
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
  });

  it('refuses an unknown forced backend by name', () => {
    expect(() => requestedBackend({ LATENT_LAB_BACKEND: 'gpu' })).toThrow(/not one of/);
    expect(requestedBackend({ LATENT_LAB_BACKEND: 'WASM' })).toBe('wasm');
  });
});
