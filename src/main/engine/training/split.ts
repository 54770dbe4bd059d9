/** A seeded train/test split of row indices. */
import type { Rng } from '../../../shared/rng';
import { shuffleInPlace } from './batches';

export interface RowSplit {
  train: Int32Array;
  test: Int32Array;
}

/**
 * round(rows · testFraction) rows, chosen uniformly by the rng, go to the test set; both sets are
 * returned in the data's order, so the split is a set and not an order.
 */
export function splitRows(rng: Rng, rows: number, testFraction: number): RowSplit {
  const testCount = Math.min(rows, Math.max(0, Math.round(rows * testFraction)));
  const order = shuffleInPlace(
    rng,
    Int32Array.from({ length: rows }, (_, i) => i),
  );
  const test = order.slice(0, testCount).sort();
  const train = order.slice(testCount).sort();
  return { train, test };
}

/** Up to `max` rows spread evenly over a set (not its first: the digits are sorted by label). */
export function spreadRows(rows: Int32Array, max: number): Int32Array {
  return spreadIndices(rows.length, max).map((i) => rows[i]);
}

/** Up to `max` of the indices 0 … count − 1, spread evenly from 0 (every one when count ≤ max). */
export function spreadIndices(count: number, max: number): Int32Array {
  const n = Math.min(max, count);
  return Int32Array.from({ length: n }, (_, i) => Math.floor((i * count) / n));
}
