/** Reading runs side by side: which summary numbers have a "better", durations, smoothing. */
import type { RunInfo } from './api';

/** Where "best" is defined: the direction in which a summary number is better. */
export const summaryDirections: Record<string, 'higher' | 'lower'> = {
  meanLogLikelihood: 'higher',
  bic: 'lower',
  aic: 'lower',
  bestBic: 'lower',
  trainLoss: 'lower',
  testLoss: 'lower',
  testIwae: 'lower',
  minEssBulk: 'higher',
  minEssBulkPerSecond: 'higher',
  minEssBulkPerEvaluation: 'higher',
  maxRhat: 'lower',
  divergences: 'lower',
  modesCovered: 'higher',
  highQuality: 'higher',
  kl: 'lower',
  js: 'lower',
};

/** Index of the best finite value in the given direction, or -1 (fewer than two to compare). */
export function bestIndex(values: readonly unknown[], direction: 'higher' | 'lower'): number {
  let best = -1;
  let count = 0;
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return;
    count++;
    const b = values[best] as number;
    if (best < 0 || (direction === 'higher' ? v > b : v < b)) best = i;
  });
  return count >= 2 ? best : -1;
}

/** Seconds from start to finish, or to `now` while running; null if it never started. */
export function runSeconds(run: RunInfo, now = Date.now()): number | null {
  if (!run.startedAt) return null;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return (end - Date.parse(run.startedAt)) / 1000;
}

/**
 * Exponential moving average with TensorBoard's debiasing (the first points are not dragged
 * towards zero). `weight` in [0, 1): 0 leaves the series as it is.
 */
export function ema(values: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(values.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n++;
    out[i] = weight === 0 ? v : last / (1 - weight ** n);
  }
  return out;
}

/** The parameter keys whose values differ between runs (by JSON value; missing counts). */
export function differingKeys(params: readonly Record<string, unknown>[]): Set<string> {
  const keys = new Set(params.flatMap((p) => Object.keys(p)));
  return new Set(
    [...keys].filter((k) => new Set(params.map((p) => JSON.stringify(p[k] ?? null))).size > 1),
  );
}
