import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, type AlgorithmContext, type EngineData } from '../../src/main/engine/algorithm';
import {
  discriminatorLoss,
  fitGan,
  gan,
  generatorLoss,
  gradientPenalty,
  interpolationWeights,
  secondOrderGradientsWork,
  troubleWatch,
} from '../../src/main/engine/algorithms/gan';
import { initBackend } from '../../src/main/engine/backend';
import { createRng } from '../../src/shared/rng';
import {
  checkGanData,
  ganParams,
  type GanFieldMeta,
  type GanParams,
  type GanPointsMeta,
} from '../../src/shared/algorithms/gan';
import { algorithmSpecs } from '../../src/shared/algorithms';
import type { ParamValues } from '../../src/shared/algorithms/fields';
import {
  histogramDivergences,
  modeCoverage,
  presetModes,
  samplePreset,
} from '../../src/shared/gan-2d';
import { readGanModel } from '../../src/shared/gan-model';
import { inEnglish, translate, type LocalText } from '../../src/shared/i18n';

const english = (text: LocalText | null) => text && inEnglish(text);

const P = (p: Partial<GanParams>): GanParams => ganParams.parse(p);
const noData: EngineData = { values: new Float64Array(0), rows: 0, cols: 0, columns: [] };
const softplus = (x: number) => Math.log1p(Math.exp(x));
const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, v) => s + v, 0) / xs.length;
const sd = (xs: ArrayLike<number>) => {
  const m = mean(xs);
  return Math.sqrt(Array.from(xs).reduce((s, v) => s + (v - m) ** 2, 0) / xs.length);
};
const value = async (t: tf.Tensor) => {
  const v = (await t.data())[0];
  t.dispose();
  return v;
};

beforeAll(async () => {
  await initBackend(null);
});

describe('GAN losses from logits', () => {
  const real = [2, -1, 0.5];
  const fake = [-3, 0.25, 1];
  const losses = async (name: Parameters<typeof discriminatorLoss>[1], smoothing = 0) => {
    const r = tf.tensor2d(real, [3, 1]);
    const f = tf.tensor2d(fake, [3, 1]);
    const d = await value(discriminatorLoss(tf, name, r, f, smoothing));
    const g = await value(generatorLoss(tf, name, f));
    r.dispose();
    f.dispose();
    return { d, g };
  };

  it('non-saturating: D is BCE on real (target 1 − s) and fake (0); G is −log σ(l)', async () => {
    const s = 0.1;
    // BCE(l, t) = −t log σ(l) − (1 − t) log(1 − σ(l)) = softplus(l) − t·l.
    const bce = (l: number, t: number) =>
      -t * Math.log(1 / (1 + Math.exp(-l))) - (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-l)));
    const { d, g } = await losses('non-saturating', s);
    expect(d).toBeCloseTo(
      mean(real.map((l) => bce(l, 1 - s))) + mean(fake.map((l) => bce(l, 0))),
      5,
    );
    expect(g).toBeCloseTo(mean(fake.map((l) => -Math.log(1 / (1 + Math.exp(-l))))), 5);
  });

  it('minimax: the same D loss; G minimises log(1 − σ(l))', async () => {
    const { d, g } = await losses('minimax');
    expect(d).toBeCloseTo(mean(real.map((l) => softplus(-l))) + mean(fake.map(softplus)), 5);
    expect(g).toBeCloseTo(mean(fake.map((l) => Math.log(1 - 1 / (1 + Math.exp(-l))))), 5);
  });

  it('least squares: ½E[(D(x) − 1)²] + ½E[D(G(z))²]; G ½E[(D(G(z)) − 1)²]', async () => {
    const { d, g } = await losses('least-squares');
    expect(d).toBeCloseTo(
      0.5 * (mean(real.map((l) => (l - 1) ** 2)) + mean(fake.map((l) => l ** 2))),
      5,
    );
    expect(g).toBeCloseTo(0.5 * mean(fake.map((l) => (l - 1) ** 2)), 5);
  });

  it('Wasserstein: E[f(G(z))] − E[f(x)]; G −E[f(G(z))]', async () => {
    const { d, g } = await losses('wgan-gp');
    expect(d).toBeCloseTo(mean(fake) - mean(real), 5);
    expect(g).toBeCloseTo(-mean(fake), 5);
  });

  it('hinge: E[relu(1 − f(x))] + E[relu(1 + f(G(z)))]; G −E[f(G(z))]', async () => {
    const { d, g } = await losses('hinge');
    const relu = (x: number) => Math.max(0, x);
    expect(d).toBeCloseTo(
      mean(real.map((l) => relu(1 - l))) + mean(fake.map((l) => relu(1 + l))),
      5,
    );
    expect(g).toBeCloseTo(-mean(fake), 5);
  });

  it('stays finite for large logits (computed from logits, never from probabilities)', async () => {
    const r = tf.tensor2d([80, -80], [2, 1]);
    const f = tf.tensor2d([-80, 80], [2, 1]);
    expect(Number.isFinite(await value(discriminatorLoss(tf, 'non-saturating', r, f)))).toBe(true);
    expect(Number.isFinite(await value(generatorLoss(tf, 'non-saturating', f)))).toBe(true);
    r.dispose();
    f.dispose();
  });
});

