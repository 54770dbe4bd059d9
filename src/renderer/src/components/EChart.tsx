import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, CustomChart, LineChart, LinesChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  MarkAreaComponent,
  MarkLineComponent,
  MarkPointComponent,
  VisualMapComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';
import { fitLegend } from '../../../shared/chart-style';

echarts.use([
  LineChart,
  LinesChart,
  ScatterChart,
  BarChart,
  CustomChart,
  GridComponent,
  MarkAreaComponent,
  MarkLineComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  MarkPointComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

// The end-to-end tests read each chart's option and drawn colours from its instance.
(globalThis as { echartsInstanceOf?: typeof echarts.getInstanceByDom }).echartsInstanceOf =
  echarts.getInstanceByDom;

/**
 * Draws an option, fitted to the chart's width (a legend that wraps makes room for itself). However often the option changes, it redraws at most once per animation frame
 * and at most once per `minIntervalMs` (a heavy chart can ask for fewer redraws while streaming).
 */
export function EChart({
  option,
  height = 360,
  testId,
  minIntervalMs = 0,
}: {
  option: EChartsOption;
  height?: number;
  testId?: string;
  minIntervalMs?: number;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const frame = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastDraw = useRef(0);
  const shown = useRef<EChartsOption | null>(null);
  useEffect(() => {
    const c = echarts.init(el.current!, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => {
      c.resize();
      // A new width can wrap the legend onto more or fewer rows.
      if (shown.current) c.setOption(fitLegend(shown.current, c.getWidth()), { notMerge: true });
    });
    ro.observe(el.current!);
    return () => {
      ro.disconnect();
      cancelAnimationFrame(frame.current);
      clearTimeout(timer.current);
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    cancelAnimationFrame(frame.current);
    clearTimeout(timer.current);
    const draw = () =>
      (frame.current = requestAnimationFrame(() => {
        lastDraw.current = performance.now();
        const c = chart.current;
        if (!c) return;
        shown.current = option;
        c.setOption(fitLegend(option, c.getWidth()), { notMerge: true, lazyUpdate: true });
        // Tests and benchmarks read when a chart has actually drawn what it was given.
        c.off('finished');
        c.on('finished', () => el.current?.setAttribute('data-drawn', String(performance.now())));
      }));
    const wait = lastDraw.current + minIntervalMs - performance.now();
    if (wait > 0) timer.current = setTimeout(draw, wait);
    else draw();
  }, [option, minIntervalMs]);
  return <div ref={el} className="chart" style={{ height }} data-testid={testId} />;
}
