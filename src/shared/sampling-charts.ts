/**
 * ECharts options for MCMC and HMC runs: the 2-D target with the chains' draws and the latest
 * move, trace plots, autocorrelation, running means and marginal histograms. Pure, so the run
 * page and chart export draw the same pictures.
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import { colorOf, contourSeries, densityHistogram, type Label } from './charts';
import {
  boundLabels,
  extentOf,
  formatValue,
  scatterTooltip,
  styleChart,
  tooltipFor,
} from './chart-style';
import type { TransitionMeta } from './draws';

/** The target's log density on a size × size grid over bounds (row j = y, column i = x). */
export interface TargetGrid {
  size: number;
  bounds: [number, number][];
  logDensity: ArrayLike<number>;
}

const grid = { left: 56, right: 24, top: 48, bottom: 56, containLabel: true };
/** A cross, for a rejected proposal: shape as well as colour says "rejected". */
const CROSS = 'path://M2,0 L10,8 L18,0 L20,2 L12,10 L20,18 L18,20 L10,12 L2,20 L0,18 L8,10 L0,2 Z';

function contourLines(g: TargetGrid, label: Label): SeriesOption {
  let max = -Infinity;
  for (let i = 0; i < g.logDensity.length; i++)
    if (Number.isFinite(g.logDensity[i])) max = Math.max(max, g.logDensity[i]);
  // Relative to the mode, so the levels are the same fractions of the peak on any target.
  const values = Array.from(g.logDensity, (v) => (Number.isFinite(v) ? Math.exp(v - max) : 0));
  const [[x0, x1], [y0, y1]] = g.bounds;
  return contourSeries(
    values,
    g.size,
    [x0, x1, y0, y1],
    [0.01, 0.05, 0.15, 0.3, 0.5, 0.7, 0.9],
    label('mcmc.view.contours'),
  );
}

/** The latest recorded move of chain 1: what was proposed or integrated, and the verdict. */
function moveSeries(
  move: { meta: TransitionMeta; path: ArrayLike<number> },
  label: Label,
): SeriesOption[] {
  const { meta, path } = move;
  const out: SeriesOption[] = [];
  const verdictColor = meta.accepted ? '#009E73' : '#D55E00';
  if (meta.sampler === 'metropolis' && meta.proposal) {
    out.push({
      type: 'line',
      name: label('mcmc.view.proposal'),
      data: [meta.from as [number, number], meta.proposal as [number, number]],
      showSymbol: false,
      lineStyle: { color: verdictColor, width: 1.5, type: 'dashed' },
      z: 8,
    });
    out.push({
      type: 'scatter',
      name: label(meta.accepted ? 'mcmc.view.accepted' : 'mcmc.view.rejected'),
      data: [meta.proposal as [number, number]],
      symbol: meta.accepted ? 'circle' : CROSS,
      symbolSize: meta.accepted ? 12 : 13,
      itemStyle: { color: verdictColor, borderColor: '#fff', borderWidth: 1 },
      z: 9,
    });
  } else if (meta.sampler === 'gibbs' && meta.proposal) {
    const pts: [number, number][] = [meta.from as [number, number]];
    for (let i = 0; i + 1 < meta.proposal.length; i += 2)
      pts.push([meta.proposal[i], meta.proposal[i + 1]]);
    out.push({
      type: 'line',
      name: label('mcmc.view.gibbsMoves'),
      data: pts,
      showSymbol: true,
      symbolSize: 6,
      lineStyle: { color: verdictColor, width: 1.5 },
      itemStyle: { color: verdictColor },
      z: 8,
    });
  } else if (path.length >= 2) {
    const pts: [number, number][] = [];
    for (let i = 0; i + 1 < path.length; i += 2) pts.push([path[i], path[i + 1]]);
    // NUTS grows its tree in both directions: draw its points by depth, HMC's as one path.
    if (meta.depthOf) {
      out.push({
        type: 'scatter',
        name: label('mcmc.view.tree'),
        // One colour, the legend's; the explanation below says how the tree grew.
        data: pts,
        itemStyle: { color: '#56B4E9', opacity: 0.85 },
        symbolSize: 5,
        z: 8,
      });
    } else {
      out.push({
        type: 'line',
        name: label('mcmc.view.leapfrog'),
        data: pts,
        showSymbol: true,
        symbolSize: 4,
        lineStyle: { color: '#56B4E9', width: 1.5 },
        itemStyle: { color: '#56B4E9' },
        z: 8,
      });
    }
    if (meta.momentum) {
      const [fx, fy] = meta.from;
      const scale = meta.stepSize * 3;
      out.push({
        type: 'lines',
        name: label('mcmc.view.momentum'),
        coordinateSystem: 'cartesian2d',
        data: [
          {
            coords: [
              [fx, fy],
              [fx + meta.momentum[0] * scale, fy + meta.momentum[1] * scale],
            ],
          },
        ],
        symbol: ['none', 'arrow'],
        symbolSize: 9,
        lineStyle: { color: '#000', width: 2 },
        z: 9,
      } as SeriesOption);
    }
  }
  out.push({
    type: 'scatter',
    name: label(meta.divergent ? 'mcmc.view.divergent' : 'mcmc.view.newState'),
    data: [meta.to as [number, number]],
    symbol: meta.divergent ? 'triangle' : 'diamond',
    symbolSize: 14,
    itemStyle: { color: meta.divergent ? '#D55E00' : '#000', borderColor: '#fff', borderWidth: 1 },
    z: 10,
  });
  return out;
}

