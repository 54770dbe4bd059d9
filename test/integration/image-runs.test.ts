/**
 * VAE and RBM runs on an image set imported from CSV, through the host and a real (built) worker.
 * The renderer side registers the VAE in src/shared/algorithms; until it does, `runs.start`
 * knows no 'vae' and this test is skipped (test/unit/image-datasets.test.ts covers the data
 * the run would get).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { algorithmSpecs } from '../../src/shared/algorithms';
import { IMAGE_COLUMN } from '../../src/shared/api';
import type { Host } from '../../src/main/host/host';
import { openTestHost, type TestHost } from './helpers';

const vaeRegistered = algorithmSpecs.vae !== undefined;
let tmp: TestHost;
let host: Host;

beforeAll(async () => {
  tmp = await openTestHost('image-runs', { maxWorkers: 1 });
  host = tmp.host;
});
afterAll(() => tmp?.close());

describe('a VAE on an imported image set', () => {
  it.skipIf(!vaeRegistered)(
    'trains one epoch on 64 images of 4 × 4 with labels',
    async () => {
      const lines = ['label,' + Array.from({ length: 16 }, (_, j) => `p${j}`).join(',')];
      for (let i = 0; i < 64; i++)
        lines.push(
          [i % 4, ...Array.from({ length: 16 }, (_, j) => (i * 7 + j * 13) % 256)].join(','),
        );
      const { dataset: dataset } = await host.call('datasets.import', {
        source: { kind: 'text', text: lines.join('\n') },
        name: 'tiny images',
        image: { width: 4, height: 4 },
        labelColumn: 'label',
      });
      const run = await host.call('runs.start', {
        algorithm: 'vae',
        datasetId: dataset.id,
        columns: [IMAGE_COLUMN],
        params: {
          latentDim: 2,
          hiddenLayers: 1,
          hiddenUnits: 8,
          batchSize: 16,
          epochs: 1,
          iwaeK: 4,
          galleryEvery: 0,
        },
        seed: 3,
      });
      const done = await host.runs.whenSettled(run.id);
      expect(done.error).toBeNull();
      expect(done.status).toBe('completed');
      expect(done.columns).toEqual([IMAGE_COLUMN]);
      const grids = await host.call('runs.artifacts', { id: run.id, kind: 'image-grid' });
      expect(grids.length).toBeGreaterThan(0);
    },
    60_000,
  );
});

describe('an RBM on an imported image set', () => {
  it('trains 2 epochs on 4 × 4 images: monitors, galleries, histogram, model and AIS summary', async () => {
    const lines = [Array.from({ length: 16 }, (_, j) => `p${j}`).join(',')];
    for (let i = 0; i < 80; i++)
      lines.push(Array.from({ length: 16 }, (_, j) => ((i + j) % 4 === 0 ? 230 : 20)).join(','));
    const { dataset: dataset } = await host.call('datasets.import', {
      source: { kind: 'text', text: lines.join('\n') },
      name: 'stripes',
      image: { width: 4, height: 4 },
    });
    const run = await host.call('runs.start', {
      algorithm: 'rbm',
      datasetId: dataset.id,
      columns: [IMAGE_COLUMN],
      params: { hiddenUnits: 6, epochs: 2, aisRuns: 10, aisTemperatures: 100, galleryEvery: 0 },
      seed: 4,
    });
    const done = await host.runs.whenSettled(run.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    // Plain typed arrays: the worker starts no tfjs backend.
    expect(done.backend).toBe('js');
    const summary = done.summary as Record<string, number | null>;
    expect(Number.isFinite(summary.testPll)).toBe(true);
    expect(Number.isFinite(summary.logZ)).toBe(true);
    expect(summary.logZStd).toBeGreaterThanOrEqual(0);
    const grids = await host.call('runs.artifacts', { id: run.id, kind: 'image-grid' });
    const roles = new Set(grids.map((g) => (g.meta as { role: string }).role));
    expect([...roles].sort()).toEqual(['fantasy', 'filters', 'reconstructions']);
    const hist = await host.call('runs.artifacts', { id: run.id, kind: 'histogram' });
    expect(hist.length).toBe(2);
    const model = await host.call('runs.artifacts', { id: run.id, kind: 'model' });
    expect(model).toHaveLength(1);
  }, 60_000);
});
