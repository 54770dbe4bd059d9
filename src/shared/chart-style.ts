/**
 * The one chart style every chart goes through (issue 20): colours and marker shapes, numbers
 * formatted from the data's range, legends built from the series themselves, tooltips that show
 * every coordinate, and a legend that never hides the axis name or its own entries. Option
 * builders call `styleChart` last; the chart component and the export call `fitLegend` with the
 * width they draw at.
 */
import type { EChartsOption, SeriesOption } from 'echarts';

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

/**
 * Marker shapes, one per round of the palette: with eight colours and eight shapes, 64 components
 * are 64 different markers. The last four are outlines drawn as paths (they stay outlines in
 * ECharts' large mode, where `emptyCircle` would not).
 */
export const markers = [
  'circle',
  'triangle',
  'rect',
  'diamond',
  'path://M5,0 L6.5,3.5 L10,3.8 L7.3,6.2 L8.1,10 L5,8 L1.9,10 L2.7,6.2 L0,3.8 L3.5,3.5 Z',
  'path://M3.5,0 L6.5,0 L6.5,3.5 L10,3.5 L10,6.5 L6.5,6.5 L6.5,10 L3.5,10 L3.5,6.5 L0,6.5 L0,3.5 L3.5,3.5 Z',
  'path://M2.5,0 L7.5,0 L10,5 L7.5,10 L2.5,10 L0,5 Z',
  'path://M5,10 L0,0 L10,0 Z',
];
/** The marker of the i-th component: it changes when the palette wraps around. */
export const markerOf = (i: number): string =>
  markers[Math.floor(i / palette.length) % markers.length];

// ---- Numbers ----

/** Decimals that resolve `resolution` (0.01 → 2), at most 10. */
function decimalsFor(resolution: number): number {
  if (!(resolution > 0) || !Number.isFinite(resolution)) return 0;
  return Math.min(10, Math.max(0, -Math.floor(Math.log10(resolution) + 1e-9)));
}

const grouped = (v: number, decimals: number) =>
  v.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    useGrouping: Math.abs(v) >= 1e4,
  });

const trimZeros = (s: string) => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);

export interface NumberStyle {
  /** The range of the values shown together (an axis', a column's): the precision follows it. */
  span?: number;
  /** Counts, iterations, epochs: whole numbers. */
  integer?: boolean;
  /** Keep trailing zeros, so a column of values lines up ("1.000", "0.250"). */
  fixed?: boolean;
}

/**
 * A number for people: a thousandth of its span (of its own size without one), whole numbers
 * whole, grouping from 10,000, exponent form for the tiny and the huge; — for NaN.
 */
