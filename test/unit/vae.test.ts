import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inEnglish } from '../../src/shared/i18n';
import type { StageReport } from '../../src/shared/progress';
import {
  CancelledError,
  DataError,
  type AlgorithmContext,
  type EngineData,
} from '../../src/main/engine/algorithm';
import {
  createVaeModel,
  disposeVaeModel,
  elboTerms,
  fitVae,
  iwaeBound,
  loadVaeModel,
  vae,
  vaeVariables,
  type VaeModel,
  type VaeModelMeta,
} from '../../src/main/engine/algorithms/vae';
import { initBackend } from '../../src/main/engine/backend';
import { createRng } from '../../src/shared/rng';
import { epochBatches } from '../../src/main/engine/training/batches';
import {
  bernoulliCrossEntropyFromLogits,
  klToStandardNormal,
} from '../../src/main/engine/training/densities';
import { toImageGrid } from '../../src/main/engine/training/image-grid';
import { createMlp } from '../../src/main/engine/training/mlp';
import { normalQuantile, pca2d } from '../../src/main/engine/training/projection';
import { splitRows } from '../../src/main/engine/training/split';
import {
  vaeParams,
  type ImageGridMeta,
  type Points2dMeta,
  type VaeParams,
} from '../../src/shared/algorithms/vae';

const P = (p: Partial<VaeParams>): VaeParams => vaeParams.parse(p);

/** Tiny model settings: 4 × 4 "images", 8 hidden units, 2 latent dimensions. */
const tiny: Partial<VaeParams> = {
  latentDim: 2,
  hiddenUnits: 8,
  batchSize: 16,
  epochs: 3,
  iwaeK: 10,
  galleryEvery: 10,
  learningRate: 1e-2,
};

/**
 * 4 × 4 binary-ish images from three prototypes (a bar, a column, a diagonal) with 10% of the
 * pixels flipped, grey levels in between; labels are the prototype.
 */
function prototypes(seed: number, n: number): EngineData {
  const rng = createRng(seed);
  const protos = [
    (r: number) => r === 1,
    (r: number, c: number) => c === 2,
    (r: number, c: number) => r === c,
  ];
  const values = new Float64Array(n * 16);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    labels[i] = k;
    for (let p = 0; p < 16; p++) {
      const on = protos[k](Math.floor(p / 4), p % 4);
      const v = rng.uniform() < 0.1 ? !on : on;
      values[i * 16 + p] = v ? 0.9 + 0.1 * rng.uniform() : 0.1 * rng.uniform();
    }
  }
  return {
    values,
    rows: n,
    cols: 16,
    columns: Array.from({ length: 16 }, (_, j) => `p${j}`),
    image: { width: 4, height: 4, channels: 1 },
    labels,
  };
}

interface Recorded {
  metrics: { step: number; values: Record<string, number> }[];
  artifacts: { kind: string; step: number; meta: unknown; data?: unknown }[];
  progress: number[];
  stages: (StageReport | undefined)[];
  notes: string[];
}

function context(
  data: EngineData,
  params: VaeParams,
  seed: number,
  checkpoint: (phase: string, step: number) => Promise<void> = async () => {},
): { ctx: AlgorithmContext<VaeParams>; rec: Recorded } {
  const rec: Recorded = { metrics: [], artifacts: [], progress: [], stages: [], notes: [] };
  const ctx: AlgorithmContext<VaeParams> = {
    tf,
    data,
    params,
    seed,
    rng: createRng(seed),
    signal: new AbortController().signal,
    checkpoint,
    emit: {
      metrics: (step, values) => rec.metrics.push({ step, values }),
      artifact: (kind, step, meta, d) => rec.artifacts.push({ kind, step, meta, data: d }),
      progress: (f, stage) => {
        rec.progress.push(f);
        rec.stages.push(stage);
      },
      note: (m) => rec.notes.push(inEnglish(m)),
    },
  };
  return { ctx, rec };
}

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, v) => s + v, 0) / xs.length;

