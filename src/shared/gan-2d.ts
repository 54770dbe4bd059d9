/**
 * The GAN's 2-D targets and the numbers that say whether a generator found them: samplers of the
 * presets, their mode centres, modes covered and the high-quality fraction (as in the unrolled-
 * GAN and VEEGAN papers), and KL / JS between 2-D histograms. Plain TypeScript on the engine's
 * seeded generator, so the engine, the tests and the renderer agree.
 */
import type { Gan2dPreset } from './algorithms/gan';

interface UniformSource {
  uniform(): number;
  normal(): number;
  int(n: number): number;
}

/** Standard deviation of each mode of the ring and the grid. */
export const MODE_SD = 0.02;
export const RING_RADIUS = 2;
/** A sample within this many sd of its nearest mode centre is of high quality. */
export const HIGH_QUALITY_SDS = 3;
/** A mode is covered when at least this fraction of the samples are high-quality samples of it. */
export const MODE_COVERED_FRACTION = 20 / 2500;

/** Mode centres of the presets that have modes (ring8, grid25); null otherwise. */
export function presetModes(preset: Gan2dPreset): number[][] | null {
  if (preset === 'ring8')
    return Array.from({ length: 8 }, (_, k) => [
      RING_RADIUS * Math.cos((2 * Math.PI * k) / 8),
      RING_RADIUS * Math.sin((2 * Math.PI * k) / 8),
    ]);
  if (preset === 'grid25') {
    const out: number[][] = [];
    for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) out.push([i, j]);
    return out;
  }
  return null;
}

/** `n` draws of a preset as rows of x, y. */
export function samplePreset(rng: UniformSource, preset: Gan2dPreset, n: number): Float32Array {
  const out = new Float32Array(2 * n);
  const modes = presetModes(preset);
  for (let i = 0; i < n; i++) {
    let x: number;
    let y: number;
    if (modes) {
      const c = modes[rng.int(modes.length)];
      x = c[0] + MODE_SD * rng.normal();
      y = c[1] + MODE_SD * rng.normal();
    } else if (preset === 'moons') {
      // Two interleaved half circles (scikit-learn's make_moons, noise 0.05), centred.
      const t = Math.PI * rng.uniform();
      const upper = rng.uniform() < 0.5;
      x = (upper ? Math.cos(t) : 1 - Math.cos(t)) - 0.5 + 0.05 * rng.normal();
      y = (upper ? Math.sin(t) : 0.5 - Math.sin(t)) - 0.25 + 0.05 * rng.normal();
      x *= 1.5;
      y *= 1.5;
    } else {
      // Spiral: radius grows with the angle, over two turns, with a little noise.
      const t = Math.sqrt(rng.uniform()) * 4 * Math.PI;
      const r = (t / (4 * Math.PI)) * 2.5;
      x = r * Math.cos(t) + 0.04 * rng.normal();
      y = r * Math.sin(t) + 0.04 * rng.normal();
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}

/** Fixed view bounds of a preset: [[x low, x high], [y low, y high]]. */
export function presetBounds(preset: Gan2dPreset): [[number, number], [number, number]] {
  switch (preset) {
    case 'ring8':
      return [
        [-3, 3],
        [-3, 3],
      ];
    case 'grid25':
      return [
        [-3, 3],
        [-3, 3],
      ];
    case 'moons':
      return [
        [-2.5, 2.5],
        [-2, 2],
      ];
    case 'spiral':
      return [
        [-3, 3],
        [-3, 3],
      ];
  }
}

/** The bounding box of rows of x, y with `margin` of its size added on each side. */
export function boundsOf(
  xy: ArrayLike<number>,
  margin = 0.15,
): [[number, number], [number, number]] {
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (let i = 0; i < xy.length; i++) {
    lo[i % 2] = Math.min(lo[i % 2], xy[i]);
    hi[i % 2] = Math.max(hi[i % 2], xy[i]);
  }
  const side = (d: number): [number, number] => {
    const span = hi[d] - lo[d] || 1;
    return [lo[d] - margin * span, hi[d] + margin * span];
  };
  return [side(0), side(1)];
}

export interface ModeCoverage {
  /** Modes with at least MODE_COVERED_FRACTION of the samples near them. */
  covered: number;
  /** Fraction of samples within HIGH_QUALITY_SDS sd of their nearest mode centre. */
  highQuality: number;
}

export function modeCoverage(xy: ArrayLike<number>, modes: number[][], sd = MODE_SD): ModeCoverage {
  const n = xy.length / 2;
  const near = new Int32Array(modes.length);
  let good = 0;
  const limit2 = (HIGH_QUALITY_SDS * sd) ** 2;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let which = -1;
    modes.forEach((c, k) => {
      const d2 = (xy[2 * i] - c[0]) ** 2 + (xy[2 * i + 1] - c[1]) ** 2;
      if (d2 < best) {
        best = d2;
        which = k;
      }
    });
    if (best <= limit2) {
      good++;
      near[which]++;
    }
  }
  const need = MODE_COVERED_FRACTION * n;
  return { covered: near.filter((c) => c >= need && c > 0).length, highQuality: n ? good / n : 0 };
}

/** Bins per side of the histograms KL and JS compare. */
export const HISTOGRAM_BINS = 20;

/** Counts on bins × bins cells over `bounds`, plus one cell for everything outside. */
function histogram(
  xy: ArrayLike<number>,
  bounds: [[number, number], [number, number]],
  bins: number,
): Float64Array {
  const h = new Float64Array(bins * bins + 1);
  const [[x0, x1], [y0, y1]] = bounds;
  for (let i = 0; i < xy.length; i += 2) {
    const bx = Math.floor(((xy[i] - x0) / (x1 - x0)) * bins);
    const by = Math.floor(((xy[i + 1] - y0) / (y1 - y0)) * bins);
    const inside = bx >= 0 && bx < bins && by >= 0 && by < bins;
    h[inside ? by * bins + bx : bins * bins]++;
  }
  return h;
}

/**
 * KL(real ‖ generated) and JS between the two samples' histograms (nats). Both are smoothed by
 * half a count per cell (Jeffreys), so a cell the generator never reaches gives a large but
 * finite KL; JS needs no smoothing but gets the same for comparability.
 */
export function histogramDivergences(
  real: ArrayLike<number>,
  generated: ArrayLike<number>,
  bounds: [[number, number], [number, number]],
  bins = HISTOGRAM_BINS,
): { kl: number; js: number } {
  const normalise = (h: Float64Array) => {
    const total = h.reduce((s, v) => s + v, 0) + 0.5 * h.length;
    return h.map((v) => (v + 0.5) / total);
  };
  const p = normalise(histogram(real, bounds, bins));
  const q = normalise(histogram(generated, bounds, bins));
  let kl = 0;
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    kl += p[i] * Math.log(p[i] / q[i]);
    const m = 0.5 * (p[i] + q[i]);
    js += 0.5 * p[i] * Math.log(p[i] / m) + 0.5 * q[i] * Math.log(q[i] / m);
  }
  return { kl, js };
}
