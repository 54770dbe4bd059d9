/** The toy's views: its run panel (the walk's position per step) and its picture on the compare page. */
import { useMemo } from 'react';
import { metricLineOption } from '../../src/shared/charts';
import { algorithmViews } from '../../src/renderer/src/algorithms';
import type {
  AlgorithmView,
  CompareViewProps,
  RunPanelProps,
} from '../../src/renderer/src/algorithms/types';
import { EChart } from '../../src/renderer/src/components/EChart';
import { TOY } from './spec';

function ToyPanel({ run, metrics }: RunPanelProps) {
  const series = metrics.get('position');
  const option = useMemo(() => {
    const steps = [...(series?.keys() ?? [])].sort((a, b) => a - b);
    return metricLineOption({
      title: 'Random walk',
      xName: 'step',
      yName: 'position',
      series: [{ name: 'position', steps, values: steps.map((s) => series!.get(s)!) }],
    });
  }, [series]);
  return (
    <section className="card" data-testid="toy-panel">
      <EChart option={option} testId="toy-chart" />
      <p className="muted" data-testid="toy-steps">
        {run.name}: {series?.size ?? 0} steps
      </p>
    </section>
  );
}

function ToyCompare({ artifact, title }: CompareViewProps) {
  const xy = artifact.data as Float32Array;
  return (
    <div data-testid="toy-compare">
      <p>{title}</p>
      <p data-testid="toy-compare-last">{xy[xy.length - 1].toFixed(3)}</p>
    </div>
  );
}

const toyView: AlgorithmView = {
  Panel: ToyPanel,
  summaryRows: ['finalPosition', 'steps'],
  phases: {},
  source: () => 'no data: a random walk',
  compare: { kind: 'points2d', View: ToyCompare },
};

export function registerToyView(): void {
  algorithmViews[TOY] = toyView;
}
