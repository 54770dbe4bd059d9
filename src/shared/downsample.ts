/**
 * Long metric series thinned for drawing, so a chart of ten million points costs what one of a
 * few thousand does (in the page and in an export alike). The x range is cut into buckets,
 * about one per pixel column of a chart, and each bucket keeps its lowest and its highest point
 * in x order: the drawn line has the same envelope and every spike, and differs from the full
 * line only inside a pixel column. The series' first and last points are kept too, so the drawn
 * line spans the same steps.
 *
 * `MinMaxBuckets` takes points one at a time in x order, so a series read in pages from the
 * store is thinned without ever being held whole.
 */

/** More points than this are thinned; fewer are drawn as they are. */
export const MAX_DRAWN_POINTS = 4000;

export interface ThinSeries {
  steps: Float64Array;
  values: Float64Array;
}

/** A point, with a value carried along that takes no part in the choosing (a wall time). */
type Point = [x: number, y: number, carried: number];

/**
 * Points are taken as numbers and made into arrays only when kept (no allocation per point:
 * millions go through here).
 */
export class MinMaxBuckets {
  private readonly kept: Point[] = [];
  private current = -1;
  private lowX = 0;
  private lowY = Infinity;
  private lowC = NaN;
  private highX = 0;
  private highY = -Infinity;
  private highC = NaN;
  /** The current bucket's first point whose value is NaN (a gap), when it has no number. */
  private gap: Point | null = null;
  private first: Point | null = null;
  private lastX = 0;
  private lastY = 0;
  private lastC = NaN;

  /** Points in [xMin, xMax], at most 2 × `buckets` + 2 kept. */
  constructor(
    private readonly xMin: number,
    private readonly xMax: number,
    private readonly buckets = MAX_DRAWN_POINTS / 2 - 1,
  ) {}

  add(x: number, y: number, carried = NaN): void {
    this.first ??= [x, y, carried];
    this.lastX = x;
    this.lastY = y;
    this.lastC = carried;
    const span = this.xMax - this.xMin;
    const at =
      span > 0
        ? Math.min(
            this.buckets - 1,
            Math.max(0, Math.floor(((x - this.xMin) / span) * this.buckets)),
          )
        : 0;
    if (at !== this.current) {
      this.flush();
      this.current = at;
    }
    if (Number.isNaN(y)) {
      this.gap ??= [x, y, carried];
      return;
    }
    if (y < this.lowY) {
      this.lowX = x;
      this.lowY = y;
      this.lowC = carried;
    }
    if (y > this.highY) {
      this.highX = x;
      this.highY = y;
      this.highC = carried;
    }
  }

  private flush(): void {
    if (this.lowY <= this.highY) {
      // Both extremes, in x order; one point when they are the same.
      const low: Point = [this.lowX, this.lowY, this.lowC];
      const high: Point = [this.highX, this.highY, this.highC];
      const [a, b] = low[0] <= high[0] ? [low, high] : [high, low];
      this.kept.push(a);
      if (a[0] !== b[0] || a[1] !== b[1]) this.kept.push(b);
    } else if (this.gap) {
      // A bucket of NaN only: keep the gap in the line.
      this.kept.push(this.gap);
    }
    this.lowY = Infinity;
    this.highY = -Infinity;
    this.gap = null;
  }

  result(): ThinSeries & { carried: Float64Array } {
    this.flush();
    this.current = -1;
    if (this.first && this.kept[0]?.[0] !== this.first[0]) this.kept.unshift(this.first);
    if (this.first && this.kept.at(-1)![0] !== this.lastX)
      this.kept.push([this.lastX, this.lastY, this.lastC]);
    return {
      steps: Float64Array.from(this.kept, (p) => p[0]),
      values: Float64Array.from(this.kept, (p) => p[1]),
      carried: Float64Array.from(this.kept, (p) => p[2]),
    };
  }
}

/** The series as drawn: itself when short, else thinned to at most `maxPoints` (x ascending). */
export function thinForDrawing(
  steps: ArrayLike<number>,
  values: ArrayLike<number>,
  maxPoints = MAX_DRAWN_POINTS,
): { steps: ArrayLike<number>; values: ArrayLike<number> } {
  const n = steps.length;
  if (n <= maxPoints) return { steps, values };
  let xMin = Infinity;
  let xMax = -Infinity;
  for (let i = 0; i < n; i++) {
    if (steps[i] < xMin) xMin = steps[i];
    if (steps[i] > xMax) xMax = steps[i];
  }
  const buckets = new MinMaxBuckets(xMin, xMax, Math.max(1, Math.floor(maxPoints / 2) - 1));
  for (let i = 0; i < n; i++) buckets.add(steps[i], values[i]);
  const { steps: thinSteps, values: thinValues } = buckets.result();
  return { steps: thinSteps, values: thinValues };
}
