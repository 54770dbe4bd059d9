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

  /** From the first point, or on from a first page read already. */
  constructor(
    private readonly store: Store,
    private readonly runId: number,
    private readonly key: string,
    first?: ReturnType<Store['metricPage']>,
  ) {
    this.page = first ?? store.metricPage(runId, key, -Infinity, PAGE);
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
    if (this.i < this.page.steps.length || this.page.steps.length === 0) return;
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
  /** Each drawn point's wall time (ms from the run's start). */
  wallMs: Float64Array;
}

/** Points read before the event loop turns (a host serving others while it exports). */
const POINTS_PER_TURN = 2 * PAGE;

/**
 * Each metric of a run as drawn — at most `maxPoints` points each — read a page at a time; the
 * event loop turns between pages.
 */
export async function drawnSeries(
  store: Store,
  runId: number,
  maxPoints = MAX_DRAWN_POINTS,
): Promise<DrawnSeries[]> {
  const out: DrawnSeries[] = [];
  for (const { key, minStep, maxStep } of store.metricExtents(runId)) {
    const head = store.metricPage(runId, key, -Infinity, maxPoints + 1);
    if (head.steps.length <= maxPoints) {
      out.push({ key, count: head.steps.length, ...head });
      continue;
    }
    const buckets = new MinMaxBuckets(minStep, maxStep, Math.floor(maxPoints / 2) - 1);
    const cursor = new MetricCursor(store, runId, key, head);
    let count = 0;
    for (; cursor.step !== Infinity; cursor.advance()) {
      buckets.add(cursor.step, cursor.value, cursor.wallMs);
      if (++count % POINTS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const { steps, values, carried } = buckets.result();
    out.push({ key, count, steps, values, wallMs: carried });
  }
  return out;
}
