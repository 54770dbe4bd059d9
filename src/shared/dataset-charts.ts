/**
 * The data set page's charts: a column's histogram, and a scatter matrix of a few columns whose
 * points may be coloured by the table's labels. Text comes in already translated (`label`).
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import type { ColumnSummary, TableOverview } from './api';
import { palette, pairGrid, type Label } from './charts';
import { styleChart } from './chart-style';

/** Labels with their own colour at most; the rest share one grey as "other". */
export const MAX_LABEL_COLOURS = 10;
/** Up to this many columns in a scatter matrix. */
export const MAX_MATRIX_COLUMNS = 5;
/** Okabe–Ito, then brown and olive: no grey, which is "other"'s. */
const labelColours = [...palette, '#8c564b', '#bcbd22'];
const OTHER_COLOUR = '#a9b0bb';
/** Rows without a label: hollow grey rings, unlike any filled group. */
const NO_LABEL_COLOUR = '#7f7f7f';

/** One bar per bin, the bins' edges on a value axis; the tooltip gives each bin's range and count. */
export function columnHistogramOption(input: {
  histogram: NonNullable<ColumnSummary['histogram']>;
  label: Label;
  /** How a number reads in the tooltip. */
  format(v: number): string;
}): EChartsOption {
  const { edges, counts } = input.histogram;
  return styleChart(
    {
      animation: false,
      grid: { left: 8, right: 16, top: 12, bottom: 4, containLabel: true },
      tooltip: {
        trigger: 'item',
        formatter: (p) => {
          const i = (p as { dataIndex: number }).dataIndex;
          return input.label('dataset.bin', {
            from: input.format(edges[i]),
            to: input.format(edges[i + 1]),
            n: counts[i],
          });
        },
      },
      xAxis: {
        type: 'value',
        min: edges[0],
        max: edges[edges.length - 1],
        // The edges themselves would print with every digit; the round ticks between them remain.
        axisLabel: { fontSize: 10, showMinLabel: false, showMaxLabel: false, hideOverlap: true },
        splitLine: { show: false },
      },
      // At the left edge, not across the bars where x = 0.
      yAxis: {
        type: 'value',
        minInterval: 1,
        axisLabel: { fontSize: 10 },
        axisLine: { onZero: false },
      },
      series: [
        {
          type: 'custom',
          name: input.label('dataset.binCount'),
          // A rectangle from edge to edge, so bars meet whatever the bins' number and the width.
          renderItem: (_params, api) => {
            const i = api.value(0) as number;
            const [x0, y0] = api.coord([edges[i], counts[i]]);
            const [x1, y1] = api.coord([edges[i + 1], 0]);
            return {
              type: 'rect',
              shape: { x: x0, y: y0, width: Math.max(1, x1 - x0 - 1), height: y1 - y0 },
              style: { fill: '#56B4E9' },
            };
          },
          encode: { x: [1, 2], y: 3 },
          data: counts.map((c, i) => [i, edges[i], edges[i + 1], c]),
        },
      ],
    },
    {
      x: { extent: [edges[0], edges[edges.length - 1]] },
      y: { extent: [0, Math.max(1, ...counts)], integer: true },
    },
  );
}

/** How the points of a scatter matrix are coloured: a group per label, capped honestly. */
export interface LabelGroups {
  /** Per sample row, its group (index into `names`). */
  group: Int32Array;
  /** The groups' legend names and colours, in legend order. */
  names: string[];
  colours: string[];
  /** Whether some sampled row falls in each group (the legend lists only those). */
  inSample: boolean[];
  /** The label names that have a colour of their own, out of how many. */
  shown: number;
  total: number;
}

/**
 * Groups of the sample's rows by label: the MAX_LABEL_COLOURS most frequent labels of the whole
 * table (ties by name order) each with its colour, then "other" (grey) for the rest and "no label"
 * (light grey) for rows without one, each only when some sampled row falls in it. A label keeps
 * its colour whichever columns are drawn.
 */