describe('WGAN gradient penalty', () => {
  it('draws one interpolation weight per example, uniform on [0, 1]', async () => {
    const n = 20000;
    const a = interpolationWeights(tf, n, 5);
    expect(a.shape).toEqual([n, 1]);
    const v = await a.data();
    a.dispose();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(mean(v)).toBeCloseTo(0.5, 1);
    expect(sd(v) ** 2).toBeCloseTo(1 / 12, 2);
    // Uniform: each tenth of [0, 1] holds about a tenth.
    for (let k = 0; k < 10; k++) {
      const share = Array.from(v).filter((x) => x >= k / 10 && x < (k + 1) / 10).length / n;
      expect(Math.abs(share - 0.1)).toBeLessThan(0.015);
    }
  });

  it('matches a hand computation: f(x) = ½‖x‖², so ∇f(x̂) = x̂ row by row', async () => {
    const real = [1, 2, -1, 0];
    const fake = [3, 0, 1, 1];
    const alpha = [0.25, 0.9];
    const expected = mean(
      alpha.map((a, i) => {
        const x = [0, 1].map((j) => a * real[2 * i + j] + (1 - a) * fake[2 * i + j]);
        return (Math.hypot(x[0], x[1]) - 1) ** 2;
      }),
    );
    const got = await value(
      tf.tidy(() =>
        gradientPenalty(
          tf,
          (x) => tf.mul(tf.sum(tf.square(x), 1, true), 0.5) as tf.Tensor2D,
          tf.tensor2d(real, [2, 2]),
          tf.tensor2d(fake, [2, 2]),
          tf.tensor2d(alpha, [2, 1]),
        ),
      ),
    );
    expect(got).toBeCloseTo(expected, 4);
  });

  it('second-order gradients are right through ReLU on this backend, not through tanh', async () => {
    expect(await secondOrderGradientsWork(tf, 'relu')).toBe(true);
    // tfjs 4.22's tanh gradient reuses its saved output, which the outer tape does not follow:
    // if this starts to pass, tanh can join GRADIENT_PENALTY_ACTIVATIONS.
    expect(await secondOrderGradientsWork(tf, 'tanh')).toBe(false);
    expect(await secondOrderGradientsWork(tf, 'leakyRelu')).toBe(false);
  });

  it('refuses WGAN-GP with a discriminator it cannot differentiate twice', () => {
    const refusal = checkGanData(P({ loss: 'wgan-gp', dActivation: 'tanh' }), null, false)!;
    expect(inEnglish(refusal)).toMatch(/ReLU discriminator \(tanh: wrong or missing\).*hinge/);
    // The page shows it in the reader's language.
    expect(translate('zh', refusal.key, refusal.vars)).toMatch(/tanh.*hinge/);
    expect(checkGanData(P({ loss: 'wgan-gp' }), null, false)).toBeNull();
  });

  it('trains with WGAN-GP without NaN', async () => {
    const r = await fitGan(
      tf,
      noData,
      P({ loss: 'wgan-gp', steps: 30, viewEvery: 10, gUnits: 16, dUnits: 16, batchSize: 32 }),
      { rng: createRng(3) },
    );
    expect(Number.isFinite(r.dLoss)).toBe(true);
  });
});

