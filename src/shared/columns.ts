import type { DatasetValues } from './api';

/**
 * Some columns of a data set, by name, as a row-major rows × columns.length array; null when a
 * column is missing (a run outlived a data set that changed).
 */
export function selectColumns(
  d: DatasetValues,
  columns: readonly string[],
): { values: Float64Array; cols: number; missing: string | null } {
  const index = columns.map((c) => d.columns.indexOf(c));
  const missing = columns.find((_, j) => index[j] < 0) ?? null;
  const cols = index.length;
  const values = new Float64Array(missing === null ? d.rows * cols : 0);
  if (missing === null)
    for (let i = 0; i < d.rows; i++)
      for (let c = 0; c < cols; c++)
        values[i * cols + c] = d.values[i * d.columns.length + index[c]];
  return { values, cols, missing };
}

/** A run's columns of its data set (as `selectColumns`), or null when one of them is gone. */
export function runColumns(
  d: DatasetValues,
  columns: readonly string[],
): { values: Float64Array; cols: number } | null {
  const { values, cols, missing } = selectColumns(d, columns);
  return missing === null ? { values, cols } : null;
}
