import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/shared/rng';
import { createChain, sampleChains } from '../../src/main/engine/sampling/chains';
import { createPreset, independentGaussian } from '../../src/main/engine/sampling/presets';

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('NUTS', () => {
  it('adapts on the 2-D Gaussian: sensible step size, mean acceptStat ≈ 0.8 after warm-up', () => {
    // Step size only (the unit metric is already right here): dual averaging over the whole
    // warm-up lands on the ε whose mean acceptance statistic is δ = 0.8.
    const runs = sampleChains('nuts', createPreset('gaussian'), { seed: 5, adaptMetric: false });
    for (const r of runs) {
      // For a unit Gaussian in 2-D, δ = 0.8 puts ε a little above 1 (stability needs ε < 2).
      expect(r.stepSize).toBeGreaterThan(0.8);
      expect(r.stepSize).toBeLessThan(1.6);
      expect(Math.abs(mean(r.acceptStat) - 0.8)).toBeLessThan(0.05);
      expect(r.divergences).toBe(0);
    }
  });

  it('adapts on the 2-D Gaussian with Stan’s full warm-up (metric windows too)', () => {
    const runs = sampleChains('nuts', createPreset('gaussian'), { seed: 5 });
    for (const r of runs) {
      expect(r.stepSize).toBeGreaterThan(0.5);
      expect(r.stepSize).toBeLessThan(1.6);
      for (const v of r.inverseMetric) {
        expect(v).toBeGreaterThan(0.7);
        expect(v).toBeLessThan(1.4);
      }
      expect(r.divergences).toBe(0);
    }
    // The step size is frozen at the average of only 50 terminal-buffer iterations; in 2-D the
    // iterates are noisy and acceptance is concave in log ε, so the realised rate sits above δ
    // (as in Stan, typically ≈ 0.9 on easy low-dimensional targets).
    const pooled = mean(runs.flatMap((r) => Array.from(r.acceptStat)));
    expect(pooled).toBeGreaterThan(0.7);
    expect(pooled).toBeLessThan(0.95);
  });

  it('learns the scales of the 100-D Gaussian into its metric', () => {
    const target = createPreset('gauss100');
    const runs = sampleChains('nuts', target, { seed: 6, chains: 1, draws: 100 });
    const inv = runs[0].inverseMetric;
    // The inverse metric estimates the variances (i/100)²: check the ratios to truth.
    for (let i = 0; i < 100; i++) {
      const ratio = inv[i] / target.truth!.variance[i];
      expect(ratio).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.6);
    }
  });

  it('reports divergences on funnel10', () => {
    const runs = sampleChains('nuts', createPreset('funnel10'), { seed: 7 });
    const divergences = runs.reduce((s, r) => s + r.divergences, 0);
    expect(divergences).toBeGreaterThan(0);
  });

  it('flags a divergent trajectory when the energy error exceeds 1000', () => {
    const target = independentGaussian([1, 1]);
    const chain = createChain('nuts', target, {
      warmup: 0,
      initial: new Float64Array([1, 1]),
      adapt: false,
      stepSize: 100,
    });
    const t = chain.next(createRng(1), false);
    expect(t.divergent).toBe(true);
    // The first point already diverged: the chain stays put, one leapfrog step was spent.
    expect(t.accepted).toBe(false);
    expect(t.leapfrogSteps).toBe(1);
    expect(t.treeDepth).toBe(0);
    expect(Array.from(chain.q)).toEqual([1, 1]);
    // At a sane step size nothing diverges.
    const ok = createChain('nuts', target, {
      warmup: 0,
      initial: new Float64Array([1, 1]),
      adapt: false,
      stepSize: 0.5,
    });
    const rng = createRng(2);
    for (let k = 0; k < 200; k++) expect(ok.next(rng, false).divergent).toBe(false);
  });

  it('never exceeds the maximum tree depth', () => {
    const target = createPreset('gauss100');
    // A tiny step with no adaptation: every trajectory wants to be longer than allowed.
    const chain = createChain('nuts', target, {
      warmup: 0,
      initial: new Float64Array(100).fill(0.1),
      adapt: false,
      stepSize: 0.001,
      maxTreeDepth: 4,
    });
    const rng = createRng(3);
    let saturated = 0;
    for (let k = 0; k < 50; k++) {
      const t = chain.next(rng, false);
      expect(t.treeDepth).toBeLessThanOrEqual(4);
      expect(t.leapfrogSteps).toBeLessThanOrEqual(2 ** 4 - 1);
      if (t.treeDepth === 4) saturated++;
    }
    expect(saturated).toBe(50);
    // And with the default limit of 10, on an adapted run.
    const runs = sampleChains('nuts', createPreset('funnel10'), { seed: 8, chains: 2 });
    for (const r of runs) for (const d of r.treeDepth) expect(d).toBeLessThanOrEqual(10);
  });

  it('records the tree: path points, their doubling and the directions', () => {
    const target = createPreset('banana');
    const chain = createChain('nuts', target, {
      warmup: 100,
      initial: new Float64Array([0.5, -0.5]),
    });
    const rng = createRng(4);
    for (let k = 0; k < 150; k++) {
      const before = Float64Array.from(chain.q);
      const t = chain.next(rng, true);
      const detail = t.detail!;
      const n = t.leapfrogSteps!;
      expect(detail.path).toHaveLength(2 * n);
      expect(detail.depthOf).toHaveLength(n);
      expect(detail.momentum).toHaveLength(2);
      const doublings = detail.directions!.length;
      expect(doublings).toBeGreaterThanOrEqual(t.treeDepth!);
      expect(doublings).toBeLessThanOrEqual(t.treeDepth! + 1);
      // Doubling j adds 2^j points, in order.
      let at = 0;
      for (let j = 0; j < doublings; j++) {
        expect(Math.abs(detail.directions![j])).toBe(1);
        let count = 0;
        while (at < n && detail.depthOf![at] === j) {
          at++;
          count++;
        }
        if (j < t.treeDepth!) expect(count).toBe(2 ** j);
      }
      expect(at).toBe(n);
      // The new position is one of the recorded points (or the old one).
      if (t.accepted) {
        let found = false;
        for (let i = 0; i < n; i++)
          if (detail.path![2 * i] === chain.q[0] && detail.path![2 * i + 1] === chain.q[1])
            found = true;
        expect(found).toBe(true);
      } else {
        expect(Array.from(chain.q)).toEqual(Array.from(before));
      }
    }
  });

  it('counts gradient evaluations: the tree’s steps plus the warm-up heuristic’s', () => {
    const target = createPreset('gaussian');
    const chain = createChain('nuts', target, {
      warmup: 0,
      initial: new Float64Array([0.2, 0.1]),
      adapt: false,
      stepSize: 0.3,
    });
    const rng = createRng(5);
    const first = chain.next(rng, false);
    // The first transition also evaluates the gradient at the start.
    expect(first.evaluations).toBe(first.leapfrogSteps! + 1);
    for (let k = 0; k < 20; k++) {
      const t = chain.next(rng, false);
      expect(t.evaluations).toBe(t.leapfrogSteps);
      expect(t.acceptStat).toBeGreaterThanOrEqual(0);
      expect(t.acceptStat).toBeLessThanOrEqual(1);
    }
  });
});
