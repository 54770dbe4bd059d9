/**
 * ECharts options built from run data. The live views and chart export both use these builders,
 * so an exported chart is the chart the user saw. Text comes in already translated (`label`).
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import type { Mixture } from './artifacts';
import { isMessageKey, optionLabel, type MessageKey } from './i18n';
import { contours } from 'd3-contour';
import { thinForDrawing } from './downsample';
import {
  colorOf,
  extentOf,
  formatValue,
  markerOf,
  niceBounds,
  palette,
  scatterTooltip,
  showDataMin,
  styleChart,
  tooltipFor,
  xyExtents,
  type AxisFormat,
} from './chart-style';
import {
  density1d,
  ellipse,
  marginalMixture,
  mostLikelyComponent,
  responsibilities,
  uncertainty,
  weightedLogDensities,
} from './mixture-view';

export type Label = (key: MessageKey, vars?: Record<string, string | number>) => string;

export { colorOf, formatAxis, formatValue, markerOf, palette } from './chart-style';

const baseGrid = { left: 64, right: 24, top: 60, bottom: 48, containLabel: true };

/**
 * Whether a metric makes a curve: some series has two points or more. A figure reported once per
 * run (a sampler's final ESS) is a number in the results, not a chart of single dots.
 */
export function hasCurve(series: readonly { steps: ArrayLike<number> }[]): boolean {
  return series.some((s) => s.steps.length > 1);
}

/** Lines of a metric against step (or K), one per series; optionally one point marked. */
export function metricLineOption(input: {
  title: string;
  xName: string;
  yName: string;
  /** A series' colour defaults to its index in the palette (pass one to keep runs' colours). */
  series: { name: string; steps: ArrayLike<number>; values: ArrayLike<number>; color?: string }[];
  mark?: { series: string; x: number; y: number; label: string } | null;
  logY?: boolean;
  /** x is a continuous quantity (e.g. seconds), not a step count. */
  continuousX?: boolean;
  /** How many steps the y axis is cut into (ECharts' 5 unless a short chart asks for fewer). */
  ySplits?: number;
}): EChartsOption {
  const { mark } = input;
  const integer = !input.continuousX;
  const x = extentOf(...input.series.map((s) => s.steps));
  const y = extentOf(...input.series.map((s) => s.values));
  const ySpan = y ? y[1] - y[0] : 0;
  const option: EChartsOption = {
    animation: false,
    title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    tooltip: tooltipFor(
      'axis',
      { name: input.xName, format: (v) => formatValue(v, { integer }) },
      { format: (v) => formatValue(v, { span: ySpan }) },
    ),
    grid: { ...baseGrid, bottom: 56 },
    xAxis: {
      type: 'value',
      name: input.xName,
      nameLocation: 'middle',
      nameGap: 28,
      min: 'dataMin',
      ...(input.continuousX ? {} : { minInterval: 1 }),
      axisLabel: { showMinLabel: x ? showDataMin(x[0], x[1]) : true },
    },
    yAxis: input.logY
      ? {
          type: 'log',
          name: input.yName,
          nameLocation: 'end',
          nameTextStyle: { align: 'left' },
          axisLabel: { formatter: (v: number) => formatValue(v), hideOverlap: true },
        }
      : {
          type: 'value',
          name: input.yName,
          scale: true,
          nameLocation: 'end',
          nameTextStyle: { align: 'left' },
          ...(input.ySplits ? { splitNumber: input.ySplits } : {}),
        },
    series: input.series.map((s, i): SeriesOption => {
      // Millions of points are thinned here, before ECharts sees them (min and max per pixel
      // column); ECharts' own sampling then works on a few thousand.
      const drawn = thinForDrawing(s.steps, s.values);
      return {
        type: 'line',
        name: s.name,
        showSymbol: s.steps.length < 60,
        sampling: 'lttb',
        color: s.color ?? colorOf(i),
        data: Array.from(drawn.steps, (x, j) => [x, drawn.values[j]]),
        ...(mark && mark.series === s.name
          ? {
              markPoint: {
                symbol: 'pin',
                symbolSize: 46,
                data: [{ coord: [mark.x, mark.y], value: mark.label }] as never[],
                label: { fontSize: 10 },
              },
            }
          : {}),
      };
    }),
  };
  return styleChart(option, { x: { extent: x, integer }, y: { extent: y } });
}

