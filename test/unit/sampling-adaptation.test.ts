import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/shared/rng';
import {
  AdaptationWindows,
  DualAveraging,
  StepSizeHeuristic,
  WindowedVariance,
} from '../../src/main/engine/sampling/adaptation';
import { createChain, sampleChains } from '../../src/main/engine/sampling/chains';
import { Leapfrog } from '../../src/main/engine/sampling/leapfrog';
import { createPreset, independentGaussian } from '../../src/main/engine/sampling/presets';

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('dual averaging', () => {
  it('converges to the step size whose acceptance is the target', () => {
    // A smooth decreasing acceptance curve with a known solution: a(ε) = 1 / (1 + (ε/2)⁴),
    // a(ε*) = 0.8 at ε* = 2 · 0.25^(1/4).
    const accept = (eps: number) => 1 / (1 + (eps / 2) ** 4);
    const target = 2 * 0.25 ** 0.25;
    const da = new DualAveraging(0.8);
    da.setMu(1);
    let eps = 1;
    for (let t = 0; t < 3000; t++) eps = da.learn(accept(eps));
    expect(Math.abs(da.finalStepSize() / target - 1)).toBeLessThan(0.02);
    expect(Math.abs(accept(da.finalStepSize()) - 0.8)).toBeLessThan(0.01);
  });

  it('converges with noisy statistics too', () => {
    const accept = (eps: number) => 1 / (1 + (eps / 2) ** 4);
    const rng = createRng(9);
    const da = new DualAveraging(0.65);
    da.setMu(0.1);
    let eps = 0.1;
    for (let t = 0; t < 5000; t++) {
      const a = accept(eps) + 0.2 * (rng.uniform() - 0.5);
      eps = da.learn(Math.min(1, Math.max(0, a)));
    }
    expect(Math.abs(accept(da.finalStepSize()) - 0.65)).toBeLessThan(0.03);
  });

  it('HMC on a 10-D Gaussian ends warm-up at the target acceptance', () => {
    const target = independentGaussian(new Array<number>(10).fill(1));
    for (const delta of [0.65, 0.9]) {
      const runs = sampleChains('hmc', target, {
        seed: 4,
        chains: 2,
        warmup: 2000,
        draws: 3000,
        adaptMetric: false,
        targetAccept: delta,
        stepSizeJitter: 0.2,
      });
      for (const r of runs) expect(Math.abs(mean(r.acceptStat) - delta)).toBeLessThan(0.05);
    }
  });

  it('freezes the step size and metric after warm-up', () => {
    const target = createPreset('banana');
    const chain = createChain('nuts', target, { warmup: 200, initial: new Float64Array([0, 0]) });
    const rng = createRng(2);
    for (let t = 0; t < 200; t++) chain.next(rng, false);
    const eps = chain.stepSize;
    const inv = Float64Array.from(chain.inverseMetric);
    for (let t = 0; t < 100; t++) {
      expect(chain.next(rng, false).stepSize).toBe(eps);
    }
    expect(chain.stepSize).toBe(eps);
    expect(Array.from(chain.inverseMetric)).toEqual(Array.from(inv));
  });
});

describe("Stan's adaptation windows", () => {
  it('1000 warm-up iterations: 75 buffer, windows of 25, 50, 100, 200 and 500, 50 buffer', () => {
    expect(AdaptationWindows.ends(1000)).toEqual([99, 149, 249, 449, 949]);
  });

  it('stretches the last window to the terminal buffer when the next would not fit', () => {
    expect(AdaptationWindows.ends(200)).toEqual([99, 149]);
    expect(AdaptationWindows.ends(250)).toEqual([99, 199]);
    expect(AdaptationWindows.ends(150)).toEqual([99]);
  });

  it('scales to 15% / 75% / 10% for short warm-ups and does nothing below 20', () => {
    // 100: init 15, window 75, term 10.
    expect(AdaptationWindows.ends(100)).toEqual([89]);
    const w = new AdaptationWindows(100);
    expect([w.initBuffer, w.baseWindow, w.termBuffer]).toEqual([15, 75, 10]);
    // 20: init 3, window 15, term 2.
    expect(AdaptationWindows.ends(20)).toEqual([17]);
    expect(AdaptationWindows.ends(19)).toEqual([]);
    expect(AdaptationWindows.ends(0)).toEqual([]);
  });

  it("regularises the window's variances as Stan does", () => {
    const est = new WindowedVariance(2, 30, { initBuffer: 5, baseWindow: 20, termBuffer: 5 });
    const inv = new Float64Array([1, 1]);
    const xs: number[][] = [];
    let updates = 0;
    for (let t = 0; t < 30; t++) {
      const x = new Float64Array([Math.sin(t) * 3, t * 0.1]);
      if (t >= 5 && t < 25) xs.push(Array.from(x));
      if (est.learn(x, inv)) {
        updates++;
        expect(t).toBe(24);
      }
    }
    expect(updates).toBe(1);
    const n = xs.length;
    expect(n).toBe(20);
    for (let j = 0; j < 2; j++) {
      const m = xs.reduce((s, x) => s + x[j], 0) / n;
      const v = xs.reduce((s, x) => s + (x[j] - m) ** 2, 0) / (n - 1);
      expect(inv[j]).toBeCloseTo((n / (n + 5)) * v + 1e-3 * (5 / (n + 5)), 12);
    }
  });
});

describe("Stan's step-size heuristic", () => {
  it('scales with the target and leaves the state alone', () => {
    const found = (sd: number) => {
      const target = independentGaussian([sd, sd]);
      const lf = new Leapfrog(target, new Float64Array([1, 1]));
      const q = new Float64Array([0.5 * sd, -0.3 * sd]);
      const g = new Float64Array(2);
      const lp = lf.gradient(q, g);
      const eps = new StepSizeHeuristic(2).run(lf, q, g, lp, 1, createRng(1));
      expect(Array.from(q)).toEqual([0.5 * sd, -0.3 * sd]);
      return eps;
    };
    const unit = found(1);
    expect(unit).toBeGreaterThan(0.25);
    expect(unit).toBeLessThan(4);
    // A power of two times the start, and about 100 times smaller for a 100 times narrower target.
    expect(Number.isInteger(Math.log2(unit))).toBe(true);
    const narrow = found(0.01);
    expect(narrow / unit).toBeGreaterThan(0.0025);
    expect(narrow / unit).toBeLessThan(0.04);
  });
});