beforeAll(async () => {
  await initBackend(null);
});

describe('densities', () => {
  it('Bernoulli cross-entropy from logits equals the direct formula, and stays finite', async () => {
    const logits = [-30, -5, -1, -0.1, 0, 0.3, 2, 7, 30];
    const targets = [0, 0.2, 1, 0.5, 0.7, 1, 0, 0.95, 1];
    const got = await tf
      .tidy(() => bernoulliCrossEntropyFromLogits(tf, tf.tensor1d(logits), tf.tensor1d(targets)))
      .data();
    logits.forEach((l, i) => {
      const x = targets[i];
      // Direct, in float64: −[x log σ(l) + (1 − x) log(1 − σ(l))] with log σ(l) = −log1p(e^−l).
      const logSig = l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l));
      const logOneMinus = l >= 0 ? -l - Math.log1p(Math.exp(-l)) : -Math.log1p(Math.exp(l));
      const want = -(x * logSig + (1 - x) * logOneMinus);
      expect(Math.abs(got[i] - want)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
    });
    const extreme = await tf
      .tidy(() =>
        bernoulliCrossEntropyFromLogits(tf, tf.tensor1d([-1e4, 1e4]), tf.tensor1d([1, 0])),
      )
      .data();
    expect(Array.from(extreme)).toEqual([1e4, 1e4]);
  });

  it('analytic KL(q ‖ N(0, I)) equals a Monte Carlo estimate within its error', async () => {
    const mu = [0.5, -1.2, 0.1];
    const logVar = [-1, 0.4, -2.5];
    const analytic = (
      await tf.tidy(() => klToStandardNormal(tf, tf.tensor2d([mu]), tf.tensor2d([logVar]))).data()
    )[0];
    const want = 0.5 * mu.reduce((s, m, j) => s + m * m + Math.exp(logVar[j]) - 1 - logVar[j], 0);
    expect(analytic).toBeCloseTo(want, 5);
    // KL = E_q[log q(z) − log p(z)]; z = μ + σ ε.
    const rng = createRng(3);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      let v = 0;
      mu.forEach((m, j) => {
        const e = rng.normal();
        const z = m + Math.exp(0.5 * logVar[j]) * e;
        v += -0.5 * e * e - 0.5 * logVar[j] + 0.5 * z * z;
      });
      s += v;
      s2 += v * v;
    }
    const mc = s / n;
    const se = Math.sqrt((s2 / n - mc * mc) / n);
    expect(Math.abs(mc - analytic)).toBeLessThan(4 * se);
  });
});

