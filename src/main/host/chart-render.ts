/**
 * Charts drawn without a browser, for export: ECharts renders an option to an SVG string
 * server-side (the same option builders the UI uses, so an exported chart is the chart the user
 * saw), and resvg rasterises that SVG to PNG.
 *
 * Fonts: ECharts writes `font-family: sans-serif` into the SVG; the SVG file leaves font choice
 * to whatever opens it. resvg has no fonts of its own, so it is given the system's
 * (`loadSystemFonts`): DejaVu / Liberation on most Linux systems, Arial / Helvetica on Windows
 * and macOS; when the generic `sans-serif` family (Arial by default) is absent resvg falls back
 * to the first family it found. On a system with no fonts installed at all (a bare container)
 * the PNGs are drawn without any text: lines, points and axes only. Exports use English labels,
 * which every common Latin font covers.
 */
import { Resvg, renderAsync, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as echarts from 'echarts';
import type { EChartsOption } from 'echarts';
import { fitLegend } from '../../shared/chart-style';

export interface ChartSize {
  width: number;
  height: number;
}

/** The default size of an exported chart (CSS pixels; the PNG is drawn at `pngScale` ×). */
export const chartSize: ChartSize = { width: 800, height: 450 };
/** PNGs are drawn at twice the SVG's size, crisp enough for slides and papers. */
export const pngScale = 2;

/**
 * Characters XML 1.0 does not allow (control characters, lone surrogates): a run named with one
 * would make the SVG unreadable to resvg and to every other reader. Shown as U+FFFD instead.
 */
const notXml =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** An ECharts option as an SVG document. The chart instance is always disposed. */
export function renderSvg(option: EChartsOption, size: ChartSize = chartSize): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: size.width,
    height: size.height,
  });
  try {
    // No animation in a still image, whatever the option says; an opaque white background, or
    // a dark viewer shows black text on black; the legend fitted to the image's width.
    chart.setOption({
      ...fitLegend(option, size.width),
      animation: false,
      backgroundColor: '#ffffff',
    });
    return chart.renderToSVGString().replace(notXml, '\uFFFD');
  } finally {
    chart.dispose();
  }
}

const resvgOptions = (scale: number): ResvgRenderOptions => ({
  background: 'white',
  fitTo: { mode: 'zoom', value: scale },
  font: { loadSystemFonts: true },
  logLevel: 'off',
});

const bytes = (png: Buffer): Uint8Array =>
  new Uint8Array(png.buffer, png.byteOffset, png.byteLength);

/** An SVG rasterised to PNG on a white background, `scale` times its own size. */
export function svgToPng(svg: string, scale = pngScale): Uint8Array {
  return bytes(new Resvg(svg, resvgOptions(scale)).render().asPng());
}

/**
 * The same off the main thread (resvg's own worker pool): the host stays responsive while an
 * export with many charts is drawn, and the charts rasterise in parallel.
 */
export async function svgToPngAsync(svg: string, scale = pngScale): Promise<Uint8Array> {
  return bytes((await renderAsync(svg, resvgOptions(scale))).asPng());
}

/** Both formats of one chart. */
export function renderChart(
  option: EChartsOption,
  size: ChartSize = chartSize,
): { svg: string; png: Uint8Array; size: ChartSize } {
  const svg = renderSvg(option, size);
  return { svg, png: svgToPng(svg), size };
}