/**
 * The 2-D target: density contours, every chain's draws (warm-up faint), and the latest move.
 * `points` holds per chain [x0, y0, x1, y1, …] in iteration order.
 */
export function targetViewOption(input: {
  title: string;
  names: [string, string];
  grid: TargetGrid | null;
  points: { xy: ArrayLike<number>; warmupCount: number }[];
  move?: { meta: TransitionMeta; path: ArrayLike<number> } | null;
  label: Label;
}): EChartsOption {
  const series: SeriesOption[] = [];
  if (input.grid) series.push(contourLines(input.grid, input.label));
  input.points.forEach((chain, c) => {
    const warm: [number, number][] = [];
    const kept: [number, number][] = [];
    for (let i = 0; i + 1 < chain.xy.length; i += 2)
      (i / 2 < chain.warmupCount ? warm : kept).push([chain.xy[i], chain.xy[i + 1]]);
    const name = input.label('mcmc.view.chain', { c: c + 1 });
    series.push({
      type: 'scatter',
      name,
      data: warm,
      symbolSize: 4,
      itemStyle: { color: colorOf(c), opacity: 0.3 },
      large: true,
      largeThreshold: 2000,
      z: 2,
    });
    series.push({
      type: 'scatter',
      name,
      data: kept,
      symbolSize: 4,
      itemStyle: { color: colorOf(c), opacity: 0.7 },
      large: true,
      largeThreshold: 2000,
      z: 3,
    });
  });
  if (input.move) series.push(...moveSeries(input.move, input.label));
  const [[x0, x1], [y0, y1]] = input.grid?.bounds ?? [
    [undefined, undefined],
    [undefined, undefined],
  ];
  const xBox: [number, number] | null = x0 !== undefined && x1 !== undefined ? [x0, x1] : null;
  const yBox: [number, number] | null = y0 !== undefined && y1 !== undefined ? [y0, y1] : null;
  return styleChart(
    {
      animation: false,
      title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
      // Every entry in sight (it wraps; fitLegend makes room): a paged legend hid "rejected".
      legend: { bottom: 0 },
      tooltip: scatterTooltip(input.names, xBox, yBox),
      grid,
      xAxis: {
        type: 'value',
        name: input.names[0],
        nameLocation: 'middle',
        nameGap: 28,
        min: x0,
        max: x1,
        axisLine: { onZero: false },
        ...(x0 !== undefined && x1 !== undefined ? { axisLabel: boundLabels(x0, x1) } : {}),
      },
      yAxis: {
        type: 'value',
        name: input.names[1],
        nameLocation: 'end',
        min: y0,
        max: y1,
        axisLine: { onZero: false },
        ...(y0 !== undefined && y1 !== undefined ? { axisLabel: boundLabels(y0, y1) } : {}),
      },
      series,
    },
    {
      x: { extent: xBox },
      y: { extent: yBox },
    },
  );
}

/** Points of a line drawn at most: enough for a chart's width, light to rebuild live. */
const MAX_LINE_POINTS = 4000;

/** [offset + i, x[i]] pairs, every k-th when there are more than MAX_LINE_POINTS. */
function thinned(x: ArrayLike<number>, offset = 0): [number, number][] {
  const k = Math.max(1, Math.ceil(x.length / MAX_LINE_POINTS));
  const out: [number, number][] = [];
  for (let i = 0; i < x.length; i += k) out.push([i + offset, x[i]]);
  return out;
}

