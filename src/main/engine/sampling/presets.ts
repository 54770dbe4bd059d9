/**
 * Preset targets for the samplers: 2-D densities to watch a sampler move over, and two classic
 * higher-dimensional benchmarks (Neal's 100-D Gaussian and his funnel). Each is a `Target` with an
 * analytic gradient, a drawing box for the 2-D ones, and exact moments where they are known.
 */
import { presetTargets } from '../../../shared/algorithms/mcmc';
import type { Target } from './types';

/** The preset targets' ids, as the algorithms' parameters name them. */
export const presetIds = presetTargets;
export type PresetId = (typeof presetIds)[number];

export interface PresetInfo {
  id: PresetId;
  /** Short display name. */
  label: string;
  dim: number;
  /** One line for the UI. */
  description: string;
  /** Whether the target's full conditionals are exact (Gibbs draws them rather than a Metropolis step). */
  exactConditionals: boolean;
}

export const presetInfo: Readonly<Record<PresetId, PresetInfo>> = {
  gaussian: {
    id: 'gaussian',
    label: 'Standard Gaussian',
    dim: 2,
    description:
      'Independent standard normal in 2-D: the easy case every sampler should get right.',
    exactConditionals: true,
  },
  correlated: {
    id: 'correlated',
    label: 'Correlated Gaussian',
    dim: 2,
    description:
      'Bivariate normal with unit variances and correlation 0.9: slow for coordinate moves.',
    exactConditionals: true,
  },
  banana: {
    id: 'banana',
    label: 'Banana',
    dim: 2,
    description:
      "Haario's twisted Gaussian: x ~ N(0, 1.5²), y | x ~ N(0.5 (x² − 1.5²), 0.6²), a curved ridge.",
    exactConditionals: false,
  },
  donut: {
    id: 'donut',
    label: 'Donut',
    dim: 2,
    description: 'A ring of radius 2.5 with radial width 0.25: no single direction to move along.',
    exactConditionals: false,
  },
  bimodal: {
    id: 'bimodal',
    label: 'Bimodal',
    dim: 2,
    description: 'Equal mixture of two Gaussians at ±(2, 1), sd 0.75: local samplers rarely cross.',
    exactConditionals: false,
  },
  funnel: {
    id: 'funnel',
    label: "Neal's funnel (2-D)",
    dim: 2,
    description:
      "Neal's funnel: v ~ N(0, 3²), x | v ~ N(0, e^v): scales change by orders of magnitude.",
    exactConditionals: false,
  },
  squiggle: {
    id: 'squiggle',
    label: 'Squiggle',
    dim: 2,
    description: 'A Gaussian bent by y + sin(5x): a narrow, winding ridge.',
    exactConditionals: false,
  },
  gauss100: {
    id: 'gauss100',
    label: 'Gaussian (100-D)',
    dim: 100,
    description: "Neal's 100-D independent Gaussian with sd_i = i/100: tests metric adaptation.",
    exactConditionals: true,
  },
  funnel10: {
    id: 'funnel10',
    label: "Neal's funnel (10-D)",
    dim: 10,
    description: 'v ~ N(0, 3²), x_1..9 ~ N(0, e^v), centred: expect divergences in the neck.',
    exactConditionals: false,
  },
};

export function createPreset(id: PresetId): Target {
  switch (id) {
    case 'gaussian':
      return independentGaussian(
        [1, 1],
        ['x', 'y'],
        [
          [-4, 4],
          [-4, 4],
        ],
      );
    case 'correlated':
      return correlatedGaussian(0.9);
    case 'banana':
      return banana(1.5, 0.5, 0.6);
    case 'donut':
      return donut(2.5, 0.25);
    case 'bimodal':
      return bimodal(2, 1, 0.75);
    case 'funnel':
      return funnel2d();
    case 'squiggle':
      return squiggle();
    case 'gauss100':
      return independentGaussian(
        Array.from({ length: 100 }, (_, i) => (i + 1) / 100),
        Array.from({ length: 100 }, (_, i) => `x${i + 1}`),
      );
    case 'funnel10':
      return funnel(10);
    default: {
      const never: never = id;
      throw new Error(`unknown preset ${String(never)}`);
    }
  }
}

/** Independent zero-mean Gaussian with the given standard deviations; exact Gibbs conditionals. */
export function independentGaussian(
  sds: ArrayLike<number>,
  names?: string[],
  bounds?: [number, number][],
): Target {
  const dim = sds.length;
  const sd = Float64Array.from(sds);
  const precision = sd.map((s) => 1 / (s * s));
  return {
    dim,
    names: names ?? Array.from({ length: dim }, (_, i) => `x${i + 1}`),
    logDensity(q) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += q[i] * q[i] * precision[i];
      return -0.5 * s;
    },
    logDensityGrad(q, grad) {
      let s = 0;
      for (let i = 0; i < dim; i++) {
        const g = -q[i] * precision[i];
        grad[i] = g;
        s -= q[i] * g;
      }
      return -0.5 * s;
    },
    conditional(q, i, rng) {
      q[i] = sd[i] * rng.normal();
    },
    bounds,
    truth: { mean: new Array<number>(dim).fill(0), variance: Array.from(sd, (s) => s * s) },
  };
}

