/** The one chart style (issue 20): numbers from the data's range, legends true to their series. */
import { describe, expect, it } from 'vitest';
import type { SeriesOption } from 'echarts';
import {
  boundLabels,
  colorOf,
  fitLegend,
  formatAxis,
  formatValue,
  legendFromSeries,
  legendRows,
  markerOf,
  niceBounds,
  showDataMin,
  styleChart,
  MAX_LEGEND_ROW_ENTRIES,
} from '../../src/shared/chart-style';
import { metricLineOption, mixture2dOption, pairsOption } from '../../src/shared/charts';
import { targetViewOption } from '../../src/shared/sampling-charts';
import { translate, type MessageKey } from '../../src/shared/i18n';
import { twoComponents } from '../fixtures/runs/gmm-run';

const en = (key: MessageKey, vars?: Record<string, string | number>) => translate('en', key, vars);

describe('formatValue', () => {
  it('keeps whole numbers whole and rounds the rest to a thousandth of their span', () => {
    expect(formatValue(2)).toBe('2');
    expect(formatValue(2, { integer: true })).toBe('2');
    expect(formatValue(0.1 + 0.2)).toBe('0.3');
    expect(formatValue(-4.140723456789012)).toBe('-4.141');
    expect(formatValue(-4.140723456789012, { span: 0.1 })).toBe('-4.1407');
    expect(formatValue(235.10703)).toBe('235.1');
    expect(formatValue(8.8026, { integer: true })).toBe('9');
  });
  it('writes one column of values at one precision when asked', () => {
    expect([1, 0.25, 0.99996].map((v) => formatValue(v, { span: 1, fixed: true }))).toEqual([
      '1.000',
      '0.250',
      '1.000',
    ]);
  });
  it('groups big numbers, puts the huge and tiny in exponent form, names the non-finite', () => {
    expect(formatValue(25000)).toBe('25,000');
    expect(formatValue(1234.5678)).toBe('1235');
    expect(formatValue(123.45678)).toBe('123.5');
    expect(formatValue(3.2e12 + 0.5)).toBe('3.2e12');
    expect(formatValue(1.2345e-9)).toBe('1.235e-9');
    expect(formatValue(NaN)).toBe('—');
    expect(formatValue(-Infinity)).toBe('−∞');
  });
});

describe('formatAxis', () => {
  it('prints every tick at the decimals of the tick step', () => {
    const f = formatAxis([-4.24, -4.14]);
    expect([-4.24, -4.22, -4.2, -4.18].map(f)).toEqual(['-4.24', '-4.22', '-4.20', '-4.18']);
    expect(formatAxis([0, 100]).call(null, 40)).toBe('40');
    expect([1, 1.5, 2].map(formatAxis([1, 2], { integer: true }))).toEqual(['1', '', '2']);
  });
  it('never prints a bound taken from the data with all its digits', () => {
    const f = formatAxis([-4.1407234567, -3.9628123]);
    expect(f(-4.1407234567)).toBe('-4.141');
    expect(f(0)).toBe('0.00');
    expect(f(-0.0000001)).toBe('0.000');
  });
});

describe('niceBounds and boundLabels', () => {
  it('round bounds hold the extent', () => {
    const [lo, hi] = niceBounds(1.6, 5.1);
    expect(lo).toBeLessThanOrEqual(1.6);
    expect(hi).toBeGreaterThanOrEqual(5.1);
    expect([lo, hi]).toEqual([1, 6]);
    expect(niceBounds(3, 3)[0]).toBeLessThan(3);
  });
  it('hides a first step that would crowd the first round tick', () => {
    expect(showDataMin(50, 200)).toBe(false); // ticks every 30: "50" beside "60"
    expect(showDataMin(1, 25)).toBe(true); // "1" well before "5"
    expect(showDataMin(0, 100)).toBe(true);
  });
  it('hides a bound label that is not on a tick', () => {
    expect(boundLabels(-4.5, 4.5)).toEqual({ showMinLabel: false, showMaxLabel: false });
    expect(boundLabels(-2, 8)).toEqual({ showMinLabel: true, showMaxLabel: true });
    expect(boundLabels(-3, 8)).toEqual({ showMinLabel: false, showMaxLabel: true });
  });
});

