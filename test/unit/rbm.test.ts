import { describe, expect, it } from 'vitest';
import type { StageReport } from '../../src/shared/progress';
import { CancelledError, DataError, type EngineData } from '../../src/main/engine/algorithm';
import {
  createRbmTrainer,
  fitRbm,
  rbm,
  reconstructionError,
} from '../../src/main/engine/algorithms/rbm';
import { createRng } from '../../src/shared/rng';
import { rbmParams, type HistogramMeta, type RbmParams } from '../../src/shared/algorithms/rbm';
import type { ImageGridMeta } from '../../src/shared/algorithms/vae';
import {
  aisSchedule,
  annealedLogZ,
  createRbm,
  exactLogZ,
  freeEnergies,
  freeEnergyGradient,
  gibbsChain,
  loadRbm,
  logSumExp,
  pseudoLogLikelihoods,
  rbmModelMetaSchema,
  sigmoid,
  visibleLogOdds,
  type Rbm,
} from '../../src/shared/rbm-model';

const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;
const P = (p: Partial<RbmParams>): RbmParams => rbmParams.parse(p);

function randomRbm(visible: Rbm['visible'], nv: number, nh: number, seed: number, sd = 0.5): Rbm {
  const rng = createRng(seed);
  const m = createRbm(visible, nv, nh);
  for (let k = 0; k < m.W.length; k++) m.W[k] = sd * rng.normal();
  for (let i = 0; i < nv; i++) m.b[i] = 0.5 * rng.normal();
  for (let j = 0; j < nh; j++) m.c[j] = 0.5 * rng.normal();
  return m;
}

/** E(v, h) straight from its definition. */
function energy(m: Rbm, v: ArrayLike<number>, h: ArrayLike<number>): number {
  let e = 0;
  for (let i = 0; i < m.nv; i++)
    e += m.visible === 'bernoulli' ? -m.b[i] * v[i] : 0.5 * (v[i] - m.b[i]) ** 2;
  for (let j = 0; j < m.nh; j++) e -= m.c[j] * h[j];
  for (let i = 0; i < m.nv; i++)
    for (let j = 0; j < m.nh; j++) e -= v[i] * m.W[i * m.nh + j] * h[j];
  return e;
}

function bits(k: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (k >> i) & 1);
}

/** F(v) = −log Σ_h e^{−E(v,h)} by enumerating h. */
function bruteFreeEnergy(m: Rbm, v: ArrayLike<number>): number {
  const terms = Array.from({ length: 2 ** m.nh }, (_, k) => -energy(m, v, bits(k, m.nh)));
  return -logSumExp(terms);
}

