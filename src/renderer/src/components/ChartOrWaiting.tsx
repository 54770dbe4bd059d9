import type { ComponentProps } from 'react';
import { EChart } from './EChart';

/**
 * A chart, or before its first point the sentence saying what it waits for (the first epoch, the
 * first read-back) in its place: empty axes look like a run doing nothing.
 */
export function ChartOrWaiting({
  ready,
  waiting,
  ...chart
}: ComponentProps<typeof EChart> & { ready: boolean; waiting: string }) {
  if (ready) return <EChart {...chart} />;
  return (
    <div
      className="chart-waiting"
      style={{ height: chart.height ?? 360 }}
      role="status"
      data-testid={`${chart.testId ?? 'chart'}-waiting`}
    >
      {waiting}
    </div>
  );
}