describe('2-D metrics', () => {
  it('the ring itself covers all 8 modes with nearly every sample of high quality', () => {
    const rng = createRng(1);
    const xy = samplePreset(rng, 'ring8', 2500);
    const c = modeCoverage(xy, presetModes('ring8')!);
    expect(c.covered).toBe(8);
    // Within 3 sd in 2-D: P(χ²₂ ≤ 9) = 1 − e^−4.5 ≈ 0.989.
    expect(c.highQuality).toBeGreaterThan(0.98);
    // One mode only: 1 covered.
    const one = Float32Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? 2 : 0));
    expect(modeCoverage(one, presetModes('ring8')!).covered).toBe(1);
  });

  it('KL and JS are near 0 for two samples of one distribution, large for different ones', () => {
    const rng = createRng(2);
    const bounds: [[number, number], [number, number]] = [
      [-3, 3],
      [-3, 3],
    ];
    const a = samplePreset(rng, 'grid25', 5000);
    const b = samplePreset(rng, 'grid25', 5000);
    const c = samplePreset(rng, 'ring8', 5000);
    const same = histogramDivergences(a, b, bounds);
    const other = histogramDivergences(a, c, bounds);
    expect(same.kl).toBeLessThan(0.05);
    expect(same.js).toBeLessThan(0.02);
    expect(other.js).toBeGreaterThan(0.3);
    expect(other.js).toBeLessThanOrEqual(Math.log(2));
  });
});

