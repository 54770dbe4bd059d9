/** The data set page's numbers (datasets.overview), against hand-computed and closed-form values. */
import { describe, expect, it } from 'vitest';
import type { ColumnInfo, DatasetMeta, TableLabels } from '../../src/shared/api';
import {
  HEAD_ROWS,
  MAX_BINS,
  SAMPLE_ROWS,
  binEdges,
  summarizeColumns,
  tableOverview,
} from '../../src/main/host/dataset-overview';

/** Row-major values from columns. */
function table(...columns: number[][]): Float64Array {
  const rows = columns[0].length;
  const v = new Float64Array(rows * columns.length);
  columns.forEach((col, c) => col.forEach((x, i) => (v[i * columns.length + c] = x)));
  return v;
}

function meta(names: string[], rows: number): DatasetMeta {
  const columns: ColumnInfo[] = names.map((name) => ({ name, type: 'number', missing: 0 }));
  return {
    id: 1,
    name: 't',
    rows,
    columns,
    builtin: false,
    hash: '',
    createdAt: '',
    labels: false,
  };
}

function overview(names: string[], values: Float64Array, labels: TableLabels | null = null) {
  const rows = values.length / names.length;
  return tableOverview(meta(names, rows), values, rows, labels);
}

describe('column summaries', () => {
  it('counts, min, max, mean and the sample sd (n − 1) of the finite values', () => {
    const [a] = summarizeColumns(table([1, 2, 3, 4, NaN]), 5, ['a']);
    expect(a).toMatchObject({ name: 'a', count: 4, missing: 1, min: 1, max: 4, mean: 2.5 });
    // Σ(x − 2.5)² = 5, over n − 1 = 3 (numpy.std(ddof=1), pandas' std()).
    expect(a.sd).toBeCloseTo(Math.sqrt(5 / 3), 14);
  });

  it('treats ±∞ as missing, like NaN', () => {
    const [a] = summarizeColumns(table([2, Infinity, 4, -Infinity, 6]), 5, ['a']);
    expect(a).toMatchObject({ count: 3, missing: 2, min: 2, max: 6, mean: 4, sd: 2 });
  });

  it('x = 1 … n: mean (n + 1)/2, sd √(n(n + 1)/12)', () => {
    const n = 1000;
    const [a] = summarizeColumns(
      Float64Array.from({ length: n }, (_, i) => i + 1),
      n,
      ['a'],
    );
    expect(a.mean).toBeCloseTo((n + 1) / 2, 10);
    expect(a.sd! / Math.sqrt((n * (n + 1)) / 12)).toBeCloseTo(1, 14);
  });

  it('keeps its digits far from zero (no E[x²] − μ² cancellation)', () => {
    const [a] = summarizeColumns(table([4, 7, 13, 16].map((x) => 1e9 + x)), 4, ['a']);
    expect(a.mean).toBe(1e9 + 10);
    // Σ(x − μ)² = 36 + 9 + 9 + 36 = 90, over 3.
    expect(a.sd).toBeCloseTo(Math.sqrt(30), 6);
  });

  it('a constant column: sd 0 and one bin of width 1 around its value', () => {
    const [a] = summarizeColumns(table([7, 7, 7]), 3, ['a']);
    expect(a).toMatchObject({ count: 3, min: 7, max: 7, mean: 7, sd: 0 });
    expect(a.histogram).toEqual({ edges: [6.5, 7.5], counts: [3] });
  });

  it('a single row: its value, and no sd', () => {
    const [a, b] = summarizeColumns(table([3.5], [NaN]), 1, ['a', 'b']);
    expect(a).toMatchObject({ count: 1, missing: 0, min: 3.5, max: 3.5, mean: 3.5, sd: null });
    expect(a.histogram!.counts).toEqual([1]);
    // A column with no value at all has no figures.
    expect(b).toMatchObject({ count: 0, missing: 1, min: null, max: null, mean: null, sd: null });
    expect(b.histogram).toBeNull();
  });

  it('reads each column of a row-major table on its own', () => {
    const s = summarizeColumns(table([1, 2, 3], [10, NaN, 30], [-1, -1, 5]), 3, ['a', 'b', 'c']);
    expect(s.map((c) => c.mean)).toEqual([2, 20, 1]);
    expect(s.map((c) => c.missing)).toEqual([0, 1, 0]);
    expect(s.map((c) => c.max)).toEqual([3, 30, 5]);
  });
});