describe('RBM free energy, PLL and partition function', () => {
  it('free energy matches enumeration over the hidden states (Bernoulli and Gaussian)', () => {
    for (const visible of ['bernoulli', 'gaussian'] as const) {
      const m = randomRbm(visible, 6, 4, 1);
      const rng = createRng(2);
      const x = Float64Array.from({ length: 5 * 6 }, () =>
        visible === 'bernoulli' ? +(rng.uniform() < 0.5) : rng.normal(),
      );
      const f = freeEnergies(m, x, 5);
      for (let r = 0; r < 5; r++)
        expect(f[r]).toBeCloseTo(bruteFreeEnergy(m, x.subarray(r * 6, r * 6 + 6)), 5);
    }
  });

  it('the free energy gradient matches central differences', () => {
    for (const visible of ['bernoulli', 'gaussian'] as const) {
      const m = randomRbm(visible, 5, 3, 3);
      const v = visible === 'bernoulli' ? [1, 0, 1, 1, 0] : [0.3, -1.2, 0.8, 0.1, -0.4];
      const g = freeEnergyGradient(m, v);
      // W is float32: step 1e-2 keeps the difference well above its rounding.
      const h = 1e-2;
      const numeric = (arr: Float32Array | Float64Array, k: number) => {
        const keep = arr[k];
        arr[k] = keep + h;
        const up = freeEnergies(m, v, 1)[0];
        arr[k] = keep - h;
        const down = freeEnergies(m, v, 1)[0];
        arr[k] = keep;
        return (up - down) / (2 * h);
      };
      for (let k = 0; k < m.W.length; k++) expect(g.W[k]).toBeCloseTo(numeric(m.W, k), 3);
      for (let i = 0; i < m.nv; i++) expect(g.b[i]).toBeCloseTo(numeric(m.b, i), 4);
      for (let j = 0; j < m.nh; j++) expect(g.c[j]).toBeCloseTo(numeric(m.c, j), 4);
    }
  });

  it('exact log Z (hidden states, visibles summed analytically) equals the full double sum', () => {
    const m = randomRbm('bernoulli', 7, 5, 4);
    const terms: number[] = [];
    for (let a = 0; a < 2 ** 7; a++)
      for (let k = 0; k < 2 ** 5; k++) terms.push(-energy(m, bits(a, 7), bits(k, 5)));
    expect(exactLogZ(m)).toBeCloseTo(logSumExp(terms), 8);
    // Equivalently Σ_v e^{−F(v)}.
    const all = Float64Array.from(
      { length: 2 ** 7 * 7 },
      (_, i) => (Math.floor(i / 7) >> (i % 7)) & 1,
    );
    const f = freeEnergies(m, all, 2 ** 7);
    expect(exactLogZ(m)).toBeCloseTo(logSumExp(Array.from(f, (x) => -x)), 8);
  });

  it('Gaussian exact log Z matches a quadrature over one visible unit', () => {
    const m = randomRbm('gaussian', 1, 4, 5);
    const terms: number[] = [];
    const dx = 0.001;
    for (let x = -30; x <= 30; x += dx) terms.push(-freeEnergies(m, [x], 1)[0] + Math.log(dx));
    expect(exactLogZ(m)).toBeCloseTo(logSumExp(terms), 5);
  });

  it('the exact pseudo-log-likelihood equals Σ_i log p(v_i | v_−i) from free energies', () => {
    const m = randomRbm('bernoulli', 20, 8, 6, 0.8);
    const rng = createRng(7);
    const rows = 4;
    const x = Float64Array.from({ length: rows * 20 }, () => +(rng.uniform() < 0.3));
    const pll = pseudoLogLikelihoods(m, x, rows);
    for (let r = 0; r < rows; r++) {
      const v = x.slice(r * 20, r * 20 + 20);
      const f = freeEnergies(m, v, 1)[0];
      let direct = 0;
      for (let i = 0; i < 20; i++) {
        const flipped = v.slice();
        flipped[i] = 1 - flipped[i];
        const g = freeEnergies(m, flipped, 1)[0];
        // p(v_i | v_−i) = e^{−F(v)} / (e^{−F(v)} + e^{−F(v̄)})
        direct += -f - logSumExp([-f, -g]);
      }
      expect(pll[r]).toBeCloseTo(direct, 8);
    }
  });

  it('AIS log Z agrees with enumeration within its stated error (20 hidden units)', async () => {
    const m = randomRbm('bernoulli', 30, 20, 8, 0.3);
    const exact = exactLogZ(m);
    const ais = await annealedLogZ(m, {
      runs: 100,
      temperatures: 2000,
      rng: createRng(9),
      baseBias: Float64Array.from(m.b),
    });
    expect(ais.logZStd).toBeGreaterThan(0);
    expect(ais.logZStd).toBeLessThan(0.2);
    expect(Math.abs(ais.logZ - exact)).toBeLessThan(3 * ais.logZStd);
    // With 20 hidden units and a Gaussian RBM too.
    const g = randomRbm('gaussian', 10, 20, 10, 0.15);
    const gExact = exactLogZ(g);
    const gAis = await annealedLogZ(g, { runs: 100, temperatures: 1000, rng: createRng(11) });
    expect(Math.abs(gAis.logZ - gExact)).toBeLessThan(3 * gAis.logZStd);
  });

  it('the AIS schedule rises from 0 to 1, denser near 1', () => {
    const b = aisSchedule(1450);
    expect(b[0]).toBe(0);
    expect(b[1450]).toBe(1);
    for (let k = 1; k <= 1450; k++) expect(b[k]).toBeGreaterThan(b[k - 1]);
    expect(b[100]).toBeCloseTo(0.5, 10);
    expect(b[500]).toBeCloseTo(0.9, 10);
    expect(aisSchedule(3)[3]).toBe(1);
  });
});