/** Title and axis names for a metric's chart: the run pages' words where there are some. */
export function metricText(
  label: Label,
  key: string,
): { title: string; xName: string; yName: string } {
  if (key === 'meanLogLikelihood')
    return {
      title: label('run.chart.loglik'),
      xName: label('run.chart.iteration'),
      yName: label('run.chart.meanLogLik'),
    };
  const sweep = /^(bic|aic|loglik):(.+)$/.exec(key);
  if (sweep) {
    const [, criterion, type] = sweep;
    const yName =
      criterion === 'bic'
        ? label('sweep.bicAxis')
        : criterion === 'aic'
          ? label('sweep.aicAxis')
          : label('run.chart.meanLogLik');
    return {
      title: label('chart.againstK', {
        what: criterion === 'loglik' ? label('run.chart.meanLogLik') : criterion.toUpperCase(),
        type: optionLabel(label, 'covarianceType', type),
      }),
      xName: label('sweep.kAxis'),
      yName,
    };
  }
  for (const own of [`vae.metric.${key}`, `mcmc.metric.${key}`])
    if (isMessageKey(own))
      return { title: label(own), xName: label('compare.step'), yName: label(own) };
  return { title: key, xName: label('compare.step'), yName: key };
}

/** A random subset of row indices for drawing: enough to see, never enough to freeze a page. */
export function displayRows(rows: number, max = 3000): Int32Array {
  if (rows <= max) return Int32Array.from({ length: rows }, (_, i) => i);
  const step = rows / max;
  return Int32Array.from({ length: max }, (_, i) => Math.floor(i * step));
}

/** How the points of a 2-D view are coloured. */
export type PointColoring = 'none' | 'label' | 'responsibility' | 'uncertainty';

/** The display subset of two columns, as interleaved xy. */
function pickXy(values: ArrayLike<number>, cols: number, dx: number, dy: number): Float64Array {
  const pick = displayRows(Math.floor(values.length / cols));
  const xy = new Float64Array(pick.length * 2);
  for (let i = 0; i < pick.length; i++) {
    xy[2 * i] = values[pick[i] * cols + dx];
    xy[2 * i + 1] = values[pick[i] * cols + dy];
  }
  return xy;
}

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** A point's colour as the responsibility-weighted mix of its components' colours. */
function blend(weights: ArrayLike<number>, offset: number, k: number): string {
  let r = 0,
    g = 0,
    b = 0;
  for (let c = 0; c < k; c++) {
    const [cr, cg, cb] = hexToRgb(colorOf(c));
    const w = weights[offset + c];
    r += w * cr;
    g += w * cg;
    b += w * cb;
  }
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

/**
 * Density contour lines of a 2-D mixture (marching squares via d3-contour), in data units, over
 * the whole view box: lines run on to the view's edges instead of stopping at the data's box.
 */
function mixtureContours(
  m: Mixture,
  box: [number, number, number, number],
  label: Label,
): SeriesOption[] {
  const [x0, x1, y0, y1] = box;
  const n = 64;
  const f = weightedLogDensities(m);
  if (!f || !(x1 > x0) || !(y1 > y0)) return [];
  const grid = new Array<number>(n * n);
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const x = x0 + ((x1 - x0) * i) / (n - 1);
      const y = y0 + ((y1 - y0) * j) / (n - 1);
      grid[j * n + i] = f([x, y]).reduce((s, v) => s + Math.exp(v), 0);
    }
  const max = Math.max(...grid);
  const levels = [0.05, 0.15, 0.3, 0.5, 0.7, 0.9].map((q) => q * max);
  return [contourSeries(grid, n, box, levels, label('run.view.contours'))];
}

/** The view of a 2-D mixture plot: round bounds around the points and every 2σ ellipse. */
function viewBox(xy: Float64Array, m: Mixture | null): [number, number, number, number] {
  const rings = (m?.means ?? []).map((mu, c) => ({
    values: ellipse(mu, m!.covariances[c], 2, 24).flat(),
    stride: 2,
  }));
  const { x, y } = xyExtents({ values: xy, stride: 2 }, ...rings);
  const [x0, x1] = niceBounds(...(x ?? [0, 1]));
  const [y0, y1] = niceBounds(...(y ?? [0, 1]));
  return [x0, x1, y0, y1];
}

/**
 * Contour lines of values on an n × n grid (row j = y, column i = x) spanning `box` = [x0, x1,
 * y0, y1], at `levels`, as one line series of polylines separated by gaps (marching squares).
 */
