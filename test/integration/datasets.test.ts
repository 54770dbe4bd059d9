/** datasets.overview and datasets.rename through the host, as the data set page calls them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, DatasetMeta, Events, TableOverview } from '../../src/shared/api';
import type { Host } from '../../src/main/host/host';
import { translate } from '../../src/shared/i18n';
import { openTestHost, type TestHost } from './helpers';

let tmp: TestHost;
let host: Host;
const builtin = (name: string): DatasetMeta => host.store.findBuiltin(name)!;

beforeAll(async () => {
  tmp = await openTestHost('datasets');
  host = tmp.host;
});
afterAll(() => tmp?.close());

function labelled(name: string): DatasetMeta {
  // x = 0 … 9; labels a, b, a, b, …, the last row without one.
  const codes = Int32Array.from({ length: 10 }, (_, i) => (i === 9 ? -1 : i % 2));
  return host.store.insertDataset({
    name,
    columns: [
      { name: 'x', type: 'integer', missing: 0 },
      { name: 'y', type: 'number', missing: 1 },
    ],
    rows: 10,
    values: Float64Array.from({ length: 20 }, (_, k) =>
      k % 2 === 0 ? k / 2 : k === 1 ? NaN : k / 4,
    ),
    labels: { column: 'kind', names: ['a', 'b'], codes },
  });
}

describe('datasets.overview', () => {
  it('gives Old Faithful the figures pandas gives it', async () => {
    const o = (await host.call('datasets.overview', {
      id: builtin('Old Faithful').id,
    })) as TableOverview;
    expect(o.kind).toBe('table');
    const [eruptions, waiting] = o.columns;
    // pandas: df.describe() of R's faithful: mean, std (ddof=1), min, max.
    expect(eruptions).toMatchObject({ name: 'eruptions', type: 'number', count: 272, missing: 0 });
    expect(eruptions.mean).toBeCloseTo(3.48778309, 8);
    expect(eruptions.sd).toBeCloseTo(1.14137125, 8);
    expect([eruptions.min, eruptions.max]).toEqual([1.6, 5.1]);
    expect(waiting).toMatchObject({ type: 'integer', min: 43, max: 96 });
    expect(waiting.mean).toBeCloseTo(70.89705882, 8);
    expect(waiting.sd).toBeCloseTo(13.59497379, 8);
    expect(waiting.histogram!.counts.reduce((a, b) => a + b)).toBe(272);
    // Small: every row in the sample; the first 20 rows as stored.
    expect(o.sample.rows).toHaveLength(272);
    expect(o.head.rows).toHaveLength(20);
    expect(o.head.values[0]).toBe(3.6);
    expect(o.labels).toBeNull();
  });

  it('gives a labelled table its labels, counted, and per sampled and first row', async () => {
    const d = labelled('labelled');
    const o = (await host.call('datasets.overview', { id: d.id })) as TableOverview;
    expect(o.dataset.labelColumn).toBe('kind');
    expect(o.labels).toEqual({ column: 'kind', names: ['a', 'b'], counts: [5, 4], missing: 1 });
    expect(Array.from(o.head.labels!)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, -1]);
    expect(o.sample.labels).toHaveLength(10);
    expect(o.columns[1]).toMatchObject({ count: 9, missing: 1 });
  });

  it('gives an image set its label counts', async () => {
    const o = await host.call('datasets.overview', { id: builtin('MNIST digits').id });
    if (o.kind !== 'images') throw new Error('MNIST is an image set');
    expect(o.labelCounts!.map((l) => l.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(o.labelCounts!.reduce((n, l) => n + l.count, 0)).toBe(10_000);
  });

  it('refuses a data set that does not exist', async () => {
    await expect(host.call('datasets.overview', { id: 9999 })).rejects.toMatchObject({
      code: 'not-found',
      text: { key: 'refuse.noDataset' },
    });
  });
});

describe('datasets.rename', () => {
  it('renames (trimmed), says so to every page, and the new name is what lists show', async () => {
    const d = labelled('before');
    const seen: Events['datasets.changed'][] = [];
    const off = host.on('datasets.changed', (e) => seen.push(e));
    const renamed = await host.call('datasets.rename', { id: d.id, name: '  after  ' });
    off();
    expect(renamed).toMatchObject({ id: d.id, name: 'after', rows: 10, hash: d.hash });
    expect(seen).toEqual([{ reason: 'renamed' }]);
    expect((await host.call('datasets.list', {})).find((x) => x.id === d.id)?.name).toBe('after');
    // Its labels stay with it.
    expect(host.store.datasetLabels(d.id)?.column).toBe('kind');
  });

  it('refuses an empty or too long name, a missing set and a bundled one', async () => {
    const d = labelled('kept');
    for (const name of ['   ', 'x'.repeat(201)])
      await expect(host.call('datasets.rename', { id: d.id, name })).rejects.toMatchObject({
        code: 'invalid-input',
      });
    const long = await host.call('datasets.rename', { id: d.id, name: 'y'.repeat(200) });
    expect(long.name).toBe('y'.repeat(200));
    await expect(host.call('datasets.rename', { id: 9999, name: 'z' })).rejects.toMatchObject({
      code: 'not-found',
    });
    const bundled = builtin('Old Faithful');
    const refusal = (await host
      .call('datasets.rename', { id: bundled.id, name: 'Geyser' })
      .catch((e: unknown) => e)) as ApiError;
    expect(refusal).toMatchObject({ code: 'conflict', text: { key: 'refuse.renameBundled' } });
    expect(translate('zh', refusal.text!.key, refusal.text!.vars)).toContain('不能重命名');
    expect(host.store.getDataset(bundled.id)!.name).toBe('Old Faithful');
  });
});