describe('RBM training', () => {
  it('one PCD update is scikit-learn’s: lr/n (vᵀp(h|v) − v⁻ᵀp(h|v⁻)) with the old weights', () => {
    const m = randomRbm('bernoulli', 12, 6, 12, 0.2);
    const before = { W: Float64Array.from(m.W), b: m.b.slice(), c: m.c.slice() };
    const old = createRbm('bernoulli', 12, 6);
    old.W.set(m.W);
    old.b.set(m.b);
    old.c.set(m.c);
    const rng = createRng(13);
    const n = 3;
    const batch = Float64Array.from({ length: n * 12 }, () => +(rng.uniform() < 0.4));
    const lr = 0.1;
    const trainer = createRbmTrainer(
      m,
      { persistent: true, cdK: 1, learningRate: lr, weightDecay: 0, batchSize: n },
      createRng(14),
    );
    trainer.step(batch, n, 0);
    const neg = trainer.fantasy();
    expect(neg.count).toBe(n);
    // The persistent chains hold binary hidden states, one per batch row.
    const chains = trainer.chainStates();
    expect(chains.count).toBe(n);
    expect(chains.h.every((x) => x === 0 || x === 1)).toBe(true);
    const hp = (v: Float64Array) =>
      Array.from({ length: 6 }, (_, j) => {
        let s = old.c[j];
        for (let i = 0; i < 12; i++) s += v[i] * old.W[i * 6 + j];
        return sigmoid(s);
      });
    for (let i = 0; i < 12; i++)
      for (let j = 0; j < 6; j++) {
        let g = 0;
        for (let s = 0; s < n; s++) {
          const vp = batch.subarray(s * 12, s * 12 + 12);
          const vn = neg.v.subarray(s * 12, s * 12 + 12);
          g += vp[i] * hp(vp)[j] - vn[i] * hp(vn)[j];
        }
        expect(m.W[i * 6 + j]).toBeCloseTo(before.W[i * 6 + j] + (lr / n) * g, 6);
      }
    for (let i = 0; i < 12; i++) {
      let g = 0;
      for (let s = 0; s < n; s++) g += batch[s * 12 + i] - neg.v[s * 12 + i];
      expect(m.b[i]).toBeCloseTo(before.b[i] + (lr / n) * g, 10);
    }
  });

  it('weight decay shrinks the weights, not the biases, and momentum carries the step', () => {
    const make = () => randomRbm('bernoulli', 8, 4, 15, 0.5);
    const batch = new Float64Array(2 * 8); // all off: the data term is zero
    const run = (weightDecay: number, momentum: number, steps: number) => {
      const m = make();
      const t = createRbmTrainer(
        m,
        { persistent: true, cdK: 1, learningRate: 0.1, weightDecay, batchSize: 2 },
        createRng(16),
      );
      for (let s = 0; s < steps; s++) t.step(batch, 2, momentum);
      return m;
    };
    const plain = run(0, 0, 1);
    const decayed = run(0.5, 0, 1);
    const start = make();
    // Same random draws: the decayed step differs by −lr·λ·W exactly.
    for (let k = 0; k < start.W.length; k++)
      expect(decayed.W[k] - plain.W[k]).toBeCloseTo(-0.1 * 0.5 * start.W[k], 5);
    expect(Array.from(decayed.b)).toEqual(Array.from(plain.b));
    const withMomentum = run(0, 0.9, 3);
    const without = run(0, 0, 3);
    expect(Array.from(withMomentum.W)).not.toEqual(Array.from(without.W));
  });

  it('trains on tiny images: PLL improves, galleries, histogram and a loadable model', async () => {
    const data = bars(1, 300);
    const artifacts: { kind: string; step: number; meta: unknown; data?: unknown }[] = [];
    const metrics: Record<string, number>[] = [];
    const stages: (StageReport | undefined)[] = [];
    const summary = await fitRbm(
      data,
      P({
        hiddenUnits: 8,
        epochs: 40,
        learningRate: 0.1,
        aisRuns: 20,
        aisTemperatures: 200,
        galleryEvery: 500,
      }),
      {
        rng: createRng(3),
        emit: {
          artifact: (kind, step, meta, d) => artifacts.push({ kind, step, meta, data: d }),
          metrics: (_s, m) => metrics.push(m),
          progress: (_f, stage) => stages.push(stage),
        },
      },
    );
    // Training, then AIS, each a stage of its own (timed apart on the page), training naming AIS next.
    const names = stages.map((st) => st?.name);
    expect(names.indexOf('ais')).toBeGreaterThan(names.lastIndexOf('train'));
    expect(stages.filter((st) => st?.name === 'train').every((st) => st!.next === 'ais')).toBe(
      true,
    );
    expect(stages.findLast((st) => st?.name === 'train')!.fraction).toBe(1);
    expect(stages.findLast((st) => st?.name === 'ais')!.fraction).toBe(1);
    const pll = metrics.filter((m) => m.testPll !== undefined).map((m) => m.testPll);
    expect(pll).toHaveLength(40);
    // Better than independent pixels (the best a model without weights can do): bars correlate
    // pixels. From W ~ N(0, 0.01²) the units take ~25 epochs to break symmetry here.
    const binary = Float64Array.from(data.values, (v) => +(v > 0.5));
    const independent = createRbm('bernoulli', 16, 1);
    independent.b.set(visibleLogOdds(binary, data.rows, 16));
    const basePll = mean(pseudoLogLikelihoods(independent, binary, data.rows));
    expect(pll.at(-1)!).toBeGreaterThan(basePll + 2);
    expect(summary.testPll).toBe(pll.at(-1));
    expect(summary.logZ).not.toBeNull();
    expect(summary.testLogLikelihood!).toBeLessThan(0);
    // log p(v) ≤ PLL-free bound checks are loose; the AIS estimate must at least be finite.
    expect(Number.isFinite(summary.testLogLikelihood!)).toBe(true);
    const roles = new Set(
      artifacts.filter((a) => a.kind === 'image-grid').map((a) => (a.meta as ImageGridMeta).role),
    );
    expect([...roles].sort()).toEqual(['fantasy', 'filters', 'reconstructions']);
    const hist = artifacts.find((a) => a.kind === 'histogram')!;
    const hm = hist.meta as HistogramMeta;
    const counts = hist.data as Float64Array;
    expect(counts.reduce((s, v) => s + v, 0)).toBe(hm.count);
    const model = artifacts.find((a) => a.kind === 'model')!;
    const meta = rbmModelMetaSchema.parse(model.meta);
    const saved = loadRbm(meta, model.data as Float32Array);
    expect(saved.model.nh).toBe(8);
    expect(meta.exampleRows.length).toBeGreaterThan(0);
    // The saved model reproduces the summary's PLL on the test rows, up to float32 rounding.
    expect(Number.isFinite(reconstructionError(saved.model, new Float64Array(16), 1))).toBe(true);
  });

  it('is reproducible from its seed, and a Gaussian RBM fits a numeric table', async () => {
    const run = async () =>
      fitRbm(bars(2, 120), P({ hiddenUnits: 6, epochs: 2, aisRuns: 5, aisTemperatures: 50 }), {
        rng: createRng(5),
      });
    const [a, b] = [await run(), await run()];
    expect(a.testPll).toBe(b.testPll);
    expect(a.logZ).toBe(b.logZ);

    const rng = createRng(6);
    const rows = 200;
    const values = new Float64Array(rows * 3);
    for (let r = 0; r < rows; r++) {
      const z = rng.normal();
      values.set([10 + 2 * z, 5 - z + 0.1 * rng.normal(), 100 * rng.normal()], r * 3);
    }
    const fitTable = (x: Float64Array) =>
      fitRbm(
        { values: x, rows, cols: 3, columns: ['a', 'b', 'c'] },
        P({
          visible: 'gaussian',
          hiddenUnits: 4,
          epochs: 3,
          learningRate: 0.01,
          aisRuns: 20,
          aisTemperatures: 200,
        }),
        { rng: createRng(7) },
      );
    const g = await fitTable(values);
    expect(g.testPll).toBeNull();
    expect(Number.isFinite(g.testLogLikelihood!)).toBe(true);
    // The log-likelihood is a density in the data's units: the same data × 10 (so the same
    // standardised columns and model) has a density lower by 3 log 10.
    const scaled = await fitTable(values.map((v) => 10 * v));
    expect(scaled.testLogLikelihood! - g.testLogLikelihood!).toBeCloseTo(-3 * Math.log(10), 4);
    expect(Number.isFinite(g.testFreeEnergy!)).toBe(true);
  });

  it('stochastic binarisation draws new pixels each epoch and still trains', async () => {
    const s = await fitRbm(
      bars(4, 200),
      P({ binarize: 'stochastic', hiddenUnits: 8, epochs: 3, aisRuns: 0 }),
      { rng: createRng(8) },
    );
    expect(s.logZ).toBeNull();
    expect(Number.isFinite(s.testPll!)).toBe(true);
  });

  it('refuses pixels outside [0, 1] for binary units, and stops when cancelled', async () => {
    const data = bars(1, 50);
    data.values[3] = 2;
    await expect(fitRbm(data, P({ epochs: 1 }), { rng: createRng(1) })).rejects.toBeInstanceOf(
      DataError,
    );
    const ac = new AbortController();
    ac.abort();
    await expect(
      fitRbm(bars(1, 600), P({ hiddenUnits: 4, epochs: 1 }), {
        rng: createRng(1),
        signal: ac.signal,
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(rbm.tensors).toBe(false);
  });

  it('a Gibbs chain from a saved model gives frames of visible means', () => {
    const m = randomRbm('bernoulli', 16, 5, 17);
    const a = gibbsChain(m, new Float64Array(16), { steps: 20, every: 5, seed: 1 });
    const b = gibbsChain(m, new Float64Array(16), { steps: 20, every: 5, seed: 1 });
    expect(a.count).toBe(5);
    expect(a.frames).toEqual(b.frames);
    expect(a.frames.every((x) => x >= 0 && x <= 1)).toBe(true);
  });
});

/** 4 × 4 images of one horizontal or vertical bar with 5% noise, as grey values in [0, 1]. */
function bars(seed: number, n: number): EngineData {
  const rng = createRng(seed);
  const values = new Float64Array(n * 16);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const k = rng.int(8);
    labels[r] = k;
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 4; x++) {
        const on = k < 4 ? y === k : x === k - 4;
        const noisy = rng.uniform() < 0.05 ? !on : on;
        values[r * 16 + y * 4 + x] = noisy ? 0.9 : 0.1;
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
