/**
 * The GAN through the real host and worker processes: a preset with no data set (named after its
 * source, saved generator readable here and by `latent-lab sample`), two columns of a table, and
 * refusals with nothing stored.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGanModel } from '../../src/shared/gan-model';
import type { Host } from '../../src/main/host/host';
import { cliPath, openTestHost, type TestHost, refusal } from './helpers';

let tmp: TestHost;
let host: Host;

beforeAll(async () => {
  tmp = await openTestHost('gan-runs', { maxWorkers: 2 });
  host = tmp.host;
});
afterAll(() => tmp?.close());

const small = { steps: 100, viewEvery: 50, gUnits: 16, dUnits: 16, batchSize: 64 };

describe('GAN runs in the host', () => {
  it('trains on a preset with no data set and saves a generator that makes points', async () => {
    const run = await host.call('runs.start', {
      algorithm: 'gan',
      datasetId: null,
      columns: [],
      params: { source: 'grid25', ...small },
      seed: 2,
    });
    expect(run.name).toBe('gan on grid25');
    const done = await host.runs.whenSettled(run.id);
    expect(done.status, done.error ?? '').toBe('completed');
    const summary = done.summary as { modes: number; js: number; steps: number };
    expect(summary.modes).toBe(25);
    expect(summary.steps).toBe(100);
    expect(summary.js).toBeGreaterThan(0);
    const dLoss = host.store.metricSeries(run.id).find((m) => m.key === 'dLoss')!;
    // Read back every viewEvery steps only.
    expect(Array.from(dLoss.steps)).toEqual([50, 100]);
    const [saved] = host.store.listArtifacts(run.id, 'model', true);
    const gan = readGanModel(saved.meta, saved.data as Float32Array);
    expect(gan.sample(10, 1).x).toHaveLength(20);
    expect(host.store.listArtifacts(run.id, 'field2d', false).length).toBeGreaterThan(0);

    // The CLI draws new points from the saved generator, under the preset's axis names.
    const out = join(tmp.dir, 'points.csv');
    const code = await new Promise<number>((resolve) =>
      execFile(
        process.execPath,
        [cliPath, 'sample', String(run.id), '--count', '50', '--seed', '1', '--out', out],
        { env: { ...process.env, LATENT_LAB_DATA_DIR: tmp.dir }, timeout: 30_000 },
        (error) => resolve(error ? Number(error.code ?? -1) : 0),
      ),
    );
    expect(code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toBe('x,y');
    expect(lines).toHaveLength(51);
    expect(lines[1].split(',').map(Number).every(Number.isFinite)).toBe(true);
  });

  it('learns two columns of a table, and refuses one', async () => {
    const faithful = host.store.findBuiltin('Old Faithful')!;
    const run = await host.call('runs.start', {
      algorithm: 'gan',
      datasetId: faithful.id,
      columns: ['eruptions', 'waiting'],
      params: { source: 'dataset', ...small },
      seed: 1,
    });
    const done = await host.runs.whenSettled(run.id);
    expect(done.status, done.error ?? '').toBe('completed');
    const [saved] = host.store.listArtifacts(run.id, 'model', true);
    // Samples in the data's units (waiting times are tens of minutes).
    const x = readGanModel(saved.meta, saved.data as Float32Array).sample(200, 1).x;
    const waiting = Array.from(x).filter((_, i) => i % 2 === 1);
    expect(waiting.reduce((s, v) => s + v, 0) / waiting.length).toBeGreaterThan(20);

    const before = host.store.listRuns().length;
    const e = await refusal(
      host.call('runs.start', {
        algorithm: 'gan',
        datasetId: faithful.id,
        columns: ['eruptions'],
        params: { source: 'dataset', ...small },
        seed: 1,
      }),
    );
    expect(e.message).toMatch(/two/);
    expect(host.store.listRuns()).toHaveLength(before);
  });

  it('refuses WGAN-GP with a tanh discriminator, and too few painted points', async () => {
    const before = host.store.listRuns().length;
    const wgan = await refusal(
      host.call('runs.start', {
        algorithm: 'gan',
        datasetId: null,
        columns: [],
        params: { loss: 'wgan-gp', dActivation: 'tanh' },
        seed: 1,
      }),
    );
    expect(wgan.message).toMatch(/hinge/);
    const painted = await refusal(
      host.call('runs.start', {
        algorithm: 'gan',
        datasetId: null,
        columns: [],
        params: { source: 'painted', painted: [[0, 0]] },
        seed: 1,
      }),
    );
    expect(painted.message).toMatch(/paint at least/);
    expect(host.store.listRuns()).toHaveLength(before);
  });
});
