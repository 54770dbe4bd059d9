import { describe, expect, it } from 'vitest';
import { Leapfrog } from '../../src/main/engine/sampling/leapfrog';
import { createPreset, independentGaussian } from '../../src/main/engine/sampling/presets';

describe('leapfrog', () => {
  for (const id of ['gaussian', 'banana', 'funnel', 'squiggle', 'funnel10'] as const) {
    it(`is reversible on ${id}: L steps, negate p, L steps back returns to the start`, () => {
      const target = createPreset(id);
      const d = target.dim;
      const inv = Float64Array.from({ length: d }, (_, i) => 0.5 + 0.25 * (i % 3));
      const lf = new Leapfrog(target, inv);
      const q0 = Float64Array.from({ length: d }, (_, i) => 0.3 + 0.1 * i);
      const p0 = Float64Array.from({ length: d }, (_, i) => (i % 2 ? -0.7 : 0.9));
      const q = Float64Array.from(q0),
        p = Float64Array.from(p0),
        g = new Float64Array(d);
      const lp0 = lf.gradient(q, g);
      const L = 40;
      lf.run(q, p, g, 0.02, L);
      // The trajectory must have gone somewhere for the test to mean anything.
      expect(Math.hypot(...Array.from(q, (v, i) => v - q0[i]))).toBeGreaterThan(0.1);
      for (let i = 0; i < d; i++) p[i] = -p[i];
      const lp = lf.run(q, p, g, 0.02, L);
      for (let i = 0; i < d; i++) {
        expect(Math.abs(q[i] - q0[i])).toBeLessThan(1e-12);
        expect(Math.abs(-p[i] - p0[i])).toBeLessThan(1e-12);
      }
      expect(Math.abs(lp - lp0)).toBeLessThan(1e-12);
      expect(lf.evaluations).toBe(1 + 2 * L);
    });
  }

  it('has energy error O(ε²) on a Gaussian (log–log slope ≈ 2)', () => {
    const target = independentGaussian([1, 0.5, 2]);
    const inv = new Float64Array([1, 0.3, 2]);
    const lf = new Leapfrog(target, inv);
    const T = 2.4;
    const epsilons = [0.2, 0.1, 0.05, 0.025, 0.0125];
    const errors = epsilons.map((eps) => {
      const q = new Float64Array([1, -0.4, 1.5]),
        p = new Float64Array([0.3, 1.2, -0.8]),
        g = new Float64Array(3);
      let lp = lf.gradient(q, g);
      const h0 = lf.hamiltonian(lp, p);
      let worst = 0;
      const steps = Math.round(T / eps);
      for (let s = 0; s < steps; s++) {
        lp = lf.step(q, p, g, eps);
        worst = Math.max(worst, Math.abs(lf.hamiltonian(lp, p) - h0));
      }
      return worst;
    });
    const xs = epsilons.map(Math.log),
      ys = errors.map(Math.log);
    const mx = xs.reduce((a, b) => a + b) / xs.length,
      my = ys.reduce((a, b) => a + b) / ys.length;
    let sxy = 0,
      sxx = 0;
    for (let i = 0; i < xs.length; i++) {
      sxy += (xs[i] - mx) * (ys[i] - my);
      sxx += (xs[i] - mx) ** 2;
    }
    const slope = sxy / sxx;
    expect(slope).toBeGreaterThan(1.8);
    expect(slope).toBeLessThan(2.2);
    // Halving ε divides the error by about 4.
    for (let i = 1; i < errors.length; i++) {
      expect(errors[i - 1] / errors[i]).toBeGreaterThan(3.2);
      expect(errors[i - 1] / errors[i]).toBeLessThan(4.8);
    }
  });
});