export function contourSeries(
  grid: ArrayLike<number>,
  n: number,
  box: [number, number, number, number],
  levels: number[],
  name: string,
): SeriesOption {
  const [x0, x1, y0, y1] = box;
  const data: ([number, number] | '-')[] = [];
  for (const c of contours().size([n, n]).thresholds(levels)(Array.from(grid)))
    for (const polygon of c.coordinates)
      for (const ring of polygon) {
        for (const [gi, gj] of ring)
          data.push([
            x0 + ((x1 - x0) * (gi - 0.5)) / (n - 1),
            y0 + ((y1 - y0) * (gj - 0.5)) / (n - 1),
          ]);
        data.push('-'); // a gap between rings
      }
  return {
    type: 'line',
    name,
    data,
    connectNulls: false,
    showSymbol: false,
    silent: true,
    lineStyle: { color: '#5b6270', width: 0.8, opacity: 0.55 },
    itemStyle: { color: '#5b6270' },
    z: 1,
  };
}

function ellipseSeries(m: Mixture, label: Label): SeriesOption[] {
  const series: SeriesOption[] = [];
  m.weights.forEach((_, c) => {
    for (const n of [1, 2])
      series.push({
        type: 'line',
        name: label('run.view.component', { k: c + 1 }),
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
    series.push({
      type: 'scatter',
      name: label('run.view.component', { k: c + 1 }),
      data: [m.means[c] as [number, number]],
      symbol: 'diamond',
      symbolSize: 14,
      itemStyle: { color: colorOf(c), borderColor: '#fff', borderWidth: 1.5 },
      z: 10,
    });
  });
  return series;
}

/**
 * 2-D view: the data (coloured by most likely component, by responsibilities, by uncertainty, or
 * not at all), with 1σ and 2σ ellipses, means and density contours. With more than two columns,
 * `dims` picks the pair and the components' marginals are drawn. `samples` drawn from the
 * mixture are triangles in their component's colour.
 */
export function mixture2dOption(input: {
  title: string;
  values: ArrayLike<number>;
  cols: number;
  columns: readonly string[];
  mixture: Mixture | null;
  label: Label;
  dims?: [number, number];
  coloring?: PointColoring;
  contours?: boolean;
  samples?: { values: ArrayLike<number>; cols: number; labels: ArrayLike<number> } | null;
}): EChartsOption {
  const [dx, dy] = input.dims ?? [0, 1];
  const xy = pickXy(input.values, input.cols, dx, dy);
  const points = xy.length / 2;
  const m = input.mixture ? marginalMixture(input.mixture, [dx, dy]) : null;
  const k = m?.weights.length ?? 0;
  const coloring = m ? (input.coloring ?? 'label') : 'none';
  const series: SeriesOption[] = [];
  const legendSkip = new Set<number>();
  const pointStyle = { symbolSize: 5, large: true, largeThreshold: 500 } as const;
  const componentName = (c: number) => input.label('run.view.component', { k: c + 1 });
  if (coloring === 'label') {
    const labels = mostLikelyComponent(m!, xy, 2);
    for (let c = 0; c < k; c++) {
      const data: [number, number][] = [];
      for (let i = 0; i < points; i++) if (labels[i] === c) data.push([xy[2 * i], xy[2 * i + 1]]);
      series.push({
        type: 'scatter',
        name: componentName(c),
        data,
        symbol: markerOf(c),
        itemStyle: { color: colorOf(c), opacity: 0.6 },
        ...pointStyle,
      });
    }
  } else if (coloring === 'responsibility') {
    // Per-point colours (the components' colours mixed by responsibility): the components'
    // legend entries are the key, so this series has none. Small data only (the display subset).
    const r = responsibilities(m!, xy, 2);
    series.push({
      type: 'scatter',
      name: input.label('run.view.data'),
      symbolSize: 5,
      data: Array.from({ length: points }, (_, i) => ({
        value: [xy[2 * i], xy[2 * i + 1]],
        itemStyle: { color: blend(r, i * k, k), opacity: 0.75 },
      })),
    });
  } else if (coloring === 'uncertainty') {
    // Coloured by the visual map, which is this series' key: no legend entry.
    legendSkip.add(series.length);
    const u = uncertainty(m!, xy, 2);
    series.push({
      type: 'scatter',
      name: input.label('run.view.uncertainty'),
      data: Array.from({ length: points }, (_, i) => [xy[2 * i], xy[2 * i + 1], u[i]]),
      ...pointStyle,
    });
  } else {
    series.push({
      type: 'scatter',
      name: input.label('run.view.data'),
      data: Array.from({ length: points }, (_, i) => [xy[2 * i], xy[2 * i + 1]]),
      itemStyle: { color: '#9aa1ad', opacity: 0.6 },
      ...pointStyle,
    });
  }
  const box = viewBox(xy, m);
  if (m && input.contours !== false) series.push(...mixtureContours(m, box, input.label));
  if (m && coloring !== 'uncertainty') series.push(...ellipseSeries(m, input.label));
  const samples = input.samples;
  if (samples && m)
    for (let c = 0; c < k; c++) {
      const data: [number, number][] = [];
      for (let i = 0; i < samples.labels.length; i++)
        if (samples.labels[i] === c)
          data.push([samples.values[i * samples.cols + dx], samples.values[i * samples.cols + dy]]);
      series.push({
        type: 'scatter',
        name: componentName(c),
        symbol: 'triangle',
        symbolSize: 6,
        data,
        itemStyle: { color: colorOf(c), borderColor: '#222', borderWidth: 0.5 },
        z: 5,
      });
    }
  const [x0, x1, y0, y1] = box;
  const xName = input.columns[dx];
  const yName = input.columns[dy];
  const uncertaintyAxis: AxisFormat = {
    name: input.label('run.view.uncertainty'),
    format: (v) => formatValue(v, { span: 1 }),
  };
  const option: EChartsOption = {
    animation: false,
    title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    tooltip: scatterTooltip(
      [xName, yName],
      [x0, x1],
      [y0, y1],
      coloring === 'uncertainty' ? uncertaintyAxis : undefined,
    ),
    grid: { ...baseGrid, bottom: 56, right: coloring === 'uncertainty' ? 90 : 24 },
    ...(coloring === 'uncertainty'
      ? {
          visualMap: {
            type: 'continuous',
            seriesIndex: 0,
            dimension: 2,
            min: 0,
            max: 1 - 1 / Math.max(k, 2),
            right: 0,
            top: 'middle',
            text: [input.label('run.view.uncertain'), input.label('run.view.certain')],
            calculable: false,
            inRange: { color: ['#d8dde6', '#f0a04b', '#b2182b'] },
          },
        }
      : {}),
    xAxis: {
      type: 'value',
      name: xName,
      nameLocation: 'middle',
      nameGap: 28,
      min: x0,
      max: x1,
      axisLine: { onZero: false },
    },
    yAxis: {
      type: 'value',
      name: yName,
      nameLocation: 'end',
      min: y0,
      max: y1,
      axisLine: { onZero: false },
    },
    series,
  };
  return styleChart(option, {
    x: { extent: [x0, x1] },
    y: { extent: [y0, y1] },
    legendSkip,
  });
}

/**
 * Pairs grid for more than two columns: one small scatter per pair of columns (lower triangle),
 * points coloured by most likely component, each component's projected 1σ ellipse.
 */
export function pairsOption(input: {
  title: string;
  values: ArrayLike<number>;
  cols: number;
  columns: readonly string[];
  mixture: Mixture | null;
  label: Label;
  maxColumns?: number;
}): EChartsOption {
  const d = Math.min(input.cols, input.maxColumns ?? 5);
  const layout = pairGrid(input.columns.slice(0, d));
  const series: SeriesOption[] = [];
  const k = input.mixture?.weights.length ?? 0;
  for (const { i, j, index } of layout.cells) {
    const xy = pickXy(input.values, input.cols, j, i);
    const m = input.mixture ? marginalMixture(input.mixture, [j, i]) : null;
    const labels = m ? mostLikelyComponent(m, xy, 2) : null;
    for (let c = 0; c < Math.max(k, 1); c++) {
      const data: [number, number][] = [];
      for (let p = 0; p < xy.length / 2; p++)
        if (!labels || labels[p] === c) data.push([xy[2 * p], xy[2 * p + 1]]);
      series.push({
        type: 'scatter',
        name: m ? input.label('run.view.component', { k: c + 1 }) : input.label('run.view.data'),
        xAxisIndex: index,
        yAxisIndex: index,
        data,
        symbol: m ? markerOf(c) : 'circle',
        symbolSize: 3,
        large: true,
        largeThreshold: 500,
        itemStyle: { color: m ? colorOf(c) : '#9aa1ad', opacity: 0.5 },
      });
      if (m)
        series.push({
          type: 'line',
          name: input.label('run.view.component', { k: c + 1 }),
          xAxisIndex: index,
          yAxisIndex: index,
          data: ellipse(m.means[c], m.covariances[c], 1),
          showSymbol: false,
          silent: true,
          lineStyle: { color: colorOf(c), width: 1.5 },
        });
    }
  }
  return styleChart({
    animation: false,
    title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    tooltip: tooltipFor(
      'item',
      { format: (v) => formatValue(v) },
      { format: (v) => formatValue(v) },
    ),
    grid: layout.grid,
    xAxis: layout.xAxis,
    yAxis: layout.yAxis,
    series,
  } as EChartsOption);
}

/**
 * The lower triangle of a pairs grid of `names.length` columns: one grid and pair of axes per
 * cell (column j across, column i up, j < i), axis names only on the outer cells.
 */
export function pairGrid(
  names: readonly string[],
  area: { top: number; height: number } = { top: 7, height: 88 },
): {
  grid: object[];
  xAxis: object[];
  yAxis: object[];
  cells: { i: number; j: number; index: number }[];
} {
  const d = names.length;
  // d − 1 rows and columns of cells, in percent of the chart.
  const cell = 100 / (d - 1);
  const tall = area.height / (d - 1);
  const grid: object[] = [];
  const xAxis: object[] = [];
  const yAxis: object[] = [];
  const cells: { i: number; j: number; index: number }[] = [];
  for (let i = 1; i < d; i++)
    for (let j = 0; j < i; j++) {
      const index = grid.length;
      cells.push({ i, j, index });
      grid.push({
        left: `${j * cell + 4}%`,
        top: `${(i - 1) * tall + area.top}%`,
        width: `${cell - 6}%`,
        height: `${tall - 8}%`,
      });
      const axis = (name: string, show: boolean) => ({
        type: 'value',
        gridIndex: index,
        scale: true,
        name: show ? name : '',
        nameLocation: 'middle',
        nameGap: 22,
        // A long column name would run into the next cell's.
        nameTruncate: { maxWidth: 150 },
        axisLabel: { fontSize: 9 },
        axisLine: { onZero: false },
        splitLine: { show: false },
      });
      xAxis.push(axis(names[j], i === d - 1));
      yAxis.push(axis(names[i], j === 0));
    }
  return { grid, xAxis, yAxis, cells };
}

/**
 * A histogram scaled to a density (bars of area 1) of the finite values: [bin centre, density]
 * bars, the range and the bin width. About √n bins, at most `maxBins`, unless `bins` is given.
 */
export function densityHistogram(
  values: ArrayLike<number>,
  bins?: number,
  maxBins = 60,
): { bars: [number, number][]; lo: number; hi: number; width: number } {
  const xs = Array.from(values).filter(Number.isFinite);
  let lo = Infinity,
    hi = -Infinity;
  for (const x of xs) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  if (!(hi > lo)) {
    lo = Number.isFinite(lo) ? lo - 0.5 : -0.5;
    hi = Number.isFinite(hi) ? hi + 0.5 : 0.5;
  }
  const n = bins ?? Math.min(maxBins, Math.max(10, Math.ceil(Math.sqrt(xs.length))));
  const width = (hi - lo) / n;
  const counts = new Array<number>(n).fill(0);
  for (const x of xs) counts[Math.min(n - 1, Math.floor((x - lo) / width))]++;
  const bars = counts.map((c, i): [number, number] => [
    lo + (i + 0.5) * width,
    xs.length ? c / (xs.length * width) : 0,
  ]);
  return { bars, lo, hi, width };
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
  const { bars, lo, hi, width } = densityHistogram(input.values, input.bins, 80);
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
  const density = extentOf(...series.map((s) => (s.data as [number, number][]).map((d) => d[1])));
  const densityName = input.label('run.view.densityAxis');
  return styleChart(
    {
      animation: false,
      title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { bottom: 0 },
      tooltip: tooltipFor(
        'axis',
        { name: input.column, format: (v) => formatValue(v, { span: hi - lo }) },
        { format: (v) => formatValue(v, { span: density ? density[1] : 0 }) },
      ),
      grid: { ...baseGrid, bottom: 56 },
      xAxis: {
        type: 'value',
        name: input.column,
        nameLocation: 'middle',
        nameGap: 28,
        min: lo - width,
        max: hi + width,
        // The computed bounds are not round; the round ticks between them remain.
        axisLabel: { showMinLabel: false, showMaxLabel: false },
      },
      yAxis: {
        type: 'value',
        name: densityName,
        nameLocation: 'end',
        nameTextStyle: { align: 'left' },
      },
      series,
    },
    { x: { extent: [lo, hi] }, y: { extent: density && [0, density[1]] } },
  );
}

/**
 * 2-D points (a VAE's latent means, or samples) as a scatter; with labels (stride 3), one series
 * per label so the legend names them. `data` are other points drawn grey underneath (e.g. the
 * data set under samples).
 */
export function points2dOption(input: {
  title: string;
  points: ArrayLike<number>;
  count: number;
  stride: 2 | 3;
  axisNames: [string, string];
  label: Label;
  /** The series name of unlabelled points. */
  name: string;
  under?: { name: string; values: ArrayLike<number>; cols: number } | null;
}): EChartsOption {
  const { points, count, stride } = input;
  const pointStyle = { symbolSize: 5, large: true, largeThreshold: 2000 } as const;
  const series: SeriesOption[] = [];
  if (input.under && input.under.cols >= 2) {
    const u = input.under;
    const rows = displayRows(Math.floor(u.values.length / u.cols));
    series.push({
      type: 'scatter',
      name: u.name,
      data: Array.from(rows, (r) => [u.values[r * u.cols], u.values[r * u.cols + 1]]),
      itemStyle: { color: '#9aa0a6', opacity: 0.5 },
      ...pointStyle,
      symbolSize: 4,
    });
  }
  if (stride === 3) {
    const byLabel = new Map<number, [number, number][]>();
    for (let i = 0; i < count; i++) {
      const l = points[i * 3 + 2];
      if (!byLabel.has(l)) byLabel.set(l, []);
      byLabel.get(l)!.push([points[i * 3], points[i * 3 + 1]]);
    }
    [...byLabel.keys()]
      .sort((a, b) => a - b)
      .forEach((l, c) =>
        series.push({
          type: 'scatter',
          name: input.label('vae.latent.label', { k: l }),
          data: byLabel.get(l)!,
          itemStyle: { color: labelColor(c), opacity: 0.75 },
          ...pointStyle,
        }),
      );
  } else {
    series.push({
      type: 'scatter',
      name: input.name,
      data: Array.from({ length: count }, (_, i) => [points[i * 2], points[i * 2 + 1]]),
      itemStyle: { color: colorOf(0), opacity: 0.75 },
      ...pointStyle,
    });
  }
  const { x, y } = xyExtents(
    ...series.map((s) => ({ values: (s.data as [number, number][]).flat(), stride: 2 })),
  );
  return styleChart(
    {
      animation: false,
      title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
      // Labels (ten digits) wrap onto more legend rows rather than scroll out of sight.
      legend: { bottom: 0 },
      tooltip: scatterTooltip(input.axisNames, x, y),
      grid: { ...baseGrid, bottom: 56 },
      xAxis: {
        type: 'value',
        name: input.axisNames[0],
        nameLocation: 'middle',
        nameGap: 28,
        scale: true,
      },
      yAxis: { type: 'value', name: input.axisNames[1], scale: true },
      series,
    },
    { x: { extent: x }, y: { extent: y } },
  );
}

/** Ten well-separated colours for class labels (digits): Okabe–Ito, then four more. */
const labelPalette = [...palette, '#7f7f7f', '#8c564b', '#17becf', '#bcbd22'];
const labelColor = (i: number): string => labelPalette[i % labelPalette.length];

/** Counts in equal bins over [lo, hi] as bars (e.g. an RBM's hidden-unit probabilities). */
export function histogramOption(input: {
  title: string;
  xName: string;
  yName: string;
  counts: ArrayLike<number>;
  range: [number, number];
}): EChartsOption {
  const [lo, hi] = input.range;
  const n = input.counts.length;
  const width = (hi - lo) / n;
  const centre = (i: number) => formatValue(lo + (i + 0.5) * width, { span: hi - lo, fixed: true });
  return styleChart(
    {
      animation: false,
      title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: tooltipFor(
        'axis',
        { name: input.xName, format: (v) => formatValue(v, { span: hi - lo }) },
        { format: (v) => formatValue(v, { integer: true }) },
      ),
      grid: baseGrid,
      xAxis: {
        type: 'category',
        name: input.xName,
        nameLocation: 'middle',
        nameGap: 28,
        data: Array.from({ length: n }, (_, i) => centre(i)),
      },
      yAxis: { type: 'value', name: input.yName },
      series: [{ type: 'bar', barCategoryGap: '5%', data: Array.from(input.counts) }],
    },
    { y: { extent: extentOf([0], input.counts), integer: true } },
  );
}