/** Bivariate normal, unit variances, correlation rho. */
export function correlatedGaussian(rho: number): Target {
  const c = 1 / (1 - rho * rho);
  const condSd = Math.sqrt(1 - rho * rho);
  return {
    dim: 2,
    names: ['x', 'y'],
    logDensity(q) {
      const x = q[0],
        y = q[1];
      return -0.5 * c * (x * x - 2 * rho * x * y + y * y);
    },
    logDensityGrad(q, grad) {
      const x = q[0],
        y = q[1];
      grad[0] = -c * (x - rho * y);
      grad[1] = -c * (y - rho * x);
      return -0.5 * c * (x * x - 2 * rho * x * y + y * y);
    },
    conditional(q, i, rng) {
      q[i] = rho * q[1 - i] + condSd * rng.normal();
    },
    bounds: [
      [-4, 4],
      [-4, 4],
    ],
    truth: { mean: [0, 0], variance: [1, 1] },
  };
}

/**
 * Haario et al.'s twisted Gaussian: x ~ N(0, a²), y | x ~ N(b (x² − a²), s²). Centred, so the
 * exact moments are E = (0, 0), Var x = a², Var y = s² + b² Var(x²) = s² + 2 b² a⁴.
 */
export function banana(a: number, b: number, s: number): Target {
  const ia2 = 1 / (a * a);
  const is2 = 1 / (s * s);
  const a2 = a * a;
  return {
    dim: 2,
    names: ['x', 'y'],
    logDensity(q) {
      const x = q[0];
      const r = q[1] - b * (x * x - a2);
      return -0.5 * (x * x * ia2 + r * r * is2);
    },
    logDensityGrad(q, grad) {
      const x = q[0];
      const r = q[1] - b * (x * x - a2);
      grad[0] = -x * ia2 + r * is2 * 2 * b * x;
      grad[1] = -r * is2;
      return -0.5 * (x * x * ia2 + r * r * is2);
    },
    bounds: [
      [-4.5, 4.5],
      [-3, 8],
    ],
    truth: { mean: [0, 0], variance: [a2, s * s + 2 * b * b * a2 * a2] },
  };
}

/** A ring: log p = −(|q| − radius)² / (2 width²). */
export function donut(radius: number, width: number): Target {
  const iw2 = 1 / (width * width);
  // The radial density is ∝ r exp(−(r − R)²/2w²) on r > 0; each coordinate's variance is E[r²]/2.
  const radial = (r: number) => r * Math.exp(-0.5 * (r - radius) * (r - radius) * iw2);
  const hi = radius + 12 * width;
  const n = 4000;
  let m0 = 0,
    m2 = 0;
  for (let k = 0; k <= n; k++) {
    const r = (hi * k) / n;
    const w = k === 0 || k === n ? 1 : k % 2 === 1 ? 4 : 2; // Simpson
    m0 += w * radial(r);
    m2 += w * radial(r) * r * r;
  }
  const variance = m2 / m0 / 2;
  return {
    dim: 2,
    names: ['x', 'y'],
    logDensity(q) {
      const d = Math.hypot(q[0], q[1]) - radius;
      return -0.5 * d * d * iw2;
    },
    logDensityGrad(q, grad) {
      const r = Math.hypot(q[0], q[1]);
      const d = r - radius;
      // At the centre the density has a cusp; any subgradient will do, take 0.
      const f = r > 0 ? (-d * iw2) / r : 0;
      grad[0] = f * q[0];
      grad[1] = f * q[1];
      return -0.5 * d * d * iw2;
    },
    bounds: [
      [-4, 4],
      [-4, 4],
    ],
    truth: { mean: [0, 0], variance: [variance, variance] },
  };
}