/** One parameter's draws against iteration, a line per chain, warm-up shaded. */
export function traceOption(input: {
  title: string;
  chains: ArrayLike<number>[];
  warmup: number;
  label: Label;
}): EChartsOption {
  const y = extentOf(...input.chains);
  const iteration = input.label('mcmc.view.iteration');
  return styleChart(
    {
      animation: false,
      title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { bottom: 0 },
      tooltip: lineTooltip(iteration, y),
      grid,
      xAxis: {
        type: 'value',
        name: iteration,
        nameLocation: 'middle',
        nameGap: 28,
        min: 0,
      },
      yAxis: { type: 'value', scale: true },
      series: input.chains.map((x, c): SeriesOption => ({
        type: 'line',
        name: input.label('mcmc.view.chain', { c: c + 1 }),
        data: thinned(x),
        showSymbol: false,
        sampling: 'lttb',
        lineStyle: { width: 1, opacity: 0.8 },
        color: colorOf(c),
        ...(c === 0 && input.warmup > 0
          ? {
              markArea: {
                silent: true,
                itemStyle: { color: 'rgba(120,120,120,0.1)' },
                data: [
                  [{ xAxis: 0, name: input.label('mcmc.view.warmup') }, { xAxis: input.warmup }],
                ],
              },
            }
          : {}),
      })),
    },
    { x: { extent: [0, maxLength(input.chains)], integer: true }, y: { extent: y } },
  );
}

/** An axis tooltip over draws: the iteration (or lag) whole, values to the data's precision. */
function lineTooltip(xName: string, y: [number, number] | null) {
  return tooltipFor(
    'axis',
    { name: xName, format: (v) => formatValue(v, { integer: true }) },
    { format: (v) => formatValue(v, { span: y ? y[1] - y[0] : undefined }) },
  );
}

const maxLength = (xs: ArrayLike<number>[]) => Math.max(1, ...xs.map((x) => x.length));

/** Autocorrelation by lag, a line per chain, and a dashed line per extra series (running mean). */
export function lagOption(input: {
  title: string;
  xName: string;
  chains: ArrayLike<number>[];
  /** x of the i-th value: i (lags) or i + offset (iterations). */
  offset?: number;
  label: Label;
  reference?: number | null;
}): EChartsOption {
  const offset = input.offset ?? 0;
  const y = extentOf(...input.chains);
  return styleChart(
    {
      animation: false,
      title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { bottom: 0 },
      tooltip: lineTooltip(input.xName, y),
      grid,
      xAxis: { type: 'value', name: input.xName, nameLocation: 'middle', nameGap: 28, min: offset },
      yAxis: { type: 'value', scale: true },
      series: input.chains.map((x, c): SeriesOption => ({
        type: 'line',
        name: input.label('mcmc.view.chain', { c: c + 1 }),
        data: thinned(x, offset),
        showSymbol: false,
        sampling: 'lttb',
        lineStyle: { width: 1.2 },
        color: colorOf(c),
        ...(c === 0 && input.reference != null && Number.isFinite(input.reference)
          ? {
              markLine: {
                silent: true,
                symbol: 'none',
                lineStyle: { color: '#000', type: 'dashed' },
                // Inside the plot: at the line's end it would be cut off by the chart's edge.
                label: { formatter: input.label('mcmc.view.truth'), position: 'insideEndTop' },
                data: [{ yAxis: input.reference }],
              },
            }
          : {}),
      })),
    },
    {
      x: { extent: [offset, offset + maxLength(input.chains)], integer: true },
      y: { extent: y },
    },
  );
}

/** A histogram of the kept draws of one parameter (all chains pooled), density-scaled. */
export function marginalOption(input: {
  title: string;
  values: ArrayLike<number>;
  label: Label;
  bins?: number;
}): EChartsOption {
  const { bars, lo, hi } = densityHistogram(input.values, input.bins);
  const density = extentOf(
    [0],
    bars.map((b) => b[1]),
  );
  return styleChart(
    {
      animation: false,
      title: { text: input.title, left: 'center', textStyle: { fontSize: 13 } },
      tooltip: tooltipFor(
        'axis',
        { format: (v) => formatValue(v, { span: hi - lo }) },
        {
          name: input.label('run.view.densityAxis'),
          format: (v) => formatValue(v, { span: density ? density[1] : undefined }),
        },
      ),
      grid: { ...grid, bottom: 32 },
      xAxis: { type: 'value', scale: true },
      yAxis: { type: 'value', name: input.label('run.view.densityAxis') },
      series: [
        {
          type: 'bar',
          data: bars,
          barWidth: '96%',
          itemStyle: { color: '#8fa8c8' },
        },
      ],
    },
    { x: { extent: [lo, hi] }, y: { extent: density } },
  );
}
