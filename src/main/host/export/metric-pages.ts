/**
 * A run's metrics read from the store a page at a time, for an export: metrics.csv's rows merged
 * by step, and each metric as its charts draw it (thinned to a few thousand points). So an export
 * of a run with millions of points never holds them all.
 */
import { MAX_DRAWN_POINTS, MinMaxBuckets } from '../../../shared/downsample';
import type { Store } from '../store';
import { mergeByStep, type MetricRowSource, type PointCursor } from './metrics-csv';

/** Points per page read from the store. */
const PAGE = 8192;

/** One metric of a run, read forward a page at a time. */
class MetricCursor implements PointCursor {
  private page: ReturnType<Store['metricPage']>;
  private i = 0;

  constructor(
    private readonly store: Store,
    private readonly runId: number,
    private readonly key: string,
  ) {
    this.page = store.metricPage(runId, key, -Infinity, PAGE);
  }

  /** The step of the current point (Infinity past the last). */
  get step(): number {
    return this.i < this.page.steps.length ? this.page.steps[this.i] : Infinity;
  }
  get value(): number {
    return this.page.values[this.i];
  }
  get wallMs(): number {
    return this.page.wallMs[this.i];
  }

  advance(): void {
    this.i++;
    if (this.i < this.page.steps.length || this.page.steps.length < PAGE) return;
    const after = this.page.steps[this.page.steps.length - 1];
    this.page = this.store.metricPage(this.runId, this.key, after, PAGE);
    this.i = 0;
  }
}

/** The run's metrics merged by step, read from the store (metrics.csv's rows). */
export function storeRows(store: Store, runId: number, keys: string[]): MetricRowSource {
  return () => mergeByStep(keys.map((key) => new MetricCursor(store, runId, key)));
}

/** A metric as its charts draw it: every point when there are few, else thinned. */
export interface DrawnSeries {
  key: string;
  /** How many points the metric has (the drawn ones may be fewer). */
  count: number;
  steps: Float64Array;
  values: Float64Array;
}

/** Each metric of a run as drawn, read a page at a time. */
export function drawnSeries(store: Store, runId: number): DrawnSeries[] {
  return store.metricKeys(runId).map(({ key, count, minStep, maxStep }) => {
    if (count <= MAX_DRAWN_POINTS) {
      const { steps, values } = store.metricPage(runId, key, -Infinity, count);
      return { key, count, steps, values };
    }
    const buckets = new MinMaxBuckets(minStep, maxStep);
    const cursor = new MetricCursor(store, runId, key);
    for (; cursor.step !== Infinity; cursor.advance()) buckets.add(cursor.step, cursor.value);
    return { key, count, ...buckets.result() };
  });
}