describe('histograms', () => {
  it('bins as numpy.histogram with the same edges: the last bin holds the maximum', () => {
    // n = 5: Sturges ⌈log₂ 5⌉ + 1 = 4 bins, more than Scott's 2 (3.49 · 0.395 · 5^(−1/3) = 0.81).
    const [a] = summarizeColumns(table([0, 0.25, 0.5, 0.75, 1]), 5, ['a']);
    expect(a.histogram!.edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
    // numpy.histogram([0, .25, .5, .75, 1], bins=4) → [1, 1, 1, 2]
    expect(a.histogram!.counts).toEqual([1, 1, 1, 2]);
  });

  it('integers get whole-number bins with edges halfway between them', () => {
    // 1 … 1000: 11 Sturges bins → width ⌈1000 / 11⌉ = 91 from 0.5.
    const [a] = summarizeColumns(
      Float64Array.from({ length: 1000 }, (_, i) => i + 1),
      1000,
      ['a'],
    );
    const { edges, counts } = a.histogram!;
    expect(edges[0]).toBe(0.5);
    expect(edges[1]).toBe(91.5);
    expect(counts).toHaveLength(11);
    expect(counts.slice(0, 10).every((c) => c === 91)).toBe(true);
    expect(counts[10]).toBe(90);
  });

  it('uses Scott’s narrower bins on large samples, at most MAX_BINS', () => {
    // A normal sample's range is ~10 sd: Scott's width 3.49 sd n^(−1/3) gives ~290 bins at 10⁶.
    expect(binEdges(-5, 5, 1e6, 1, false).bins).toBe(MAX_BINS);
    // 100 values: Sturges 8; Scott ⌈10 / (3.49 · 100^(−1/3))⌉ = 14.
    expect(binEdges(-5, 5, 100, 1, false).bins).toBe(14);
  });

  it('every finite value falls in a bin', () => {
    let s = 1;
    const values = Float64Array.from({ length: 5000 }, () => {
      s = (s * 16807) % 2147483647;
      return Math.log(s / 2147483647);
    });
    const [a] = summarizeColumns(values, 5000, ['a']);
    const { edges, counts } = a.histogram!;
    expect(counts.reduce((x, y) => x + y)).toBe(5000);
    expect(edges[0]).toBe(a.min);
    expect(edges[edges.length - 1]).toBe(a.max);
    for (let i = 1; i < edges.length; i++) expect(edges[i]).toBeGreaterThan(edges[i - 1]);
  });
});

describe('table overview', () => {
  it('samples at most SAMPLE_ROWS rows spread over a 1,000,000-row table, with every column', () => {
    const rows = 1_000_000;
    const values = new Float64Array(rows * 3);
    for (let i = 0; i < rows; i++) values.set([i, -i, i % 7], i * 3);
    const o = overview(['a', 'b', 'c'], values);
    expect(o.sample.rows).toHaveLength(SAMPLE_ROWS);
    expect(o.sample.rows[0]).toBe(0);
    expect(o.sample.rows[1]).toBe(500);
    expect(Array.from(o.sample.values.subarray(3, 6))).toEqual([500, -500, 500 % 7]);
    expect(o.head.rows).toHaveLength(HEAD_ROWS);
    expect(Array.from(o.head.values.subarray(0, 6))).toEqual([0, -0, 0, 1, -1, 1]);
    expect(o.columns[0]).toMatchObject({
      count: rows,
      min: 0,
      max: rows - 1,
      mean: (rows - 1) / 2,
    });
    expect(o.labels).toBeNull();
    expect(o.sample.labels).toBeNull();
  });

  it('samples fewer rows of a very wide table (a bounded number of cells)', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
    const o = overview(names, new Float64Array(500 * names.length));
    expect(o.sample.rows).toHaveLength(100);
    expect(o.sample.values).toHaveLength(100 * names.length);
  });

  it('a small table: every row in the sample, its first rows as they are', () => {
    const o = overview(['x', 'y'], table([1, 2, 3], [4, 5, 6]));
    expect(Array.from(o.sample.rows)).toEqual([0, 1, 2]);
    expect(Array.from(o.head.values)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('gives the labels of the sampled and first rows, and counts over the whole table', () => {
    const labels: TableLabels = {
      column: 'species',
      names: ['setosa', 'virginica'],
      codes: Int32Array.from([0, 1, -1, 1]),
    };
    const o = overview(['x'], table([1, 2, 3, 4]), labels);
    expect(o.labels).toEqual({
      column: 'species',
      names: ['setosa', 'virginica'],
      counts: [1, 2],
      missing: 1,
    });
    expect(Array.from(o.sample.labels!)).toEqual([0, 1, -1, 1]);
    expect(Array.from(o.head.labels!)).toEqual([0, 1, -1, 1]);
  });
});
