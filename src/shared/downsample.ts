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

export class MinMaxBuckets {
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private current = -1;
  private minX = 0;
  private minY = Infinity;
  private maxX = 0;
  private maxY = -Infinity;
  /** The first x of the current bucket whose value is NaN (a gap), when it has no number. */
  private gapX: number | null = null;
  private first: [number, number] | null = null;
  private last: [number, number] = [0, 0];

  /** Points in [xMin, xMax], at most 2 × `buckets` + 2 kept. */
  constructor(
    private readonly xMin: number,
    private readonly xMax: number,
    private readonly buckets = MAX_DRAWN_POINTS / 2 - 1,
  ) {}

  add(x: number, y: number): void {
    this.first ??= [x, y];
    this.last = [x, y];
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
      if (this.gapX === null) this.gapX = x;
      return;
    }
    if (y < this.minY) {
      this.minY = y;
      this.minX = x;
    }
    if (y > this.maxY) {
      this.maxY = y;
      this.maxX = x;
    }
  }

  private flush(): void {
    if (this.minY <= this.maxY) {
      // Both extremes, in x order; one point when they are the same.
      const [a, b] =
        this.minX <= this.maxX
          ? [
              [this.minX, this.minY],
              [this.maxX, this.maxY],
            ]
          : [
              [this.maxX, this.maxY],
              [this.minX, this.minY],
            ];
      this.xs.push(a[0]);
      this.ys.push(a[1]);
      if (a[0] !== b[0] || a[1] !== b[1]) {
        this.xs.push(b[0]);
        this.ys.push(b[1]);
      }
    } else if (this.gapX !== null) {
      // A bucket of NaN only: keep the gap in the line.
      this.xs.push(this.gapX);
      this.ys.push(NaN);
    }
    this.minY = Infinity;
    this.maxY = -Infinity;
    this.gapX = null;
  }

  result(): ThinSeries {
    this.flush();
    this.current = -1;
    if (this.first && this.xs[0] !== this.first[0]) {
      this.xs.unshift(this.first[0]);
      this.ys.unshift(this.first[1]);
    }
    if (this.first && this.xs.at(-1) !== this.last[0]) {
      this.xs.push(this.last[0]);
      this.ys.push(this.last[1]);
    }
    return { steps: Float64Array.from(this.xs), values: Float64Array.from(this.ys) };
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
  return buckets.result();
}