describe('training machinery', () => {
  it('splits and shuffles reproducibly from the seed', () => {
    const a = splitRows(createRng(1), 100, 0.2);
    const b = splitRows(createRng(1), 100, 0.2);
    expect(a.test.length).toBe(20);
    expect(a.train.length).toBe(80);
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(new Set([...a.train, ...a.test]).size).toBe(100);
    const batches = epochBatches(createRng(2), a.train, 32);
    expect(batches.map((x) => x.length)).toEqual([32, 32, 16]);
    expect(new Set(batches.flatMap((x) => Array.from(x))).size).toBe(80);
  });

  it('makes image grids, PCA projections and prior quantiles', () => {
    const g = toImageGrid(
      Float32Array.from([0, 0.5, 1, 2, -1, 0.25, 0.75, 1]),
      {
        width: 2,
        height: 2,
        channels: 1,
      },
      { role: 'samples', columns: 8 },
    );
    expect(Array.from(g.data)).toEqual([0, 128, 255, 255, 0, 64, 191, 255]);
    expect(g.meta).toMatchObject({ count: 2, columns: 2, width: 2, height: 2, channels: 1 });
    // Points on a line in 3-D: all variance on the first axis.
    const pts = Float64Array.from([0, 0, 0, 1, 2, 2, 2, 4, 4, 3, 6, 6]);
    const p = pca2d(pts, 4, 3);
    expect(p.explained[0]).toBeCloseTo(1, 10);
    expect(Math.abs(p.points[2] - p.points[0])).toBeCloseTo(3, 10);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it("a tiny model's gradients match central finite differences", async () => {
    // Float32 on the test backend: the loss (~10) carries ~1e-6 relative round-off, so with
    // h = 1e-2 the difference quotient is good to ~1e-3 absolute; smooth activations (tanh) keep
    // the O(h²) truncation error small. Compare with a relative tolerance of 2e-2 on components
    // whose gradient is not tiny.
    const rng = createRng(5);
    const m = createVaeModel(tf, rng, 6, {
      latentDim: 2,
      hiddenLayers: 1,
      hiddenUnits: 3,
      activation: 'tanh',
      likelihood: 'bernoulli',
      sigma: 1,
      init: 'glorot',
    });
    const x = tf.tensor2d(
      Array.from({ length: 4 * 6 }, () => rng.uniform()),
      [4, 6],
    );
    const eps = tf.tensor2d(
      Array.from({ length: 4 * 2 }, () => rng.normal()),
      [4, 2],
    );
    const loss = () =>
      tf.tidy(() => {
        const t = elboTerms(tf, m, x, eps);
        return tf.mean(tf.add(t.recon, t.kl)) as tf.Scalar;
      });
    try {
      const vars = vaeVariables(m);
      const { value, grads } = tf.variableGrads(loss, vars);
      value.dispose();
      const h = 1e-2;
      let checked = 0;
      for (const v of vars) {
        const g = await grads[v.name].data();
        const w = (await v.data()) as Float32Array;
        for (let i = 0; i < w.length; i++) {
          const at = (delta: number) => {
            const copy = w.slice();
            copy[i] += delta;
            v.assign(tf.tensor(copy, v.shape));
            const l = loss();
            const out = l.dataSync()[0];
            l.dispose();
            return out;
          };
          const fd = (at(h) - at(-h)) / (2 * h);
          v.assign(tf.tensor(w, v.shape));
          if (Math.abs(fd) < 1e-2) {
            expect(Math.abs(g[i] - fd)).toBeLessThan(2e-3);
          } else {
            expect(Math.abs(g[i] - fd) / Math.abs(fd)).toBeLessThan(2e-2);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(10);
      for (const g of Object.values(grads)) g.dispose();
    } finally {
      x.dispose();
      eps.dispose();
      disposeVaeModel(m);
    }
  });

  it('an MLP of plain variables leaks nothing and builds the requested sizes', () => {
    const before = tf.memory().numTensors;
    const mlp = createMlp(tf, createRng(1), [5, 7, 3], 'relu', 'he');
    const y = tf.tidy(() => mlp.apply(tf.ones([2, 5])));
    expect(y.shape).toEqual([2, 3]);
    y.dispose();
    mlp.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('fitVae on tiny images', () => {
  const data = prototypes(1, 300);

  it('learns, emits the metrics and artifacts, and is reproducible with its seed', async () => {
    const params = P(tiny);
    const a = context(data, params, 7);
    const summary = await vae.run(a.ctx);
    const steps = a.rec.metrics.filter((m) => 'loss' in m.values);
    expect(steps.length).toBe(summary.steps);
    expect(summary.steps).toBe(3 * Math.ceil(270 / 16));
    expect(summary.trainRows).toBe(270);
    expect(summary.testRows).toBe(30);
    for (const m of steps) {
      expect(m.values.loss).toBeCloseTo(m.values.recon + m.values.kl, 3);
      expect(m.values.kl).toBeGreaterThanOrEqual(0);
    }
    // Learning: the last epoch's loss is well below the first steps'.
    expect(summary.trainLoss).toBeLessThan(mean(steps.slice(0, 3).map((m) => m.values.loss)) - 1);
    const epochs = a.rec.metrics.filter((m) => 'testLoss' in m.values);
    expect(epochs.length).toBe(3);
    expect(summary.testLoss).toBe(epochs[2].values.testLoss);
    expect(summary.testIwae).not.toBeNull();
    expect(summary.activeUnits).toBeGreaterThanOrEqual(1);
    expect(summary.activeUnits).toBeLessThanOrEqual(2);

    const grids = a.rec.artifacts.filter((x) => x.kind === 'image-grid');
    const roles = new Set(grids.map((g) => (g.meta as ImageGridMeta).role));
    expect(roles).toEqual(new Set(['reconstructions', 'samples', 'manifold']));
    for (const g of grids) {
      const meta = g.meta as ImageGridMeta;
      expect(g.data).toBeInstanceOf(Uint8Array);
      expect((g.data as Uint8Array).length).toBe(meta.count * 16);
    }
    const points = a.rec.artifacts.filter((x) => x.kind === 'points2d');
    expect(points.length).toBe(3);
    const pm = points[0].meta as Points2dMeta;
    expect(pm).toMatchObject({ role: 'latent-means', count: 30, stride: 3, projection: 'none' });
    expect((points[0].data as Float32Array).length).toBe(90);
    const model = a.rec.artifacts.filter((x) => x.kind === 'model');
    expect(model.length).toBe(1);
    expect(a.rec.progress.at(-1)).toBe(1);
    // Training, then the IWAE bound: two stages timed apart, training naming the bound next.
    const names = a.rec.stages.map((st) => st?.name);
    expect(names.indexOf('iwae')).toBeGreaterThan(names.lastIndexOf('train'));
    expect(
      a.rec.stages.filter((st) => st?.name === 'train').every((st) => st!.next === 'iwae'),
    ).toBe(true);

    // Same seed ⇒ the same numbers.
    const b = context(data, params, 7);
    const again = await vae.run(b.ctx);
    expect(b.rec.metrics).toEqual(a.rec.metrics);
    expect(again.testIwae).toBe(summary.testIwae);
    // Another seed ⇒ other numbers.
    const c = context(data, params, 8);
    await vae.run(c.ctx);
    expect(c.rec.metrics[0].values.loss).not.toBe(a.rec.metrics[0].values.loss);

    // The saved model rebuilds and decodes what the samples gallery showed.
    const saved = model[0];
    const loaded = loadVaeModel(tf, saved.meta as VaeModelMeta, saved.data as Float32Array);
    try {
      const decoded = await loaded.decode(Float32Array.from([0, 0, 1, -1]), 2);
      expect(decoded.length).toBe(32);
      expect(decoded.every((v) => v >= 0 && v <= 1)).toBe(true);
    } finally {
      loaded.dispose();
    }
  });

  it('does not grow tf.memory().numTensors across steps and epochs', async () => {
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    const { ctx } = context(data, P({ ...tiny, epochs: 3 }), 3, async (phase) => {
      // (During the final IWAE bound its chunks' log-weights are alive, by design.)
      if (phase === 'step' || phase === 'epoch') counts.push(tf.memory().numTensors);
    });
    await vae.run(ctx);
    // Adam creates its moment variables on the first step; from then on the count is fixed.
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops with CancelledError thrown by a checkpoint and leaks nothing', async () => {
    for (const stopAt of ['step', 'epoch', 'iwae']) {
      const before = tf.memory().numTensors;
      let seen = 0;
      const { ctx } = context(data, P(tiny), 3, async (phase) => {
        // The tiny IWAE runs in one chunk: stop at its only checkpoint.
        if (phase === stopAt && ++seen === (stopAt === 'iwae' ? 1 : 2)) throw new CancelledError();
      });
      await expect(vae.run(ctx)).rejects.toBeInstanceOf(CancelledError);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('refuses data a Bernoulli likelihood cannot model', async () => {
    const bad = { ...data, values: data.values.map((v, i) => (i === 5 ? 2 : v)) };
    const { ctx } = context(bad, P(tiny), 1);
    await expect(vae.run(ctx)).rejects.toBeInstanceOf(DataError);
  });

  it('fits a Gaussian table and reports its losses in the data units', async () => {
    // Two correlated columns on a large scale: standardised inside, −ELBO reported per data unit.
    const rng = createRng(4);
    const rows = 400;
    const values = new Float64Array(rows * 2);
    for (let i = 0; i < rows; i++) {
      const t = rng.normal();
      values[2 * i] = 70 + 10 * t + rng.normal();
      values[2 * i + 1] = 3 + 0.8 * t + 0.1 * rng.normal();
    }
    const table = { values, rows, cols: 2, columns: ['waiting', 'eruptions'] };
    const { ctx, rec } = context(
      table,
      P({ ...tiny, likelihood: 'gaussian-learned', latentDim: 1, epochs: 10, iwaeK: 50 }),
      2,
    );
    const s = await vae.run(ctx);
    // Finite, the IWAE bound at least as tight as the ELBO (up to noise), samples in data units.
    expect(Number.isFinite(s.testLoss!)).toBe(true);
    expect(s.testIwae!).toBeLessThan(s.testLoss! + 0.5);
    const samples = rec.artifacts.filter(
      (a) => a.kind === 'points2d' && (a.meta as Points2dMeta).role === 'samples',
    );
    expect(samples.length).toBeGreaterThan(0);
    const pts = samples.at(-1)!.data as Float32Array;
    expect(mean(pts.filter((_, i) => i % 2 === 0))).toBeGreaterThan(60);
  });
});

describe('ELBO and IWAE on a trained model', () => {
  it('ELBO ≈ IWAE(k = 1) ≤ IWAE(5) ≤ IWAE(50), in expectation', async () => {
    const data = prototypes(2, 240);
    const params = P({ ...tiny, epochs: 4 });
    const rng = createRng(11);
    // Train through fitVae, then rebuild the model from its saved artifact for evaluation.
    let saved: { meta: VaeModelMeta; data: Float32Array } | null = null;
    await fitVae(
      tf,
      data,
      { ...params, iwaeK: 0 },
      {
        rng,
        emit: {
          artifact: (kind, _s, meta, d) => {
            if (kind === 'model') saved = { meta: meta as VaeModelMeta, data: d as Float32Array };
          },
        },
      },
    );
    const loaded = loadVaeModel(tf, saved!.meta, saved!.data);
    const m: VaeModel = loaded.model;
    const n = 60;
    const x = Float32Array.from(data.values.subarray(0, n * 16));
    try {
      // ELBO: the mean over 200 draws of ε per row.
      let elbo = 0;
      const draws = 200;
      for (let r = 0; r < draws; r++) {
        const v = tf.tidy(() => {
          const t = elboTerms(
            tf,
            m,
            tf.tensor2d(x, [n, 16]),
            tf.randomNormal([n, 2], 0, 1, 'float32', rng.nextSeed()) as tf.Tensor2D,
          );
          return tf.neg(tf.mean(tf.add(t.recon, t.kl)));
        });
        elbo += v.dataSync()[0] / draws;
        v.dispose();
      }
      const iwae = async (k: number, repeats: number) => {
        let s = 0;
        for (let r = 0; r < repeats; r++) s += mean(await iwaeBound(tf, m, x, n, k, rng)) / repeats;
        return s;
      };
      const k1 = await iwae(1, 200);
      const k5 = await iwae(5, 40);
      const k50 = await iwae(50, 8);
      // Tolerances: a few standard errors of these averages (per-row spread ~1 nat, 60 rows).
      expect(Math.abs(k1 - elbo)).toBeLessThan(0.05);
      expect(k5).toBeGreaterThan(k1 - 0.02);
      expect(k50).toBeGreaterThan(k5 - 0.02);
      expect(k50).toBeGreaterThan(elbo);
    } finally {
      loaded.dispose();
    }
  });
});
