import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/shared/rng';
import {
  createPreset,
  presetIds,
  presetInfo,
  type PresetId,
} from '../../src/main/engine/sampling/presets';

/** A few points spread over the target's box (or a unit-ish cloud for high dimensions). */
function testPoints(id: PresetId, n: number): Float64Array[] {
  const target = createPreset(id);
  const rng = createRng(7);
  return Array.from({ length: n }, () =>
    Float64Array.from({ length: target.dim }, (_, i) => {
      const [lo, hi] = target.bounds?.[i] ?? [-2, 2];
      return lo + (hi - lo) * (0.15 + 0.7 * rng.uniform());
    }),
  );
}

describe('presets', () => {
  it('lists every preset with its dimension and description', () => {
    for (const id of presetIds) {
      const target = createPreset(id);
      expect(presetInfo[id].dim).toBe(target.dim);
      expect(target.names).toHaveLength(target.dim);
      expect(presetInfo[id].description.length).toBeGreaterThan(10);
      expect(presetInfo[id].exactConditionals).toBe(target.conditional !== undefined);
      if (target.dim === 2) expect(target.bounds).toHaveLength(2);
      if (target.truth) {
        expect(target.truth.mean).toHaveLength(target.dim);
        expect(target.truth.variance).toHaveLength(target.dim);
      }
    }
  });

  for (const id of presetIds) {
    it(`${id}: gradient matches central finite differences`, () => {
      const target = createPreset(id);
      const d = target.dim;
      const grad = new Float64Array(d);
      for (const q of testPoints(id, 4)) {
        const lp = target.logDensityGrad(q, grad);
        expect(Math.abs(lp - target.logDensity(q))).toBeLessThan(1e-12 * Math.max(1, Math.abs(lp)));
        const h = 1e-5;
        for (let i = 0; i < d; i++) {
          const x = q[i];
          q[i] = x + h;
          const up = target.logDensity(q);
          q[i] = x - h;
          const down = target.logDensity(q);
          q[i] = x;
          const fd = (up - down) / (2 * h);
          expect(Math.abs(grad[i] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      }
    });
  }

  // The stated moments of the 2-D presets, checked by quadrature of the density on a fine grid.
  for (const id of ['gaussian', 'correlated', 'banana', 'donut', 'bimodal', 'squiggle'] as const) {
    it(`${id}: stated mean and variance agree with a quadrature of the density`, () => {
      const target = createPreset(id);
      const n = 1001;
      const lo = [-12, -12],
        hi = [12, 40];
      const q = new Float64Array(2);
      let z = 0;
      const m1 = [0, 0],
        m2 = [0, 0];
      for (let a = 0; a < n; a++) {
        q[0] = lo[0] + ((hi[0] - lo[0]) * a) / (n - 1);
        for (let b = 0; b < n; b++) {
          q[1] = lo[1] + ((hi[1] - lo[1]) * b) / (n - 1);
          const w = Math.exp(target.logDensity(q));
          z += w;
          for (let i = 0; i < 2; i++) {
            m1[i] += w * q[i];
            m2[i] += w * q[i] * q[i];
          }
        }
      }
      for (let i = 0; i < 2; i++) {
        const mean = m1[i] / z;
        const variance = m2[i] / z - mean * mean;
        expect(mean).toBeCloseTo(target.truth!.mean[i], 3);
        expect(Math.abs(variance - target.truth!.variance[i])).toBeLessThan(
          2e-3 * target.truth!.variance[i],
        );
      }
    });
  }

  it('correlated: the exact conditional has the right regression and spread', () => {
    const target = createPreset('correlated');
    const rng = createRng(3);
    const q = new Float64Array([0, 1.5]);
    let s = 0,
      ss = 0;
    const n = 20000;
    for (let k = 0; k < n; k++) {
      q[1] = 1.5;
      target.conditional!(q, 0, rng);
      s += q[0];
      ss += q[0] * q[0];
    }
    const mean = s / n,
      variance = ss / n - mean * mean;
    expect(Math.abs(mean - 0.9 * 1.5)).toBeLessThan(4 * Math.sqrt(0.19 / n));
    expect(Math.abs(variance - 0.19)).toBeLessThan(0.01);
  });
});
