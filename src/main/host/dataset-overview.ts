/**
 * What the data set page shows of a data set: per-column summaries and histograms, a spread sample
 * of rows for a scatter matrix and the first rows of a table; label counts of an image set. The
 * work is two linear passes over the stored Float64Array (moments, then bin counts) and nothing
 * per row but numbers, so a 1,000,000-row table takes well under a second.
 */
import type {
  ColumnSummary,
  DatasetMeta,
  DatasetOverview,
  TableLabels,
  TableOverview,
  TableRows,
} from '../../shared/api';
import { spreadIndices } from '../engine/training/split';
import type { Store } from './store';

/** Rows in the scatter matrix's sample: enough to see the shape, few enough to draw at once. */
export const SAMPLE_ROWS = 2000;
/** Cells in that sample at most, so a table thousands of columns wide sends a bounded sample. */
const SAMPLE_CELLS = 1_000_000;
export const HEAD_ROWS = 20;
/** Bars in a column's histogram at most: the page draws it small. */
export const MAX_BINS = 50;

export function datasetOverview(store: Store, meta: DatasetMeta): DatasetOverview {
  if (meta.image) {
    const labels = store.datasetImageLabels(meta.id);
    return { kind: 'images', dataset: meta, labelCounts: labels ? countLabels(labels) : null };
  }
  const { values, rows } = store.datasetValues(meta.id)!;
  return tableOverview(meta, values, rows, store.datasetLabels(meta.id));
}

/** A table's overview from its values (row-major, rows × meta.columns.length). */
export function tableOverview(
  meta: DatasetMeta,
  values: Float64Array,
  rows: number,
  labels: TableLabels | null,
): TableOverview {
  const cols = meta.columns.length;
  const sampleRows = spreadIndices(rows, Math.min(SAMPLE_ROWS, Math.floor(SAMPLE_CELLS / cols)));
  const headRows = Int32Array.from({ length: Math.min(rows, HEAD_ROWS) }, (_, i) => i);
  const pick = (at: Int32Array): TableRows => {
    const out = new Float64Array(at.length * cols);
    at.forEach((r, i) => out.set(values.subarray(r * cols, (r + 1) * cols), i * cols));
    return { rows: at, values: out, labels: labels ? at.map((r) => labels.codes[r]) : null };
  };
  return {
    kind: 'table',
    dataset: meta,
    columns: summarizeColumns(
      values,
      rows,
      meta.columns.map((c) => c.name),
    ).map((s, c) => ({ ...s, type: meta.columns[c].type })),
    sample: pick(sampleRows),
    head: pick(headRows),
    labels: labels && { column: labels.column, names: labels.names, ...codeCounts(labels) },
  };
}

/**
 * Count, missing, min, max, mean, sample sd and a histogram of each column. Moments by Welford's
 * update (no E[x²] − μ² cancellation), every column in one pass over the rows; then the bins.
 */
export function summarizeColumns(
  values: Float64Array,
  rows: number,
  names: string[],
): Omit<ColumnSummary, 'type'>[] {
  const cols = names.length;
  const n = new Float64Array(cols);
  const mean = new Float64Array(cols);
  const m2 = new Float64Array(cols);
  const min = new Float64Array(cols).fill(Infinity);
  const max = new Float64Array(cols).fill(-Infinity);
  const integer = new Uint8Array(cols).fill(1);
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < cols; c++) {
      const x = values[i * cols + c];
      if (!Number.isFinite(x)) continue;
      const k = ++n[c];
      const d = x - mean[c];
      mean[c] += d / k;
      m2[c] += d * (x - mean[c]);
      if (x < min[c]) min[c] = x;
      if (x > max[c]) max[c] = x;
      if (integer[c] && !Number.isInteger(x)) integer[c] = 0;
    }
  const bins = names.map((_, c) =>
    n[c] === 0
      ? null
      : binEdges(min[c], max[c], n[c], n[c] > 1 ? Math.sqrt(m2[c] / (n[c] - 1)) : 0, !!integer[c]),
  );
  const counts = bins.map((b) => (b ? new Array<number>(b.bins).fill(0) : []));
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < cols; c++) {
      const x = values[i * cols + c];
      const b = bins[c];
      if (!b || !Number.isFinite(x)) continue;
      counts[c][Math.min(b.bins - 1, Math.floor((x - b.lo) / b.width))]++;
    }
  return names.map((name, c) => {
    const b = bins[c];
    const some = n[c] > 0;
    return {
      name,
      count: n[c],
      missing: rows - n[c],
      min: some ? min[c] : null,
      max: some ? max[c] : null,
      mean: some ? mean[c] : null,
      sd: n[c] > 1 ? Math.sqrt(m2[c] / (n[c] - 1)) : null,
      histogram: b && {
        edges: Array.from({ length: b.bins + 1 }, (_, i) =>
          // The last edge exactly the maximum (not lo + bins · width, a rounding away from it).
          i === b.bins && !b.integer ? max[c] : b.lo + i * b.width,
        ),
        counts: counts[c],
      },
    };
  });
}

/**
 * Equal bins over [min, max]: the narrower of Scott's width (3.49 sd n^(−1/3)) and Sturges'
 * (range / (log₂ n + 1)), as numpy's 'auto' picks the narrower of Freedman–Diaconis' and
 * Sturges' (Scott in place of Freedman–Diaconis: it needs the sd we have, not quartiles), at most
 * MAX_BINS. Integers get whole-number widths with edges halfway between them, so no bar straddles
 * two values unevenly; a constant column gets one bin of width 1 around its value.
 */
export function binEdges(
  min: number,
  max: number,
  n: number,
  sd: number,
  integer: boolean,
): { lo: number; width: number; bins: number; integer: boolean } {
  const range = max - min;
  if (!(range > 0)) return { lo: min - 0.5, width: 1, bins: 1, integer };
  const sturges = Math.ceil(Math.log2(n)) + 1;
  const scott = sd > 0 ? Math.ceil((range * Math.cbrt(n)) / (3.49 * sd)) : 1;
  const bins = Math.min(MAX_BINS, Math.max(sturges, scott));
  if (!integer) return { lo: min, width: range / bins, bins, integer };
  const width = Math.ceil((range + 1) / bins);
  return { lo: min - 0.5, width, bins: Math.ceil((range + 1) / width), integer };
}

function codeCounts(labels: TableLabels): { counts: number[]; missing: number } {
  const counts = new Array<number>(labels.names.length).fill(0);
  let missing = 0;
  for (const code of labels.codes) {
    if (code >= 0 && code < counts.length) counts[code]++;
    else missing++;
  }
  return { counts, missing };
}

function countLabels(labels: Int32Array): { label: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].sort((a, b) => a[0] - b[0]).map(([label, count]) => ({ label, count }));
}
