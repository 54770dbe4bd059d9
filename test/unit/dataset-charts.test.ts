/** The data set page's charts: label colours of the scatter matrix, and what the options draw. */
import { describe, expect, it } from 'vitest';
import {
  labelGroups,
  MAX_LABEL_COLOURS,
  scatterMatrixOption,
} from '../../src/shared/dataset-charts';
import { translate, type MessageKey } from '../../src/shared/i18n';

const t = (key: MessageKey, vars?: Record<string, string | number>) => translate('en', key, vars);

describe('label colours of the scatter matrix', () => {
  it('colours the most frequent labels, the rest as "other", unlabelled rows apart', () => {
    const names = Array.from({ length: 13 }, (_, i) => `L${i}`);
    // Label i has i + 1 rows: L12 … L3 are the ten most frequent; L2, L1, L0 are "other".
    const codes = names.flatMap((_, i) => Array<number>(i + 1).fill(i));
    codes.push(-1);
    const counts = names.map((_, i) => i + 1);
    const sample = Int32Array.from([12, 3, 2, 0, -1]);
    const g = labelGroups(
      {
        labels: { column: 'l', names, counts, missing: 1 },
        sample: { rows: new Int32Array(5), values: new Float64Array(5), labels: sample },
      },
      t,
    )!;
    expect(g.shown).toBe(MAX_LABEL_COLOURS);
    expect(g.total).toBe(13);
    expect(g.names.slice(0, 3)).toEqual(['L12', 'L11', 'L10']);
    expect(g.names.slice(10)).toEqual(['other (3 labels)', 'no label']);
    // L12 first colour, L3 the tenth, L2 and L0 other, −1 no label.
    expect(Array.from(g.group)).toEqual([0, 9, 10, 10, 11]);
    expect(new Set(g.colours).size).toBe(g.colours.length);
    // L11 … L4 are not in the sample: they stay out of the legend.
    expect(g.inSample.filter(Boolean)).toHaveLength(4);
  });

  it('gives every label its colour when there are few, and no "other"', () => {
    const g = labelGroups(
      {
        labels: { column: 'l', names: ['a', 'b'], counts: [1, 1], missing: 0 },
        sample: {
          rows: new Int32Array(2),
          values: new Float64Array(2),
          labels: Int32Array.from([0, 1]),
        },
      },
      t,
    )!;
    expect(g.shown).toBe(2);
    expect(g.inSample).toEqual([true, true, false, false]);
  });
});

describe('scatter matrix option', () => {
  // Three rows of columns a, b, c; the second row's b is missing.
  const sample = {
    rows: Int32Array.from([0, 1, 2]),
    values: Float64Array.from([1, 10, 100, 2, NaN, 200, 3, 30, 300]),
    labels: Int32Array.from([0, 1, 0]),
  };
  const labels = { column: 'kind', names: ['p', 'q'], counts: [2, 1], missing: 0 };

  type Scatter = { name: string; data: number[][]; itemStyle: { color: string } };

  it('one cell per pair of columns, a row missing either value left out of that cell', () => {
    const o = scatterMatrixOption({
      sample,
      cols: 3,
      names: ['a', 'b', 'c'],
      columns: [0, 1, 2],
      groups: null,
      label: t,
    });
    expect(o.grid).toHaveLength(3);
    const series = o.series as (Scatter & { xAxisIndex: number })[];
    const cell = (k: number) => series.filter((s) => s.xAxisIndex === k).flatMap((s) => s.data);
    // Cells (b, a), (c, a), (c, b): x the earlier column.
    expect(cell(0)).toEqual([
      [1, 10],
      [3, 30],
    ]);
    expect(cell(1)).toHaveLength(3);
    expect(cell(2)).toEqual([
      [10, 100],
      [30, 300],
    ]);
  });

  it('the legend names each group once, in the colour its points are drawn in', () => {
    const groups = labelGroups({ labels, sample }, t)!;
    const o = scatterMatrixOption({
      sample,
      cols: 3,
      names: ['a', 'b', 'c'],
      columns: [0, 2],
      groups,
      label: t,
    });
    const legend = (o.legend as { data: { name: string; itemStyle: { color: string } }[] }).data;
    expect(legend.map((e) => e.name)).toEqual(['p', 'q']);
    for (const e of legend)
      expect(e.itemStyle.color).toBe(groups.colours[groups.names.indexOf(e.name)]);
    for (const s of o.series as Scatter[])
      expect(s.itemStyle.color).toBe(groups.colours[groups.names.indexOf(s.name)]);
    const p = (o.series as Scatter[]).find((s) => s.name === 'p')!;
    expect(p.data).toEqual([
      [1, 100],
      [3, 300],
    ]);
  });
});
