/**
 * A fitted mixture put to use through the host (real worker, real SQLite): scoring rows and
 * drawing samples; and step mode driven through the contract.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/api';
import type { Host } from '../../src/main/host/host';
import { openTestHost, resourcesDir, type TestHost, waitForEvent } from './helpers';

let host: Host;
let tmp: TestHost;
let fitId: number;
let faithfulId: number;
const faithfulCsv = readFileSync(join(resourcesDir, 'datasets', 'old-faithful.csv'), 'utf8');

beforeAll(async () => {
  tmp = await openTestHost('models');
  host = tmp.host;
  faithfulId = host.store.listDatasets().find((d) => d.name === 'Old Faithful')!.id;
  const run = await host.call('runs.start', {
    algorithm: 'gmm',
    datasetId: faithfulId,
    columns: ['eruptions', 'waiting'],
    params: { k: 2, tol: 1e-6 },
    seed: 3,
  });
  const done = await host.runs.whenSettled(run.id);
  expect(done.status).toBe('completed');
  fitId = run.id;
});

afterAll(() => tmp?.close());

describe('models.score', () => {
  it('scores the training rows to the fit’s own mean log-likelihood', async () => {
    const r = await host.call('models.score', {
      id: fitId,
      source: { kind: 'text', text: faithfulCsv },
    });
    const fit = host.store.getRun(fitId)!.summary as { meanLogLikelihood: number };
    expect(r.rows).toBe(272);
    expect(r.logLikelihood).toBeInstanceOf(Float64Array);
    // The engine computed it in float32, the host in float64.
    expect(r.meanLogLikelihood).toBeCloseTo(fit.meanLogLikelihood, 4);
    for (let i = 0; i < r.rows; i++) {
      const row = r.responsibilities.subarray(i * r.k, (i + 1) * r.k);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
      expect(r.labels[i]).toBe(row.indexOf(Math.max(...row)));
    }
  });

  it('matches columns by name and refuses a file without them', async () => {
    const swapped = await host.call('models.score', {
      id: fitId,
      source: { kind: 'text', text: 'waiting,eruptions\n80,4.5\n' },
    });
    expect(Array.from(swapped.values)).toEqual([4.5, 80]);
    await expect(
      host.call('models.score', { id: fitId, source: { kind: 'text', text: 'a,b\n1,2\n' } }),
    ).rejects.toMatchObject({ code: 'bad-data', message: expect.stringContaining('eruptions') });
  });
});

describe('models.sample', () => {
  it('draws from the fitted mixture: sample means match the mixture mean', async () => {
    const fit = host.store.getRun(fitId)!.summary as { weights: number[]; means: number[][] };
    const n = 20_000;
    const s = await host.call('models.sample', { id: fitId, n, seed: 9 });
    expect(s.values).toHaveLength(n * 2);
    for (let j = 0; j < 2; j++) {
      const expected = fit.weights.reduce((acc, w, k) => acc + w * fit.means[k][j], 0);
      let mean = 0;
      for (let i = 0; i < n; i++) mean += s.values[i * 2 + j] / n;
      // Old Faithful's sds are ~1.1 and ~13.6: 4 standard errors at n = 20,000.
      const se = (j === 0 ? 1.2 : 14) / Math.sqrt(n);
      expect(Math.abs(mean - expected)).toBeLessThan(4 * se);
    }
    const again = await host.call('models.sample', { id: fitId, n: 10, seed: 9 });
    expect(Array.from(again.values)).toEqual(Array.from(s.values.subarray(0, 20)));
  });

  it('refuses a run that is not a completed mixture fit', async () => {
    await expect(host.call('models.sample', { id: 999, n: 5, seed: 1 })).rejects.toBeInstanceOf(
      ApiError,
    );
  });
});

describe('step mode through the contract', () => {
  it('starts paused, advances one phase per step, resumes to completion', async () => {
    const paused = (name: string, step: number) =>
      waitForEvent(
        host,
        'run.updated',
        (r) => r.status === 'paused' && r.phase?.name === name && r.phase.step === step,
      );
    const first = paused('e-step', 1);
    const run = await host.call('runs.start', {
      algorithm: 'gmm',
      datasetId: faithfulId,
      columns: ['eruptions', 'waiting'],
      params: { k: 2 },
      seed: 1,
      startPaused: true,
    });
    await first;
    const metricsAtPause = host.store
      .metricSeries(run.id)
      .find((m) => m.key === 'meanLogLikelihood');
    expect(metricsAtPause?.steps.length).toBe(1);
    const mStep = paused('m-step', 1);
    expect(await host.call('runs.step', { id: run.id })).toEqual({ ok: true });
    await mStep;
    const eStep2 = paused('e-step', 2);
    await host.call('runs.step', { id: run.id });
    await eStep2;
    expect(host.store.getRun(run.id)!.status).toBe('paused');
    await host.call('runs.resume', { id: run.id });
    const done = await host.runs.whenSettled(run.id);
    expect(done.status).toBe('completed');
    expect(done.phase?.name).toMatch(/step/);
  });

  it('cancels a paused run', async () => {
    const run = await host.call('runs.start', {
      algorithm: 'gmm',
      datasetId: faithfulId,
      columns: ['eruptions', 'waiting'],
      params: { k: 2 },
      seed: 1,
      startPaused: true,
    });
    await waitForEvent(host, 'run.updated', (r) => r.id === run.id && r.status === 'paused');
    await host.call('runs.cancel', { id: run.id });
    expect((await host.runs.whenSettled(run.id)).status).toBe('cancelled');
  });
});
