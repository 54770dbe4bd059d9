/**
 * ECharts option for a 2-D GAN's view: the discriminator's output as a heat map, the real sample
 * (grey) and the generated one on top, and optionally the direction the generator's loss pushes
 * each generated point. Pure, so live views and exports draw the same picture.
 */
import type { EChartsOption, SeriesOption } from 'echarts';
import type { GanFieldMeta } from './algorithms/gan';
import { colorOf } from './charts';
import { niceBounds, scatterTooltip, styleChart, xyExtents } from './chart-style';

/** D = 0 (sure it is fake) purple … 0.5 white … D = 1 (sure it is real) green, as GAN Lab. */
function heatColor(t: number): string {
  const c = Math.max(0, Math.min(1, t));
  const lo = [118, 42, 131];
  const mid = [247, 247, 247];
  const hi = [27, 120, 55];
  const [a, b, u] = c < 0.5 ? [lo, mid, c / 0.5] : [mid, hi, (c - 0.5) / 0.5];
  const mix = a.map((v, i) => Math.round(v + (b[i] - v) * u));
  return `rgb(${mix[0]},${mix[1]},${mix[2]})`;
}

interface RectApi {
  value(i: number): number;
  coord(p: [number, number]): number[];
}

export function ganViewOption(input: {
  title: string;
  axisNames: [string, string];
  field: { meta: GanFieldMeta; values: ArrayLike<number> } | null;
  /** Rows of x, y. */
  real: ArrayLike<number> | null;
  /** Rows of x, y, gx, gy. */
  generated: ArrayLike<number> | null;
  arrows: boolean;
  names: { field: string; real: string; generated: string; arrows: string };
}): EChartsOption {
  const series: SeriesOption[] = [];
  let bounds: GanFieldMeta['bounds'] | null = null;
  if (input.field) {
    const { meta, values } = input.field;
    bounds = meta.bounds;
    const [[x0, x1], [y0, y1]] = meta.bounds;
    const n = meta.size;
    const dx = (x1 - x0) / n;
    const dy = (y1 - y0) / n;
    // A critic's values have no fixed range: spread them over the colours.
    let lo = 0;
    let hi = 1;
    if (meta.scale === 'critic') {
      lo = Infinity;
      hi = -Infinity;
      for (let i = 0; i < values.length; i++) {
        lo = Math.min(lo, values[i]);
        hi = Math.max(hi, values[i]);
      }
      if (!(hi > lo)) hi = lo + 1;
    }
    const cells: [number, number, number][] = [];
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++)
        cells.push([x0 + (i + 0.5) * dx, y0 + (j + 0.5) * dy, values[j * n + i]]);
    series.push({
      type: 'custom',
      name: input.names.field,
      silent: true,
      z: 1,
      // All cells in one pass: progressive drawing would flicker as the view animates.
      progressive: 0,
      data: cells,
      renderItem: (_params: unknown, api: RectApi) => {
        const x = api.value(0);
        const y = api.value(1);
        const a = api.coord([x - dx / 2, y + dy / 2]);
        const b = api.coord([x + dx / 2, y - dy / 2]);
        return {
          type: 'rect',
          // Half a pixel of overlap: no hairline gaps between cells.
          shape: { x: a[0], y: a[1], width: b[0] - a[0] + 0.5, height: b[1] - a[1] + 0.5 },
          style: { fill: heatColor((api.value(2) - lo) / (hi - lo)) },
        };
      },
    } as unknown as SeriesOption);
  }
  const rows = (v: ArrayLike<number>, stride: number) =>
    Array.from({ length: Math.floor(v.length / stride) }, (_, i): [number, number] => [
      v[i * stride],
      v[i * stride + 1],
    ]);
  if (input.real)
    series.push({
      type: 'scatter',
      name: input.names.real,
      data: rows(input.real, 2),
      symbolSize: 4,
      itemStyle: { color: '#6b7075', opacity: 0.7 },
      z: 2,
    });
  if (input.generated) {
    series.push({
      type: 'scatter',
      name: input.names.generated,
      data: rows(input.generated, 4),
      symbolSize: 5,
      itemStyle: { color: colorOf(5), opacity: 0.85 },
      z: 3,
    });
    if (input.arrows) {
      const g = input.generated;
      series.push({
        type: 'lines',
        name: input.names.arrows,
        coordinateSystem: 'cartesian2d',
        silent: true,
        data: rows(g, 4).map(([x, y], i) => ({
          coords: [
            [x, y],
            [x + g[i * 4 + 2], y + g[i * 4 + 3]],
          ],
        })),
        symbol: ['none', 'arrow'],
        symbolSize: 5,
        lineStyle: { color: '#222', width: 1, opacity: 0.6 },
        z: 4,
      } as SeriesOption);
    }
  }
  // The view holds the field's box and every point: generated points that leave the box stay
  // in sight (the field is drawn where it was computed).
  const { x, y } = xyExtents(
    ...(bounds
      ? [{ values: [bounds[0][0], bounds[1][0], bounds[0][1], bounds[1][1]], stride: 2 }]
      : []),
    ...(input.real ? [{ values: input.real, stride: 2 }] : []),
    ...(input.generated ? [{ values: input.generated, stride: 4 }] : []),
  );
  // The field's own box while every point is inside it; round bounds around all once one leaves.
  const view = (e: [number, number] | null, box: [number, number] | undefined) =>
    !e ? [undefined, undefined] : box && e[0] >= box[0] && e[1] <= box[1] ? box : niceBounds(...e);
  const [x0, x1] = view(x, bounds?.[0]);
  const [y0, y1] = view(y, bounds?.[1]);
  return styleChart(
    {
      animation: false,
      title: { text: input.title, left: 'center', textStyle: { fontSize: 14 } },
      legend: { bottom: 0 },
      tooltip: scatterTooltip(input.axisNames, x, y),
      grid: { left: 56, right: 24, top: 48, bottom: 56, containLabel: true },
      xAxis: {
        type: 'value',
        name: input.axisNames[0],
        nameLocation: 'middle',
        nameGap: 28,
        min: x0,
        max: x1,
        axisLine: { onZero: false },
      },
      yAxis: {
        type: 'value',
        name: input.axisNames[1],
        min: y0,
        max: y1,
        axisLine: { onZero: false },
      },
      series,
    },
    {
      x: { extent: x0 === undefined ? null : [x0, x1!] },
      y: { extent: y0 === undefined ? null : [y0, y1!] },
    },
  );
}
