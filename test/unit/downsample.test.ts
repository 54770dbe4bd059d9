/**
 * Long metric series are thinned before they are drawn (min and max per pixel column), so ten
 * million points make a chart of a few thousand, with the envelope, every spike and the gaps.
 */
import { describe, expect, it } from 'vitest';
import { metricLineOption } from '../../src/shared/charts';
import { MAX_DRAWN_POINTS, MinMaxBuckets, thinForDrawing } from '../../src/shared/downsample';

describe('thinning a metric for drawing', () => {
  it('draws 10 million points as at most a few thousand, keeping the extremes and the spike', () => {
    const n = 10_000_000;
    const steps = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      steps[i] = i;
      values[i] = Math.sin(i / 100_000) - i / n;
    }
    values[6_543_210] = 50; // one spike
    values[123] = -40; // one dip
    const option = metricLineOption({
      title: 't',
      xName: 'step',
      yName: 'loss',
      series: [{ name: 'loss', steps, values }],
    });
    const data = (option.series as { data: [number, number][] }[])[0].data;
    expect(data.length).toBeLessThanOrEqual(MAX_DRAWN_POINTS);
    expect(data.length).toBeGreaterThan(MAX_DRAWN_POINTS / 2);
    const ys = data.map((p) => p[1]);
    expect(Math.max(...ys)).toBe(50);
    expect(Math.min(...ys)).toBe(-40);
    expect(data).toContainEqual([6_543_210, 50]);
    expect(data[0][0]).toBe(0);
    expect(data.at(-1)![0]).toBe(n - 1);
    // x stays in order, as a line needs.
    for (let i = 1; i < data.length; i++) expect(data[i][0]).toBeGreaterThan(data[i - 1][0]);
  });

  it('leaves a short series as it is', () => {
    const steps = [0, 1, 2];
    const values = [3, NaN, 1];
    expect(thinForDrawing(steps, values)).toEqual({ steps, values });
  });

  it('keeps a gap where a stretch of steps has no finite value', () => {
    const buckets = new MinMaxBuckets(0, 99, 10);
    for (let x = 0; x < 100; x++) buckets.add(x, x >= 40 && x < 60 ? NaN : x);
    const { steps, values } = buckets.result();
    const gaps = Array.from(steps).filter((_, i) => Number.isNaN(values[i]));
    expect(gaps).toEqual([40, 50]);
    expect(Array.from(values).filter(Number.isFinite)).toEqual([
      0, 9, 10, 19, 20, 29, 30, 39, 60, 69, 70, 79, 80, 89, 90, 99,
    ]);
    // The first and last points stay, whatever the extremes of their buckets.
    const dip = new MinMaxBuckets(0, 9, 2);
    [5, -1, 7, 9, 3, 8, 2, 6, 4, 5].forEach((y, x) => dip.add(x, y));
    expect(Array.from(dip.result().steps)).toEqual([0, 1, 3, 5, 6, 9]);
  });
});