export function labelGroups(
  overview: Pick<TableOverview, 'labels' | 'sample'>,
  label: Label,
): LabelGroups | null {
  const labels = overview.labels;
  const codes = overview.sample.labels;
  if (!labels || !codes) return null;
  const byCount = labels.names
    .map((_, code) => code)
    .sort((a, b) => labels.counts[b] - labels.counts[a] || a - b);
  const capped = byCount.length > MAX_LABEL_COLOURS;
  const coloured = capped ? byCount.slice(0, MAX_LABEL_COLOURS) : byCount;
  const groupOfCode = new Int32Array(labels.names.length).fill(coloured.length);
  coloured.forEach((code, g) => (groupOfCode[code] = g));
  const none = coloured.length + 1;
  const group = codes.map((c) => (c >= 0 && c < groupOfCode.length ? groupOfCode[c] : none));
  const names = coloured.map((code) => labels.names[code]);
  const colours = coloured.map((_, g) => labelColours[g]);
  names.push(label('dataset.otherLabels', { n: byCount.length - coloured.length }));
  colours.push(OTHER_COLOUR);
  names.push(label('dataset.noLabel'));
  colours.push(NO_LABEL_COLOUR);
  const present = new Set(group);
  const inSample = names.map((_, g) => present.has(g));
  return { group, names, colours, inSample, shown: coloured.length, total: byCount.length };
}

/**
 * A scatter matrix (lower triangle, see pairGrid) of `columns` (indices into the sample's columns,
 * 2 to MAX_MATRIX_COLUMNS) over the sample's rows, one series per cell and group so the legend
 * shows each group once in the colour its points have. A row missing either value is left out of
 * that cell.
 */
export function scatterMatrixOption(input: {
  sample: { values: Float64Array; rows: Int32Array };
  cols: number;
  names: readonly string[];
  columns: number[];
  groups: LabelGroups | null;
  label: Label;
}): EChartsOption {
  const { values, rows } = input.sample;
  const { cols, columns, groups } = input;
  const layout = pairGrid(
    columns.map((c) => input.names[c]),
    // Room below for the axis names and a legend of up to two lines.
    { top: 3, height: groups ? 90 : 95 },
  );
  const names = groups?.names ?? [input.label('dataset.points')];
  const colours = groups?.colours ?? [palette[0]];
  const series: SeriesOption[] = [];
  for (const { i, j, index } of layout.cells) {
    const x = columns[j];
    const y = columns[i];
    const data = names.map((): [number, number][] => []);
    for (let r = 0; r < rows.length; r++) {
      const vx = values[r * cols + x];
      const vy = values[r * cols + y];
      if (Number.isFinite(vx) && Number.isFinite(vy))
        data[groups ? groups.group[r] : 0].push([vx, vy]);
    }
    // Others and unlabelled rows first, so the coloured labels are drawn over them.
    const order = names.map((_, g) => g);
    if (groups) order.unshift(...order.splice(groups.shown));
    for (const g of order)
      if (!groups || groups.inSample[g])
        series.push({
          type: 'scatter',
          name: names[g],
          xAxisIndex: index,
          yAxisIndex: index,
          data: data[g],
          symbolSize: 4,
          // The last group is the rows without a label (see labelGroups).
          ...(groups && g === names.length - 1
            ? { symbol: 'emptyCircle', itemStyle: { color: colours[g], opacity: 0.6 } }
            : { itemStyle: { color: colours[g], opacity: 0.75 } }),
        });
  }
  return styleChart({
    animation: false,
    legend: groups
      ? { bottom: 0, left: 'center', itemGap: 10, data: names.filter((_, g) => groups.inSample[g]) }
      : { show: false },
    tooltip: { trigger: 'item' },
    grid: layout.grid,
    xAxis: layout.xAxis,
    yAxis: layout.yAxis,
    series,
  } as EChartsOption);
}
