/** Seeded mini-batches: a fresh shuffle of the rows each epoch, drawn from the run's rng. */
import type { Rng } from '../../../shared/rng';

/** Fisher–Yates in place. */
export function shuffleInPlace(rng: Rng, a: Int32Array): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * One epoch's batches over `rows` (indices into the data): shuffled, each `batchSize` long but the
 * last, which keeps the remainder (as PyTorch's DataLoader with drop_last = False).
 */
export function epochBatches(rng: Rng, rows: Int32Array, batchSize: number): Int32Array[] {
  const order = shuffleInPlace(rng, rows.slice());
  const out: Int32Array[] = [];
  for (let start = 0; start < order.length; start += batchSize)
    out.push(order.subarray(start, Math.min(order.length, start + batchSize)));
  return out;
}

/** The chosen rows of a row-major rows × cols array, as float32 (the tensors' type). */
export function gatherRows(
  values: ArrayLike<number>,
  cols: number,
  rows: Int32Array,
): Float32Array {
  const out = new Float32Array(rows.length * cols);
  const typed = values as Float32Array;
  if (typeof typed.subarray === 'function') {
    rows.forEach((r, i) => out.set(typed.subarray(r * cols, (r + 1) * cols), i * cols));
  } else {
    rows.forEach((r, i) => {
      for (let j = 0; j < cols; j++) out[i * cols + j] = values[r * cols + j];
    });
  }
  return out;
}

/**
 * Model units back to data units, in place: x[i, j] = x[i, j] · scale[j] + centre[j] for the
 * rows of a row-major array with `cols` columns.
 */
export function unscaleRows(
  x: Float32Array,
  cols: number,
  s: { centre: ArrayLike<number>; scale: ArrayLike<number> },
): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = x[i] * s.scale[i % cols] + s.centre[i % cols];
  return x;
}
