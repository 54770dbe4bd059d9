import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/shared/rng';
import { createChain, dispersedStart, sampleChains } from '../../src/main/engine/sampling/chains';
import { createPreset, independentGaussian } from '../../src/main/engine/sampling/presets';
import type { SamplerKind } from '../../src/main/engine/sampling/types';

const kinds: SamplerKind[] = ['rwm', 'gibbs', 'hmc', 'nuts'];
const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('seeded determinism', () => {
  for (const kind of kinds) {
    it(`${kind}: the same seed gives identical draws, another seed different ones`, () => {
      const target = createPreset('banana');
      const run = { seed: 42, chains: 2, warmup: 200, draws: 200 };
      const a = sampleChains(kind, target, run);
      const b = sampleChains(kind, target, run);
      const c = sampleChains(kind, target, { ...run, seed: 43 });
      for (let k = 0; k < 2; k++) {
        for (let j = 0; j < 2; j++) {
          expect(Array.from(b[k].draws[j])).toEqual(Array.from(a[k].draws[j]));
          expect(Array.from(c[k].draws[j])).not.toEqual(Array.from(a[k].draws[j]));
        }
        expect(b[k].stepSize).toBe(a[k].stepSize);
      }
    });

    it(`${kind}: recording does not change the chain`, () => {
      const target = createPreset('squiggle');
      const make = () =>
        createChain(kind, target, { warmup: 50, initial: new Float64Array([0.3, -0.2]) });
      const plain = make(),
        recorded = make();
      const r1 = createRng(8),
        r2 = createRng(8);
      for (let t = 0; t < 120; t++) {
        const a = plain.next(r1, false);
        const b = recorded.next(r2, true);
        expect(a.detail).toBeUndefined();
        expect(b.detail).toBeDefined();
        expect(Array.from(recorded.q)).toEqual(Array.from(plain.q));
        expect(b.logDensity).toBe(a.logDensity);
      }
    });
  }

  it('dispersedStart is uniform on [−2, 2] unless the target has its own', () => {
    const target = createPreset('gauss100');
    const out = dispersedStart(target, createRng(1), new Float64Array(100));
    for (const v of out) {
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThan(2);
    }
    expect(new Set(out).size).toBe(100);
    const own = independentGaussian([1]);
    own.initial = (_rng, o) => o.fill(7);
    expect(Array.from(dispersedStart(own, createRng(1), new Float64Array(1)))).toEqual([7]);
  });
});

describe('random-walk Metropolis', () => {
  it('adapts its scale to about 0.234 acceptance in 10-D', () => {
    const runs = sampleChains('rwm', independentGaussian(new Array<number>(10).fill(1)), {
      seed: 3,
      chains: 2,
      draws: 4000,
    });
    for (const r of runs) {
      expect(Math.abs(mean(r.acceptStat) - 0.234)).toBeLessThan(0.04);
      // The optimal scale for a unit Gaussian is about 2.38/√d.
      expect(r.stepSize).toBeGreaterThan(0.5);
      expect(r.stepSize).toBeLessThan(1.2);
    }
  });

  it('aims at 0.44 in one dimension, and keeps the given scale without adaptation', () => {
    const runs = sampleChains('rwm', independentGaussian([2]), { seed: 4, chains: 2, draws: 4000 });
    for (const r of runs) expect(Math.abs(mean(r.acceptStat) - 0.44)).toBeLessThan(0.04);
    const fixed = sampleChains('rwm', independentGaussian([2]), {
      seed: 4,
      chains: 1,
      adapt: false,
      scale: 0.3,
    });
    expect(fixed[0].stepSize).toBe(0.3);
  });

  it('records the proposal and whether it was accepted', () => {
    const target = createPreset('donut');
    const chain = createChain('rwm', target, { warmup: 0, initial: new Float64Array([2.5, 0]) });
    const rng = createRng(5);
    for (let t = 0; t < 100; t++) {
      const before = Float64Array.from(chain.q);
      const tr = chain.next(rng, true);
      const prop = Array.from(tr.detail!.proposal!);
      expect(Array.from(chain.q)).toEqual(tr.accepted ? prop : Array.from(before));
      expect(tr.logDensity).toBe(target.logDensity(chain.q));
    }
  });
});

describe('Gibbs', () => {
  it('Metropolis-within-Gibbs adapts each coordinate to about 0.44 acceptance', () => {
    const target = createPreset('banana');
    const chain = createChain('gibbs', target, { warmup: 2000, initial: new Float64Array(2) });
    const rng = createRng(6);
    for (let t = 0; t < 2000; t++) chain.next(rng, false);
    let s = 0;
    const n = 4000;
    for (let t = 0; t < n; t++) s += chain.next(rng, false).acceptStat;
    expect(Math.abs(s / n - 0.44)).toBeLessThan(0.05);
    expect(chain.stepSize).toBeGreaterThan(0);
  });

  it('exact Gibbs records the point after each coordinate update', () => {
    const target = createPreset('correlated');
    const chain = createChain('gibbs', target, { warmup: 0, initial: new Float64Array([1, 1]) });
    const tr = chain.next(createRng(7), true);
    const path = tr.detail!.proposal!;
    expect(path).toHaveLength(4);
    // After the first update only x changed; after the second, the chain's position.
    expect(path[1]).toBe(1);
    expect(Array.from(path.subarray(2))).toEqual(Array.from(chain.q));
    expect(path[2]).toBe(path[0]);
    expect(chain.stepSize).toBe(0);
    expect(tr.acceptStat).toBe(1);
  });

  it('refuses exact Gibbs on a target without conditionals', () => {
    expect(() =>
      createChain('gibbs', createPreset('banana'), {
        warmup: 0,
        initial: new Float64Array(2),
        exactGibbs: true,
      }),
    ).toThrow(/conditionals/);
  });
});

describe('static HMC', () => {
  it('takes ⌊T/ε⌋ steps for a trajectory length, and divergent trajectories are rejected', () => {
    const target = createPreset('gaussian');
    const chain = createChain('hmc', target, {
      warmup: 0,
      initial: new Float64Array([1, 0]),
      adapt: false,
      stepSize: 0.3,
      trajectoryLength: 2,
    });
    const rng = createRng(1);
    const t = chain.next(rng, true);
    expect(t.leapfrogSteps).toBe(6);
    expect(t.detail!.path).toHaveLength(12);
    expect(t.detail!.momentum).toHaveLength(2);
    const wild = createChain('hmc', target, {
      warmup: 0,
      initial: new Float64Array([1, 0]),
      adapt: false,
      stepSize: 50,
      steps: 20,
    });
    const w = wild.next(rng, false);
    expect(w.divergent).toBe(true);
    expect(w.accepted).toBe(false);
    expect(w.leapfrogSteps).toBeLessThan(20);
    expect(Array.from(wild.q)).toEqual([1, 0]);
  });
});
