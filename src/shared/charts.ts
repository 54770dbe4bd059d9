/**
 * ECharts options built from run data. The live views and chart export both use these builders,
 * so an exported chart is the chart the user saw. Text comes in already translated (`label`).
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import type { Mixture } from './artifacts';
import type { MessageKey } from './i18n';
import { density1d, ellipse, marginalMixture, mostLikelyComponent } from './mixture-view';

export type Label = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** Colour-blind-safe palette (Okabe–Ito), one colour per component or run. */
export const palette = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];
export const colorOf = (i: number): string => palette[i % palette.length];

const baseGrid = { left: 64, right: 24, top: 48, bottom: 48, containLabel: true };

export function metricLineOption(input: {
  title: string;
  xName: string;
  yName: string;
  series: { name: string; steps: ArrayLike<number>; values: ArrayLike<number> }[];
}): EChartsOption {
  return {
    animation: false,
    title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0, data: input.series.map((s) => s.name) },
    tooltip: { trigger: 'axis' },
    grid: { ...baseGrid, bottom: 56 },
    xAxis: {
      type: 'value',
      name: input.xName,
      nameLocation: 'middle',
      nameGap: 28,
      minInterval: 1,
    },
    yAxis: { type: 'value', name: input.yName, scale: true, nameLocation: 'end' },
    series: input.series.map((s, i) => ({
      type: 'line',
      name: s.name,
      showSymbol: s.steps.length < 60,
      color: colorOf(i),
      data: Array.from(s.steps, (x, j) => [x, s.values[j]]),
    })),
  };
}

/** A random subset of row indices for drawing: enough to see, never enough to freeze a page. */
export function displayRows(rows: number, max = 3000): Int32Array {
  if (rows <= max) return Int32Array.from({ length: rows }, (_, i) => i);
  const step = rows / max;
  return Int32Array.from({ length: max }, (_, i) => Math.floor(i * step));
}

/**
 * 2-D view: data coloured by most likely component, with 1σ and 2σ ellipses and means. With
 * more than two columns, the first two are shown with the components' marginals.
 */
export function mixture2dOption(input: {
  title: string;
  values: ArrayLike<number>;
  cols: number;
  columns: readonly string[];
  mixture: Mixture | null;
  label: Label;
  dims?: [number, number];
  /** Colour points by their most likely component (costly to redraw: off while streaming). */
  colorPoints?: boolean;
}): EChartsOption {
  const [dx, dy] = input.dims ?? [0, 1];
  const rows = Math.floor(input.values.length / input.cols);
  const pick = displayRows(rows);
  const xy = new Float64Array(pick.length * 2);
  for (let i = 0; i < pick.length; i++) {
    xy[2 * i] = input.values[pick[i] * input.cols + dx];
    xy[2 * i + 1] = input.values[pick[i] * input.cols + dy];
  }
  const m = input.mixture ? marginalMixture(input.mixture, [dx, dy]) : null;
  const k = m?.weights.length ?? 0;
  const colored = k > 0 && (input.colorPoints ?? true);
  const labels = colored ? mostLikelyComponent(m!, xy, 2) : null;
  const series: SeriesOption[] = [];
  for (let c = 0; c < (colored ? k : 1); c++) {
    const data: [number, number][] = [];
    for (let i = 0; i < pick.length; i++)
      if (!labels || labels[i] === c) data.push([xy[2 * i], xy[2 * i + 1]]);
    series.push({
      type: 'scatter',
      name: colored
        ? input.label('run.view.component', { k: c + 1 })
        : input.label('run.view.data'),
      data,
      symbolSize: 4,
      itemStyle: { color: colored ? colorOf(c) : '#9aa1ad', opacity: 0.6 },
      // Large mode draws a series as one path: redrawing a few thousand points stays cheap.
      large: true,
      largeThreshold: 500,
    });
  }
  if (m) {
    for (let c = 0; c < k; c++) {
      for (const n of [1, 2]) {
        series.push({
          type: 'line',
          name: input.label('run.view.component', { k: c + 1 }),
          data: ellipse(m.means[c], m.covariances[c], n),
          showSymbol: false,
          silent: true,
          lineStyle: {
            color: colorOf(c),
            width: n === 1 ? 2 : 1.2,
            type: n === 1 ? 'solid' : 'dashed',
          },
          tooltip: { show: false },
        });
      }
      series.push({
        type: 'scatter',
        name: input.label('run.view.component', { k: c + 1 }),
        data: [m.means[c] as [number, number]],
        symbol: 'diamond',
        symbolSize: 14,
        itemStyle: { color: colorOf(c), borderColor: '#fff', borderWidth: 1.5 },
        z: 10,
      });
    }
  }
  return {
    animation: false,
    title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    tooltip: { trigger: 'item' },
    grid: { ...baseGrid, bottom: 56 },
    xAxis: {
      type: 'value',
      name: input.columns[dx],
      nameLocation: 'middle',
      nameGap: 28,
      scale: true,
    },
    yAxis: { type: 'value', name: input.columns[dy], nameLocation: 'end', scale: true },
    series,
  };
}

/** 1-D view: a density-scaled histogram with the mixture density and each weighted component. */
export function histogram1dOption(input: {
  title: string;
  values: ArrayLike<number>;
  column: string;
  mixture: Mixture | null;
  label: Label;
  bins?: number;
}): EChartsOption {
  const xs = Array.from(input.values).filter(Number.isFinite);
  let lo = Infinity,
    hi = -Infinity;
  for (const x of xs) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const bins = input.bins ?? Math.min(80, Math.max(10, Math.ceil(Math.sqrt(xs.length))));
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const x of xs) counts[Math.min(bins - 1, Math.floor((x - lo) / width))]++;
  const bars = counts.map((c, i) => [lo + (i + 0.5) * width, c / (xs.length * width)]);
  const grid = Array.from(
    { length: 240 },
    (_, i) => lo - width + ((hi - lo + 2 * width) * i) / 239,
  );
  const m = input.mixture ? marginalMixture(input.mixture, [0]) : null;
  const series: SeriesOption[] = [
    {
      type: 'bar',
      name: input.label('run.view.data'),
      data: bars,
      barWidth: '96%',
      itemStyle: { color: '#c8ccd4' },
    },
  ];
  if (m) {
    const d = density1d(m, grid);
    d.components.forEach((comp, c) =>
      series.push({
        type: 'line',
        name: input.label('run.view.component', { k: c + 1 }),
        data: grid.map((x, i) => [x, comp[i]]),
        showSymbol: false,
        lineStyle: { color: colorOf(c), width: 1.5, type: 'dashed' },
        itemStyle: { color: colorOf(c) },
      }),
    );
    series.push({
      type: 'line',
      name: input.label('run.view.density'),
      data: grid.map((x, i) => [x, d.total[i]]),
      showSymbol: false,
      lineStyle: { color: '#222', width: 2.5 },
      itemStyle: { color: '#222' },
    });
  }
  return {
    animation: false,
    title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    tooltip: { trigger: 'axis' },
    grid: { ...baseGrid, bottom: 56 },
    xAxis: {
      type: 'value',
      name: input.column,
      nameLocation: 'middle',
      nameGap: 28,
      min: lo - width,
      max: hi + width,
    },
    yAxis: { type: 'value', name: input.label('run.view.densityAxis'), nameLocation: 'end' },
    series,
  };
}