export function formatValue(v: number, style: NumberStyle = {}): string {
  if (Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (style.integer) return grouped(Math.round(v), 0);
  if (Number.isInteger(v) && !style.fixed && Math.abs(v) < 1e15) return grouped(v, 0);
  const size = Math.abs(v);
  const scale = style.span !== undefined && style.span > 0 ? style.span : size;
  if (size >= 1e9 || (scale > 0 && scale < 1e-6)) {
    const [mantissa, exponent] = v.toExponential(3).split('e');
    return `${trimZeros(mantissa)}e${Number(exponent)}`;
  }
  const s = grouped(v, decimalsFor(scale / 1000));
  return style.fixed ? s : trimZeros(s);
}

/** The tick step ECharts picks for a span: a fifth of it, rounded to 1, 2, 3 or 5 × 10ⁿ. */
export function tickStep(span: number): number {
  const raw = span / 5;
  const unit = 10 ** Math.floor(Math.log10(raw));
  const f = raw / unit;
  return unit * (f < 1.5 ? 1 : f < 2.5 ? 2 : f < 4 ? 3 : f < 7.5 ? 5 : 10);
}

/** The finite extent of some values, or null when there are none. */
export function extentOf(...lists: ArrayLike<number>[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of lists)
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * An axis' tick formatter from the data's extent: every tick at the decimals of the tick step
 * ECharts picks (1, 2, 3 or 5 × 10ⁿ, about a fifth of the span), so −4.20 and −4.22 read alike;
 * a label between ticks (a bound taken from the data) gets one decimal more, never seven.
 */
export function formatAxis(
  extent: [number, number] | null,
  style: { integer?: boolean } = {},
): (v: number) => string {
  const span = extent ? extent[1] - extent[0] : 0;
  const size = extent ? Math.max(Math.abs(extent[0]), Math.abs(extent[1])) : 0;
  const decimals = style.integer ? 0 : decimalsFor(tickStep(span > 0 ? span : size || 1));
  return (v) => {
    if (!Number.isFinite(v)) return formatValue(v);
    if (Math.abs(v) >= 1e9 || (size > 0 && size < 1e-6)) return formatValue(v, { span });
    const onTick = Math.abs(v - Number(v.toFixed(decimals))) <= 1e-9 * Math.max(1, Math.abs(v));
    // An iteration axis has no tick at 1.5: it would print as a second "2".
    if (style.integer && !onTick) return '';
    const s = grouped(v, onTick ? decimals : decimals + 1);
    return s.replace(/^-(0\.?0*)$/, '$1'); // no "-0.0"
  };
}

// ---- Legends, colours, tooltips ----

type AnySeries = SeriesOption & {
  name?: string;
  color?: unknown;
  symbol?: unknown;
  itemStyle?: { color?: unknown; opacity?: number };
  lineStyle?: { color?: unknown; type?: unknown };
  data?: unknown;
  showSymbol?: boolean;
};

/** A series' own colour: item colour, else line colour, else its `color`. */
export function seriesColour(s: SeriesOption): string | undefined {
  const a = s as AnySeries;
  const c = a.itemStyle?.color ?? a.lineStyle?.color ?? a.color;
  return typeof c === 'string' ? c : undefined;
}

/** Whether the points of a series carry colours of their own (a legend entry could not be true). */
function colouredPerPoint(s: SeriesOption): boolean {
  const data = (s as AnySeries).data;
  return (
    Array.isArray(data) &&
    data.some(
      (d) =>
        typeof d === 'object' &&
        d !== null &&
        !Array.isArray(d) &&
        (d as { itemStyle?: { color?: unknown } }).itemStyle?.color !== undefined,
    )
  );
}

/** A short stroke, the legend icon of arrows (a `lines` series). */
const LINE_ICON = 'path://M0,4 L24,4 L24,6 L0,6 Z';

export interface LegendEntry {
  name: string;
  icon?: string;
  itemStyle: { color: string; opacity: number; borderWidth: number };
  lineStyle: { color: string; opacity: number };
}

/**
 * Legend entries from the series themselves, one per name in series order, in the colour and
 * marker of the series' points (full opacity: a warm-up's faint dots still name the chain's
 * colour). Series coloured per point, by a visual map or not at all have no entry: their key is
 * elsewhere (the colour scale, the components' entries).
 */
export function legendFromSeries(
  series: readonly SeriesOption[],
  skip: ReadonlySet<number> = new Set(),
): LegendEntry[] {
  const seen = new Set<string>();
  const entries: LegendEntry[] = [];
  series.forEach((s, i) => {
    const a = s as AnySeries;
    const colour = seriesColour(s);
    if (!a.name || seen.has(a.name) || skip.has(i) || !colour || colouredPerPoint(s)) return;
    seen.add(a.name);
    const symbol = typeof a.symbol === 'string' ? a.symbol : undefined;
    const icon =
      s.type === 'scatter'
        ? (symbol ?? 'circle')
        : s.type === 'bar' || s.type === 'custom'
          ? 'rect'
          : s.type === 'lines'
            ? LINE_ICON // not ECharts' block
            : undefined; // a line series keeps ECharts' line icon, drawn in the same colour
    entries.push({
      name: a.name,
      ...(icon ? { icon } : {}),
      // No border: a marker's white rim would swallow a small legend icon (a cross).
      itemStyle: { color: colour, opacity: 1, borderWidth: 0 },
      lineStyle: { color: colour, opacity: 1 },
    });
  });
  return entries;
}

/** Above this many entries a legend becomes a scrolling list at the chart's right. */
export const MAX_LEGEND_ROW_ENTRIES = 10;
/** Width kept for a legend list at the right. */
const SIDE_LEGEND_WIDTH = 150;

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

interface TooltipParam {
  seriesName?: string;
  marker?: string;
  value?: unknown;
  data?: unknown;
  axisValue?: unknown;
}

const pointOf = (p: TooltipParam): number[] | null => {
  const v = Array.isArray(p.value)
    ? p.value
    : p.data && typeof p.data === 'object' && 'value' in p.data
      ? (p.data as { value: unknown }).value
      : p.value;
  return Array.isArray(v) ? (v as number[]) : typeof v === 'number' ? [v] : null;
};

export interface AxisFormat {
  name?: string;
  format: (v: number) => string;
}

/**
 * Tooltips that show every coordinate, each formatted like its axis: a point of a scatter gives x
 * and y (and a third value, e.g. an uncertainty, when `third` names it), a line chart's tooltip
 * the step and each series' value.
 */
export function tooltipFor(
  trigger: 'item' | 'axis',
  x: AxisFormat,
  y: AxisFormat,
  third?: AxisFormat,
): EChartsOption['tooltip'] {
  const line = (name: string | undefined, value: string) =>
    `${name ? `${escapeHtml(name)}: ` : ''}<b>${value}</b>`;
  if (trigger === 'axis')
    return {
      trigger: 'axis',
      formatter: (raw: unknown) => {
        const list = (Array.isArray(raw) ? raw : [raw]) as TooltipParam[];
        if (!list.length) return '';
        const at = list[0].axisValue;
        // A category axis' value is its label already.
        const head = line(x.name, typeof at === 'number' ? x.format(at) : escapeHtml(String(at)));
        const rows = list.map((p) => {
          const pt = pointOf(p);
          const v = pt ? pt[pt.length - 1] : NaN;
          return `${p.marker ?? ''}${line(p.seriesName, y.format(v))}`;
        });
        return [head, ...rows].join('<br/>');
      },
    };
  return {
    trigger: 'item',
    formatter: (raw: unknown) => {
      const p = raw as TooltipParam;
      const pt = pointOf(p);
      const rows = [`${p.marker ?? ''}${escapeHtml(p.seriesName ?? '')}`];
      if (pt && pt.length >= 2) {
        rows.push(line(x.name, x.format(pt[0])), line(y.name, y.format(pt[1])));
        if (third && pt.length >= 3) rows.push(line(third.name, third.format(pt[2])));
      } else if (pt) rows.push(line(y.name, y.format(pt[0])));
      return rows.join('<br/>');
    },
  };
}

type Axis = Record<string, unknown>;
const axesOf = (a: unknown): Axis[] =>
  (Array.isArray(a) ? a : a ? [a] : []).filter((x): x is Axis => typeof x === 'object');

/**
 * The finishing pass every builder's option goes through: each series gets an explicit colour
 * (ECharts' own palette is not ours), the legend is built from the series (entries skip the
 * series in `legendSkip`), a long legend becomes a list at the right, value axes get formatters
 * from the data's extents and hide labels that would overlap.
 */
export function styleChart(
  option: EChartsOption,
  opts: {
    x?: { extent: [number, number] | null; integer?: boolean };
    y?: { extent: [number, number] | null; integer?: boolean };
    legendSkip?: ReadonlySet<number>;
  } = {},
): EChartsOption {
  // A heat map (custom) draws its own colours; the rest get ours where they have none.
  // Set on the series itself, so its symbols and lines are drawn in the colour its legend shows.
  const series = (Array.isArray(option.series) ? option.series : []).map((s, i) =>
    s.type === 'custom' ? s : ({ ...s, color: seriesColour(s) ?? colorOf(i) } as SeriesOption),
  );
  const out: EChartsOption = { ...option, series };
  for (const [key, style] of [
    ['xAxis', opts.x],
    ['yAxis', opts.y],
  ] as const) {
    const axes = axesOf(option[key]).map((axis) => {
      if (axis.type !== 'value' && axis.type !== undefined) return axis;
      const label = (axis.axisLabel ?? {}) as Record<string, unknown>;
      return {
        ...axis,
        axisLabel: {
          hideOverlap: true,
          ...(style && !label.formatter ? { formatter: formatAxis(style.extent, style) } : {}),
          ...label,
        },
      };
    });
    if (axes.length) out[key] = (Array.isArray(option[key]) ? axes : axes[0]) as never;
  }
  const legend = option.legend as Record<string, unknown> | undefined;
  if (legend && legend.show !== false) {
    // A builder's own list of names sets the order (and which names have an entry).
    const order = Array.isArray(legend.data)
      ? (legend.data as unknown[]).filter((n): n is string => typeof n === 'string')
      : null;
    const built = legendFromSeries(series, opts.legendSkip);
    const data = order ? order.flatMap((n) => built.filter((e) => e.name === n)) : built;
    // A grid of cells (pairs) cannot give up its right side: there a long legend is one
    // scrolling row below, so it never wraps up over the cells.
    if (data.length > MAX_LEGEND_ROW_ENTRIES && Array.isArray(option.grid))
      out.legend = { type: 'scroll', orient: 'horizontal', bottom: 0, left: 'center', data };
    else if (data.length > MAX_LEGEND_ROW_ENTRIES) {
      out.legend = {
        type: 'scroll',
        orient: 'vertical',
        right: 0,
        top: 48,
        bottom: 16,
        width: SIDE_LEGEND_WIDTH - 10,
        textStyle: { width: SIDE_LEGEND_WIDTH - 40, overflow: 'truncate' },
        data,
      };
      const grid = option.grid as Record<string, unknown> | undefined;
      if (grid && !Array.isArray(grid)) out.grid = { ...grid, right: SIDE_LEGEND_WIDTH };
    } else out.legend = { bottom: 0, left: 'center', itemGap: 10, ...legend, data };
  }
  return out;
}

/** About how wide a legend text is drawn at 12 px: CJK characters are twice a Latin letter. */
function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 12 : 7;
  return w;
}

/** A legend row's height (14 px icon + 10 px gap). */
const LEGEND_ROW = 24;

/**
 * How many rows a horizontal legend wraps onto at `width` px (as ECharts lays it out: icon 25 px,
 * 5 px to the text, `itemGap` between entries).
 */
export function legendRows(names: readonly string[], width: number, itemGap = 10): number {
  const room = width - 10;
  let rows = names.length ? 1 : 0;
  let x = 0;
  for (const n of names) {
    const w = 25 + 5 + textWidth(n);
    if (x > 0 && x + w > room) {
      rows++;
      x = 0;
    }
    x += w + itemGap;
  }
  return rows;
}

/**
 * The option fitted to the width it is drawn at: a legend at the bottom that wraps onto more rows
 * pushes the plot up by as many rows, so the entries never cover the x axis' name and none is
 * paged out of sight.
 */
export function fitLegend(option: EChartsOption, width: number): EChartsOption {
  const legend = option.legend as
    | { data?: (string | { name: string })[]; bottom?: unknown; orient?: string; itemGap?: number }
    | undefined;
  const grid = option.grid as Record<string, unknown> | undefined;
  if (!legend?.data || legend.orient === 'vertical' || legend.bottom === undefined) return option;
  if (!grid || Array.isArray(grid) || typeof grid.bottom !== 'number') return option;
  const names = legend.data.map((d) => (typeof d === 'string' ? d : d.name));
  const extra = Math.max(0, legendRows(names, width, legend.itemGap) - 1) * LEGEND_ROW;
  return extra ? { ...option, grid: { ...grid, bottom: grid.bottom + extra } } : option;
}

/**
 * Round bounds around [lo, hi], as an axis would pick them (a step of 1, 2 or 5 × 10ⁿ, about a
 * fifth of the span): a view set to them shows all of the data and ends on ticks.
 */
export function niceBounds(lo: number, hi: number): [number, number] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }
  const raw = (hi - lo) / 5;
  const unit = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * unit).find((s) => s >= raw * (1 - 1e-9))!;
  const round = (v: number) => Number(v.toPrecision(12));
  return [round(Math.floor(lo / step) * step), round(Math.ceil(hi / step) * step)];
}

