/**
 * The run manager with real engine processes (the built worker, forked) and a real SQLite file.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Events, RunInfo } from '../../src/shared/api';
import type { Mixture } from '../../src/shared/artifacts';
import { forkLauncher } from '../../src/main/host/fork-launcher';
import { createHost, type Host } from '../../src/main/host/host';
import { Store } from '../../src/main/host/store';
import { translate } from '../../src/shared/i18n';
import {
  requireBuilt,
  resourcesDir,
  tempDir,
  waitForEvent,
  workerPath,
  writeNoiseCsv,
} from './helpers';

let tmp: ReturnType<typeof tempDir>;
let noiseCsv: string;
const pids: number[] = [];

beforeAll(() => {
  requireBuilt(workerPath, ['src/main/engine', 'src/shared']);
  tmp = tempDir('runs');
  noiseCsv = join(tmp.dir, 'noise.csv');
  // Big enough that a K = 8 fit takes seconds: time to cancel or kill it mid-run.
  writeNoiseCsv(noiseCsv, 100_000, 4);
});
afterAll(() => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  tmp?.remove();
});

function openHost(dataDir: string, maxWorkers = 2): Promise<Host> {
  return createHost({
    dataDir,
    resourcesDir,
    maxWorkers,
    launchWorker: forkLauncher(workerPath, process.env, { onSpawn: (pid) => pids.push(pid) }),
  });
}

const faithful = (host: Host) => host.store.findBuiltin('Old Faithful')!;

function startFaithful(host: Host, seed = 1, params: Record<string, number> = { k: 2, tol: 1e-9 }) {
  return host.call('runs.start', {
    algorithm: 'gmm',
    datasetId: faithful(host).id,
    columns: ['eruptions', 'waiting'],
    params,
    seed,
  });
}

/** A run on the noise file that will not finish by itself within the test. */
async function startLongRun(host: Host): Promise<RunInfo> {
  const { dataset: data } = await host.call('datasets.import', {
    source: { kind: 'path', path: noiseCsv },
    name: 'noise',
  });
  return host.call('runs.start', {
    algorithm: 'gmm',
    datasetId: data.id,
    columns: ['c1', 'c2', 'c3', 'c4'],
    params: { k: 8, maxIter: 1000, tol: 1e-12 },
    seed: 3,
  });
}

/** Counts the metric points pushed for one run. */
function countPoints(
  host: Host,
  runId: number,
): { points: Events['run.metrics']['points']; stop(): void } {
  const points: Events['run.metrics']['points'] = [];
  const stop = host.on('run.metrics', (m) => {
    if (m.runId === runId) points.push(...m.points);
  });
  return { points, stop };
}