/** Equal-weight mixture of N(±(mx, my), sd² I). */
export function bimodal(mx: number, my: number, sd: number): Target {
  const iv = 1 / (sd * sd);
  // log of each component's kernel; the common normalising constant cancels.
  const logDensity = (x: number, y: number) => {
    const a = -0.5 * iv * ((x - mx) * (x - mx) + (y - my) * (y - my));
    const b = -0.5 * iv * ((x + mx) * (x + mx) + (y + my) * (y + my));
    const m = a > b ? a : b;
    return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
  };
  return {
    dim: 2,
    names: ['x', 'y'],
    logDensity: (q) => logDensity(q[0], q[1]),
    logDensityGrad(q, grad) {
      const x = q[0],
        y = q[1];
      const a = -0.5 * iv * ((x - mx) * (x - mx) + (y - my) * (y - my));
      const b = -0.5 * iv * ((x + mx) * (x + mx) + (y + my) * (y + my));
      const m = a > b ? a : b;
      const ea = Math.exp(a - m),
        eb = Math.exp(b - m);
      const ra = ea / (ea + eb);
      const rb = 1 - ra;
      // Responsibility-weighted pull towards each mean.
      grad[0] = -iv * (ra * (x - mx) + rb * (x + mx));
      grad[1] = -iv * (ra * (y - my) + rb * (y + my));
      return m + Math.log(ea + eb);
    },
    bounds: [
      [-5, 5],
      [-4, 4],
    ],
    truth: { mean: [0, 0], variance: [sd * sd + mx * mx, sd * sd + my * my] },
  };
}

/** Neal's funnel in 2-D, drawn with v upwards: q = (x, v), v ~ N(0, 3²), x | v ~ N(0, e^v). */
function funnel2d(): Target {
  return {
    dim: 2,
    names: ['x', 'v'],
    logDensity(q) {
      const x = q[0],
        v = q[1];
      return (-v * v) / 18 - 0.5 * v - 0.5 * x * x * Math.exp(-v);
    },
    logDensityGrad(q, grad) {
      const x = q[0],
        v = q[1];
      const e = Math.exp(-v);
      grad[0] = -x * e;
      grad[1] = -v / 9 - 0.5 + 0.5 * x * x * e;
      return (-v * v) / 18 - 0.5 * v - 0.5 * x * x * e;
    },
    bounds: [
      [-10, 10],
      [-8, 8],
    ],
    // Var x = E[e^v] = e^{9/2}.
    truth: { mean: [0, 0], variance: [Math.exp(4.5), 9] },
  };
}

/** Neal's funnel in `dim` dimensions, centred: q = (v, x_1..x_{dim−1}). */
export function funnel(dim: number): Target {
  const n = dim - 1;
  return {
    dim,
    names: ['v', ...Array.from({ length: n }, (_, i) => `x${i + 1}`)],
    logDensity(q) {
      const v = q[0];
      let s = 0;
      for (let i = 1; i < dim; i++) s += q[i] * q[i];
      return (-v * v) / 18 - 0.5 * n * v - 0.5 * s * Math.exp(-v);
    },
    logDensityGrad(q, grad) {
      const v = q[0];
      const e = Math.exp(-v);
      let s = 0;
      for (let i = 1; i < dim; i++) {
        const x = q[i];
        s += x * x;
        grad[i] = -x * e;
      }
      grad[0] = -v / 9 - 0.5 * n + 0.5 * s * e;
      return (-v * v) / 18 - 0.5 * n * v - 0.5 * s * e;
    },
    truth: {
      mean: new Array<number>(dim).fill(0),
      variance: [9, ...new Array<number>(n).fill(Math.exp(4.5))],
    },
  };
}

/**
 * The squiggle of chi-feng's MCMC demo: (x, y + sin(a x)) ~ N(0, Σ), Σ = [[2, 0.25], [0.25, 0.5]],
 * a = 5. The map has unit Jacobian, so E = (0, 0), Var x = Σ11 and
 * Var y = Σ22 + E sin²(a x) − 2 Cov(u, sin(a x)), with E sin²(a x) = (1 − e^{−2a²Σ11})/2 and
 * Cov(u, sin(a x)) = Σ12 a e^{−a²Σ11/2} (Stein's lemma).
 */
function squiggle(): Target {
  const a = 5;
  const s11 = 2,
    s12 = 0.25,
    s22 = 0.5;
  const det = s11 * s22 - s12 * s12;
  const p11 = s22 / det,
    p12 = -s12 / det,
    p22 = s11 / det;
  const varY =
    s22 + 0.5 * (1 - Math.exp(-2 * a * a * s11)) - 2 * s12 * a * Math.exp(-0.5 * a * a * s11);
  return {
    dim: 2,
    names: ['x', 'y'],
    logDensity(q) {
      const x = q[0];
      const u = q[1] + Math.sin(a * x);
      return -0.5 * (p11 * x * x + 2 * p12 * x * u + p22 * u * u);
    },
    logDensityGrad(q, grad) {
      const x = q[0];
      const u = q[1] + Math.sin(a * x);
      const gu = -(p12 * x + p22 * u);
      grad[0] = -(p11 * x + p12 * u) + gu * a * Math.cos(a * x);
      grad[1] = gu;
      return -0.5 * (p11 * x * x + 2 * p12 * x * u + p22 * u * u);
    },
    bounds: [
      [-5, 5],
      [-3, 3],
    ],
    truth: { mean: [0, 0], variance: [s11, varY] },
  };
}