/**
 * Whether an axis with bounds that are not on its ticks should print them: a bound printed next
 * to a tick a few pixels away overlaps it (−4.5 beside −4), so only round bounds are labelled.
 */
export function boundLabels(
  lo: number,
  hi: number,
): { showMinLabel: boolean; showMaxLabel: boolean } {
  if (!(hi > lo)) return { showMinLabel: true, showMaxLabel: true };
  const step = tickStep(hi - lo);
  const onTick = (v: number) => Math.abs(v / step - Math.round(v / step)) < 1e-6;
  return { showMinLabel: onTick(lo), showMaxLabel: onTick(hi) };
}

/**
 * Whether an axis that starts at the data's first value (`dataMin`) should print it: not when the
 * first round tick is less than half a step away (a "50" beside a "60").
 */
export function showDataMin(lo: number, hi: number): boolean {
  if (!(hi > lo)) return true;
  const step = tickStep(hi - lo);
  const gap = (Math.ceil(lo / step - 1e-9) * step - lo) / step;
  return gap < 1e-9 || gap >= 0.5;
}

/** The x and y extents of points stored interleaved (x, y first in every `stride` values). */
export function xyExtents(...lists: { values: ArrayLike<number>; stride: number }[]): {
  x: [number, number] | null;
  y: [number, number] | null;
} {
  const column = (offset: number) =>
    lists.map(({ values, stride }) =>
      Float64Array.from({ length: Math.floor(values.length / stride) }, (_, i) =>
        Number(values[i * stride + offset]),
      ),
    );
  return { x: extentOf(...column(0)), y: extentOf(...column(1)) };
}

/** A scatter's tooltip: the point's series, x and y, each to a thousandth of its axis' extent. */
export function scatterTooltip(
  names: readonly [string, string],
  x: [number, number] | null,
  y: [number, number] | null,
  third?: AxisFormat,
): EChartsOption['tooltip'] {
  const axis = (name: string, e: [number, number] | null): AxisFormat => ({
    name,
    format: (v) => formatValue(v, { span: e ? e[1] - e[0] : undefined }),
  });
  return tooltipFor('item', axis(names[0], x), axis(names[1], y), third);
}