describe('runs in real engine processes', () => {
  it('streams metrics, completes and is persisted', async () => {
    const dir = join(tmp.dir, 'complete');
    const host = await openHost(dir);
    const statuses: string[] = [];
    host.on('run.updated', (r) => statuses.push(r.status));
    const pushedArtifacts: Events['run.artifact'][] = [];
    host.on('run.artifact', (a) => pushedArtifacts.push(a));
    const run = await startFaithful(host);
    const streamed = countPoints(host, run.id);
    expect(['queued', 'running']).toContain(run.status);
    const done = await host.runs.whenSettled(run.id);
    streamed.stop();

    expect(done.status).toBe('completed');
    // Settled while its process may still be exiting: nothing left to cancel.
    expect(await host.call('runs.cancel', { id: run.id })).toEqual({ cancelled: false });
    expect(host.runs.isActive(run.id)).toBe(false);
    expect(done.error).toBeNull();
    expect(done.progress).toBe(1);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(done.backend);
    expect(statuses).toContain('running');
    expect(statuses.at(-1)).toBe('completed');
    const summary = done.summary as {
      weights: number[];
      iterations: number;
      converged: boolean;
      meanLogLikelihood: number;
    };
    expect(summary.weights).toHaveLength(2);
    expect(summary.weights[0] + summary.weights[1]).toBeCloseTo(1, 6);
    expect(summary.iterations).toBeGreaterThan(2);

    // Every iteration's mean log-likelihood was pushed live, in order, and climbs.
    const ll = streamed.points.filter((p) => p.key === 'meanLogLikelihood');
    expect(ll).toHaveLength(summary.iterations);
    for (let i = 1; i < ll.length; i++) {
      expect(ll[i].step).toBeGreaterThan(ll[i - 1].step);
      expect(ll[i].value).toBeGreaterThanOrEqual(ll[i - 1].value - 1e-4);
    }
    expect(ll.at(-1)!.value).toBeCloseTo(summary.meanLogLikelihood, 4);
    expect(pushedArtifacts.some((a) => a.runId === run.id && a.artifact.kind === 'mixture')).toBe(
      true,
    );
    host.close();

    // A new process opening the same file finds everything.
    const store = new Store(join(dir, 'latent-lab.db'));
    try {
      const back = store.getRun(run.id)!;
      expect(back).toMatchObject({
        status: 'completed',
        backend: done.backend,
        seed: 1,
        summary: done.summary,
      });
      expect(back.params).toEqual({
        k: 2,
        covarianceType: 'full',
        init: 'kmeans',
        nInit: 1,
        maxIter: 100,
        tol: 1e-9,
        regCovar: 1e-6,
        standardize: false,
      });
      const series = store.metricSeries(run.id).find((s) => s.key === 'meanLogLikelihood')!;
      expect(Array.from(series.steps)).toEqual(ll.map((p) => p.step));
      expect(Array.from(series.values)).toEqual(ll.map((p) => p.value));
      const mixtures = store.listArtifacts(run.id, 'mixture');
      // The starting mixture (step 0), then one after each M-step.
      expect(mixtures).toHaveLength(summary.iterations + 1);
      expect(mixtures[0].step).toBe(0);
      const [latest] = store.listArtifacts(run.id, 'mixture', true);
      const mixture = latest.meta as Mixture;
      expect(mixture.weights).toHaveLength(2);
      expect(mixture.means[0]).toHaveLength(2);
      expect(mixture.covariances[0]).toHaveLength(2);
    } finally {
      store.close();
    }
    const reopened = await openHost(dir);
    try {
      expect((await reopened.call('runs.get', { id: run.id })).status).toBe('completed');
      const metrics = await reopened.call('runs.metrics', { id: run.id });
      expect(metrics.find((m) => m.key === 'meanLogLikelihood')!.values.length).toBe(
        summary.iterations,
      );
    } finally {
      reopened.close();
    }
  });

  it('queues runs beyond maxWorkers until a worker is free', async () => {
    const host = await openHost(join(tmp.dir, 'queue'), 1);
    try {
      const order: string[] = [];
      host.on('run.updated', (r) => order.push(`${r.id}:${r.status}`));
      const queues: number[][] = [];
      host.on('runs.queue', (q) => queues.push(q.queued));
      const first = await startFaithful(host, 1);
      const second = await startFaithful(host, 2);
      const third = await startFaithful(host, 3);
      expect(host.store.getRun(first.id)!.status).toBe('running');
      expect(second.status).toBe('queued');
      // The queue in order, as a queued run's page shows its place.
      expect(await host.call('runs.queue', {})).toEqual({
        queued: [second.id, third.id],
        maxWorkers: 1,
      });
      expect(queues.at(-1)).toEqual([second.id, third.id]);
      await host.runs.whenSettled(third.id);
      // Each move was told: the second left the line, then the third; none is left waiting.
      expect(queues.slice(-2)).toEqual([[third.id], []]);
      expect(await host.call('runs.queue', {})).toEqual({ queued: [], maxWorkers: 1 });
      const [a, b] = await Promise.all([
        host.runs.whenSettled(first.id),
        host.runs.whenSettled(second.id),
      ]);
      expect([a.status, b.status]).toEqual(['completed', 'completed']);
      const firstDone = order.indexOf(`${first.id}:completed`);
      const secondRunning = order.indexOf(`${second.id}:running`);
      expect(firstDone).toBeGreaterThanOrEqual(0);
      expect(secondRunning).toBeGreaterThan(firstDone);
      expect(Date.parse(b.startedAt!)).toBeGreaterThanOrEqual(Date.parse(a.finishedAt!));
    } finally {
      host.close();
    }
  });

  it('cancels a running run', async () => {
    const host = await openHost(join(tmp.dir, 'cancel'));
    try {
      const run = await startLongRun(host);
      const streamed = countPoints(host, run.id);
      await waitForEvent(host, 'run.metrics', (m) => m.runId === run.id);
      expect(await host.call('runs.cancel', { id: run.id })).toEqual({ cancelled: true });
      // A second cancel of the same run is a no-op.
      expect(await host.call('runs.cancel', { id: run.id })).toEqual({ cancelled: false });
      const done = await host.runs.whenSettled(run.id);
      streamed.stop();
      expect(done.status).toBe('cancelled');
      expect(done.error).toBeNull();
      expect(done.finishedAt).not.toBeNull();
      const kept = host.store.metricSeries(run.id).find((s) => s.key === 'meanLogLikelihood')!;
      expect(kept.values.length).toBeGreaterThanOrEqual(streamed.points.length);
      expect(kept.values.length).toBeLessThan(1000);
      expect(host.runs.isActive(run.id)).toBe(false);
      // A settled run can be deleted; an active one cannot.
      expect(await host.call('runs.delete', { id: run.id })).toEqual({ deleted: true });
    } finally {
      host.close();
    }
  });

  it('fails a run whose worker is killed, keeping its metrics', async () => {
    const host = await openHost(join(tmp.dir, 'killed'));
    try {
      const spawned = pids.length;
      const run = await startLongRun(host);
      expect(pids.length).toBe(spawned + 1);
      const pid = pids.at(-1)!;
      const streamed = countPoints(host, run.id);
      await waitForEvent(host, 'run.metrics', () => streamed.points.length >= 2);
      const conflict = await host
        .handle('runs.delete', { id: run.id })
        .catch((e: { code: string }) => e.code);
      expect(conflict).toBe('conflict');
      process.kill(pid, 'SIGKILL');
      const done = await host.runs.whenSettled(run.id);
      streamed.stop();
      expect(done.status).toBe('failed');
      expect(done.error).toMatch(/killed \(SIGKILL\)/);
      const kept = host.store.metricSeries(run.id).find((s) => s.key === 'meanLogLikelihood')!;
      expect(kept.values.length).toBeGreaterThanOrEqual(streamed.points.length);
      expect(kept.values.length).toBeGreaterThanOrEqual(2);
      expect(host.store.listArtifacts(run.id, 'mixture').length).toBeGreaterThanOrEqual(2);
    } finally {
      host.close();
    }
  });

  it('marks a run left running by a stopped app as interrupted at the next start, keeping its data', async () => {
    const dir = join(tmp.dir, 'interrupted');
    const host = await openHost(dir);
    const run = await startLongRun(host);
    const streamed = countPoints(host, run.id);
    await waitForEvent(host, 'run.metrics', () => streamed.points.length >= 1);
    // The app quits mid-run: its worker is killed and nothing more is written.
    host.close();
    await new Promise((r) => setTimeout(r, 300));
    const between = new Store(join(dir, 'latent-lab.db'));
    const left = between.getRun(run.id)!;
    const written = between.metricSeries(run.id)[0].values.length;
    between.close();
    expect(left.status).toBe('running');
    expect(written).toBeGreaterThanOrEqual(streamed.points.length);

    const next = await openHost(dir);
    try {
      const back = await next.call('runs.get', { id: run.id });
      expect(back.status).toBe('interrupted');
      expect(back.error).toMatch(/stopped while this run was in progress/);
      const metrics = await next.call('runs.metrics', { id: run.id });
      expect(metrics[0].values.length).toBe(written);
      expect(
        (await next.call('runs.artifacts', { id: run.id, kind: 'mixture' })).length,
      ).toBeGreaterThan(0);
    } finally {
      next.close();
    }
  });

  it("keeps the engine's notes with their translatable texts", async () => {
    const host = await openHost(join(tmp.dir, 'notes'));
    try {
      const run = await startFaithful(host, 1, { k: 2, nInit: 2 });
      const done = await host.runs.whenSettled(run.id);
      expect(done.status).toBe('completed');
      expect(done.noteTexts).toHaveLength(done.notes.length);
      const i = done.noteTexts.findIndex((t) => t?.key === 'note.keptRestart');
      expect(i).toBeGreaterThanOrEqual(0);
      const text = done.noteTexts[i]!;
      expect(done.notes[i]).toBe(translate('en', text.key, text.vars));
      expect(done.notes[i]).toMatch(/^kept restart \d of 2 \(restarts began at steps /);
      expect(translate('zh', text.key, text.vars)).toMatch(/^保留了 2 次重启中的第 \d 次/);
      expect(host.store.getRun(run.id)!.noteTexts).toEqual(done.noteTexts);
    } finally {
      host.close();
    }
  });

  it('a worker whose host goes away mid-run ends itself instead of running on', async () => {
    const child = fork(workerPath, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    if (child.pid) pids.push(child.pid);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const started = new Promise<void>((resolve) =>
      child.on('message', (m: { type?: string }) => m.type === 'started' && resolve()),
    );
    // A run that would take minutes at the watching pace (its timers keep the process alive).
    child.send({
      type: 'start',
      runId: 1,
      algorithm: 'mcmc',
      params: { target: 'gaussian', warmup: 0, draws: 100_000, pace: 'watch' },
      seed: 0,
      paused: false,
      data: { values: new Float64Array(0), rows: 0, cols: 0, columns: [] },
    });
    await started;
    child.disconnect();
    expect(await exited).toBe(0);
  });
});