describe('fitGan', () => {
  it('learns the mean and standard deviation of a 1-D Gaussian', async () => {
    const rng = createRng(11);
    const n = 4000;
    const values = Float64Array.from({ length: n }, () => 3 + 0.5 * rng.normal());
    const data: EngineData = { values, rows: n, cols: 1, columns: ['x'] };
    const r = await fitGan(
      tf,
      data,
      P({
        source: 'dataset',
        noiseDim: 1,
        gUnits: 32,
        dUnits: 32,
        steps: 1500,
        batchSize: 128,
        dLearningRate: 1e-3,
        gLearningRate: 1e-3,
        viewEvery: 500,
      }),
      { rng: createRng(4) },
    );
    const x = readGanModel(r.model.meta, r.model.data).sample(5000, 1).x;
    expect(Math.abs(mean(x) - 3)).toBeLessThan(0.1);
    expect(Math.abs(sd(x) - 0.5)).toBeLessThan(0.1);
  });

  it('leaks no tensors across steps, and reports every viewEvery steps', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const steps: number[] = [];
    await fitGan(tf, noData, P({ steps: 40, viewEvery: 10, gUnits: 16, dUnits: 16 }), {
      rng: createRng(1),
      onReadback: (s) => {
        steps.push(s);
        counts.push(tf.memory().numTensors);
      },
      emit: { artifact: () => {} },
    });
    expect(steps).toEqual([10, 20, 30, 40]);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('emits the 2-D view: D on a grid, real and generated points with the push on each', async () => {
    const artifacts: { kind: string; step: number; meta: unknown; data?: unknown }[] = [];
    await fitGan(tf, noData, P({ steps: 20, viewEvery: 10, gUnits: 16, dUnits: 16 }), {
      rng: createRng(1),
      emit: { artifact: (kind, step, meta, data) => artifacts.push({ kind, step, meta, data }) },
    });
    const fields = artifacts.filter((a) => a.kind === 'field2d');
    expect(fields.map((a) => a.step)).toEqual([0, 10, 20]);
    const f = fields[0].meta as GanFieldMeta;
    const fv = fields[0].data as Float32Array;
    expect(fv.length).toBe(f.size * f.size);
    expect(fv.every((v) => v >= 0 && v <= 1)).toBe(true);
    const real = artifacts.filter((a) => (a.meta as GanPointsMeta).role === 'real');
    expect(real).toHaveLength(1);
    const gen = artifacts.filter((a) => (a.meta as GanPointsMeta).role === 'generated');
    const g = gen.at(-1)!;
    expect((g.meta as GanPointsMeta).stride).toBe(4);
    const rows = g.data as Float32Array;
    expect(rows.length).toBe(4 * (g.meta as GanPointsMeta).count);
    expect(rows.some((v, i) => i % 4 >= 2 && v !== 0)).toBe(true);
    expect(artifacts.filter((a) => a.kind === 'model')).toHaveLength(1);
  });

  it('is repeatable with its seed', async () => {
    const run = async () =>
      (
        await fitGan(tf, noData, P({ steps: 20, viewEvery: 20, gUnits: 8, dUnits: 8 }), {
          rng: createRng(9),
        })
      ).dLoss;
    expect(await run()).toBe(await run());
  });

  it('flags a falling modes-covered count once per episode, and D overpowering G', () => {
    const watch = troubleWatch(8, 'non-saturating');
    const ok = { dReal: 0.6, dFake: 0.4 };
    const at = (step: number, modesCovered: number, d = ok) =>
      watch.check(step, { modesCovered, ...d });
    expect(at(50, 4)).toEqual([]);
    expect(at(100, 7)).toEqual([]);
    expect(at(150, 6)).toEqual([]); // one mode lost: noise, not yet collapse
    expect(inEnglish(at(200, 5)[0])).toMatch(/step 200: likely mode collapse .* from 7 to 5 of 8/);
    const collapse = at(250, 3);
    expect(collapse).toEqual([]); // the same episode
    expect(at(300, 7)).toEqual([]); // recovered: re-armed
    expect(at(350, 4)).toHaveLength(1);
    const overpower = at(400, 7, { dReal: 0.99, dFake: 0.01 });
    expect(overpower[0].key).toBe('note.overpowering');
    expect(translate('zh', overpower[0].key, overpower[0].vars)).toMatch(
      /^第 400 步：判别器压倒了生成器——D\(x\) = 0\.990/,
    );
    expect(at(450, 7, { dReal: 0.99, dFake: 0.01 })).toEqual([]);
    // A critic's outputs are not probabilities: no such flag.
    expect(troubleWatch(null, 'hinge').check(1, { dReal: 5, dFake: -5 })).toEqual([]);
  });

  it('notes a discriminator that overpowers the generator', async () => {
    const notes: LocalText[] = [];
    // D learns fast, G barely moves: D(x) → 1 and D(G(z)) → 0.
    await fitGan(
      tf,
      noData,
      P({
        steps: 300,
        viewEvery: 50,
        gUnits: 16,
        dUnits: 32,
        dLearningRate: 0.01,
        gLearningRate: 1e-7,
      }),
      { rng: createRng(1), emit: { note: (m) => notes.push(m) } },
    );
    expect(notes.some((n) => /overpowering/.test(inEnglish(n)))).toBe(true);
  });

  it('stops with a message when the losses become NaN', async () => {
    await expect(
      fitGan(
        tf,
        noData,
        P({
          steps: 200,
          viewEvery: 10,
          optimizer: 'sgd',
          dLearningRate: 10,
          gLearningRate: 10,
          loss: 'least-squares',
        }),
        { rng: createRng(1) },
      ),
    ).rejects.toThrow(/NaN or infinite by step \d+/);
  });

  it('learns image galleries from fixed noise, and a saved generator makes images', async () => {
    const rng = createRng(5);
    const n = 64;
    const values = Float64Array.from({ length: n * 16 }, (_, i) =>
      Math.floor(i / 16) % 2 === 0 ? (i % 4 === 1 ? 1 : 0) : rng.uniform(),
    );
    const data: EngineData = {
      values,
      rows: n,
      cols: 16,
      columns: Array.from({ length: 16 }, (_, j) => `p${j}`),
      image: { width: 4, height: 4, channels: 1 },
    };
    const grids: { step: number; data: Uint8Array }[] = [];
    const r = await fitGan(
      tf,
      data,
      P({ source: 'dataset', steps: 20, galleryEvery: 10, batchSize: 16, gUnits: 16, dUnits: 16 }),
      {
        rng: createRng(2),
        emit: {
          artifact: (kind, step, _meta, d) => {
            if (kind === 'image-grid') grids.push({ step, data: d as Uint8Array });
          },
        },
      },
    );
    expect(grids.map((g) => g.step)).toEqual([0, 10, 20]);
    expect(grids[2].data.length).toBe(64 * 16);
    const saved = readGanModel(r.model.meta, r.model.data);
    expect(saved.meta.image).toEqual({ width: 4, height: 4, channels: 1 });
    const x = saved.sample(3, 1).x;
    expect(x).toHaveLength(48);
    expect(Array.from(x).every((v) => v >= 0 && v <= 1)).toBe(true);
    // Same noise, same images as the engine's (float32 against float64).
    const again = saved.sample(3, 1).x;
    expect(Array.from(again)).toEqual(Array.from(x));
  });
});

describe('step mode', () => {
  it('pauses after each discriminator update and after the generator update', async () => {
    const phases: string[] = [];
    const rec: string[] = [];
    const ctx: AlgorithmContext<GanParams> = {
      tf,
      data: noData,
      params: P({ steps: 2, dSteps: 2, viewEvery: 10, gUnits: 8, dUnits: 8 }),
      seed: 1,
      rng: createRng(1),
      signal: new AbortController().signal,
      checkpoint: async (phase, step) => {
        phases.push(`${phase}@${step}`);
      },
      paused: () => true,
      emit: {
        metrics: (step, v) => rec.push(`${step}:${Object.keys(v).join(',')}`),
        artifact: () => {},
        progress: () => {},
        note: () => {},
      },
    };
    await gan.run(ctx);
    expect(phases).toEqual([
      'd-step@1',
      'd-step@1',
      'g-step@1',
      'd-step@2',
      'd-step@2',
      'g-step@2',
    ]);
    // Each update is read back and shown while paused.
    expect(rec.filter((r) => r.startsWith('1:'))).toHaveLength(3);
  });
});

describe('parameters', () => {
  it('takes no data set for the presets and painted points; checks painted points', () => {
    const spec = algorithmSpecs.gan;
    expect(spec.needsData(P({}) as unknown as ParamValues)).toBe(false);
    expect(spec.needsData(P({ source: 'dataset' }) as unknown as ParamValues)).toBe(true);
    expect(english(checkGanData(P({ source: 'painted', painted: [[0, 0]] }), null, false))).toMatch(
      /paint at least 10/,
    );
    expect(english(checkGanData(P({ source: 'dataset' }), { rows: 10, cols: 3 }, false))).toMatch(
      /exactly two \(3 selected\)/,
    );
    expect(checkGanData(P({ source: 'dataset' }), { rows: 10, cols: 784 }, true)).toBeNull();
  });

  it('refuses a table of more than two columns in the engine too', async () => {
    const data: EngineData = {
      values: new Float64Array(30),
      rows: 10,
      cols: 3,
      columns: ['a', 'b', 'c'],
    };
    await expect(
      fitGan(tf, data, P({ source: 'dataset', steps: 1 }), { rng: createRng(1) }),
    ).rejects.toThrow(DataError);
  });
});
