import { describe, expect, it } from 'vitest';
import { inEnglish, translate, type LocalText } from '../../src/shared/i18n';
import * as tf from '@tensorflow/tfjs-core';
import {
  initBackend,
  isMissingKernel,
  requestedBackend,
  withCpuFallback,
} from '../../src/main/engine/backend';

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

  it('falls back to cpu, with a note, when wasm lacks a gradient kernel', async () => {
    await initBackend(null);
    await tf.setBackend('wasm');
    // The gradient of a 2-D convolution needs Conv2DBackpropFilter, which wasm does not have.
    const convGradSum = async () => {
      const x = tf.ones([1, 4, 4, 1]);
      const grad = tf.grad((w) =>
        tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'valid')),
      );
      const g = grad(tf.ones([2, 2, 1, 1]));
      return (await g.data())[0];
    };
    await expect(convGradSum()).rejects.toSatisfy(isMissingKernel);
    const notes: LocalText[] = [];
    const value = await withCpuFallback(convGradSum, (n) => notes.push(n));
    expect(value).toBe(9); // each weight sees 3 × 3 positions of ones
    expect(tf.getBackend()).toBe('cpu');
    expect(notes).toHaveLength(1);
    expect(notes[0].key).toBe('note.cpuFallback');
    expect(inEnglish(notes[0])).toMatch(/wasm backend lacks a kernel .*restarted on cpu/);
    expect(translate('zh', notes[0].key, notes[0].vars)).toMatch(/^wasm 后端缺少所需的算子.*cpu/);
  });

  it('does not retry errors that are not a missing kernel', async () => {
    let calls = 0;
    await expect(
      withCpuFallback(
        async () => {
          calls++;
          throw new Error('component 2 collapsed');
        },
        () => {},
      ),
    ).rejects.toThrow('collapsed');
    expect(calls).toBe(1);
  });
});