describe('legends built from the series', () => {
  it('gives each name one entry in its series’ colour and marker, at full opacity', () => {
    const series: SeriesOption[] = [
      { type: 'scatter', name: 'chain 1', itemStyle: { color: '#123456', opacity: 0.3 } },
      { type: 'scatter', name: 'chain 1', itemStyle: { color: '#123456', opacity: 0.7 } },
      { type: 'line', name: 'proposal', lineStyle: { color: '#D55E00' } },
      { type: 'scatter', name: 'sample', symbol: 'triangle', itemStyle: { color: '#E69F00' } },
    ];
    const legend = legendFromSeries(series);
    expect(legend.map((e) => [e.name, e.itemStyle.color, e.icon])).toEqual([
      ['chain 1', '#123456', 'circle'],
      ['proposal', '#D55E00', undefined],
      ['sample', '#E69F00', 'triangle'],
    ]);
    expect(legend[0].itemStyle.opacity).toBe(1);
  });
  it('leaves out series whose points carry their own colours', () => {
    const legend = legendFromSeries([
      { type: 'scatter', name: 'data', data: [{ value: [0, 1], itemStyle: { color: '#f00' } }] },
      { type: 'scatter', name: 'component 1', itemStyle: { color: colorOf(0) } },
    ]);
    expect(legend.map((e) => e.name)).toEqual(['component 1']);
  });
  it('a GMM in step mode and the uncertainty view have no entry that differs from its points', () => {
    const values = Float64Array.from({ length: 200 }, (_, i) => (i % 2 ? i / 50 : (i % 7) - 3));
    const mixture = twoComponents;
    for (const coloring of ['responsibility', 'uncertainty', 'label'] as const) {
      const option = mixture2dOption({
        title: '',
        values,
        cols: 2,
        columns: ['x', 'y'],
        mixture,
        label: en,
        coloring,
      });
      const legend = (option.legend as { data: { name: string; itemStyle: { color: string } }[] })
        .data;
      const series = option.series as SeriesOption[];
      for (const entry of legend)
        for (const s of series.filter((x) => x.name === entry.name))
          expect([entry.name, (s as { color?: string }).color]).toEqual([
            entry.name,
            entry.itemStyle.color,
          ]);
      expect(legend.some((e) => e.name === 'data' || e.name === 'uncertainty')).toBe(false);
    }
  });
  it('64 components are 64 different markers, and their legend is a scrolling list', () => {
    const kinds = new Set(Array.from({ length: 64 }, (_, c) => `${colorOf(c)} ${markerOf(c)}`));
    expect(kinds.size).toBe(64);
    const option = styleChart({
      legend: { bottom: 0 },
      grid: { bottom: 56 },
      series: Array.from({ length: MAX_LEGEND_ROW_ENTRIES + 2 }, (_, c) => ({
        type: 'scatter' as const,
        name: `component ${c + 1}`,
        itemStyle: { color: colorOf(c) },
      })),
    });
    expect(option.legend).toMatchObject({ type: 'scroll', orient: 'vertical' });
  });

  it('a grid of cells (pairs) keeps a long legend to one scrolling row below the cells', () => {
    const k = MAX_LEGEND_ROW_ENTRIES + 2;
    const values = Float64Array.from({ length: 60 * 3 }, (_, i) => Math.sin(i * 1.7) * 3);
    const option = pairsOption({
      title: 'pairs',
      values,
      cols: 3,
      columns: ['a', 'b', 'c'],
      mixture: {
        weights: Array.from({ length: k }, () => 1 / k),
        means: Array.from({ length: k }, (_, c) => [c / 4, -c / 4, c / 8]),
        covariances: Array.from({ length: k }, () => [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ]),
      },
      label: en,
    });
    expect(option.legend).toMatchObject({ type: 'scroll', orient: 'horizontal', bottom: 0 });
    expect((option.legend as { data: unknown[] }).data).toHaveLength(k);
  });
  it('a sampler’s legend is never paged: it wraps, and the plot makes room for it', () => {
    const option = targetViewOption({
      title: '',
      names: ['x', 'y'],
      grid: null,
      points: [0, 1, 2, 3].map(() => ({ xy: [0, 0, 1, 1], warmupCount: 1 })),
      move: {
        meta: {
          sampler: 'metropolis',
          from: [0, 0],
          to: [0, 0],
          proposal: [1, 1],
          accepted: false,
          stepSize: 1,
          divergent: false,
        } as never,
        path: [],
      },
      label: en,
    });
    const legend = option.legend as { type?: string; data: { name: string }[] };
    expect(legend.type).not.toBe('scroll');
    expect(legend.data.map((e) => e.name)).toContain('rejected proposal');
    const names = legend.data.map((e) => e.name);
    expect(legendRows(names, 420)).toBeGreaterThan(1);
    const bottom = (o: typeof option) => (o.grid as { bottom: number }).bottom;
    expect(bottom(fitLegend(option, 420))).toBeGreaterThan(bottom(fitLegend(option, 2000)));
  });
  it('a line chart’s tooltip shows the iteration whole and the value to the data’s precision', () => {
    const option = metricLineOption({
      title: '',
      xName: 'iteration',
      yName: 'll',
      series: [{ name: 'll', steps: [1, 2, 3], values: [-4.24, -4.150001234567, -4.14] }],
    });
    const formatter = (option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const html = formatter([
      { axisValue: 2, seriesName: 'll', marker: '', value: [2, -4.150001234567] },
    ]);
    expect(html).toContain('iteration: <b>2</b>');
    expect(html).toContain('<b>-4.15</b>');
  });
});
