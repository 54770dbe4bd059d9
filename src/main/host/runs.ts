/**
 * RunManager: the queue of runs and the life of each one. It starts at most `maxWorkers` engine
 * processes at once, writes what they report to the store (metrics in batched transactions) and
 * pushes it to clients at most ~20 times a second per run. A worker that dies leaves its run
 * `failed` with the reason and everything already written.
 */
import {
  isActiveStatus,
  type ParamValues,
  type RunInfo,
  type RunQueue,
  type StoredArtifact,
} from '../../shared/api';
import { inEnglish, knownText, localText, type LocalText } from '../../shared/i18n';
import { nextStage, restartClock, type RunStage } from '../../shared/progress';
import type { EngineData } from '../engine/algorithm';
import type { LaunchWorker, WorkerHandle } from '../engine/protocol';
import { workerToHost } from '../engine/protocol';
import type { EventBus } from './events';
import type { MetricPoint, Store } from './store';

export const flushIntervalMs = 50;
/** Time a worker gets to stop by itself after a cancel before it is killed. */
export const cancelGraceMs = 2000;

/** A run's failure as the store keeps it: the English message and the translatable text. */
function failure(text: LocalText): { error: string; errorText: LocalText } {
  return { error: inEnglish(text), errorText: text };
}

/** The `role` an artifact's meta declares (e.g. 'samples'), or '' when it has none. */
function artifactRole(a: StoredArtifact): string {
  const meta = a.meta as { role?: unknown } | null;
  return typeof meta?.role === 'string' ? meta.role : '';
}

interface Active {
  runId: number;
  worker: WorkerHandle;
  startedAt: number;
  pending: MetricPoint[];
  pendingArtifacts: StoredArtifact[];
  progress: number | null;
  /** The stage it is in and its clock (kept here, written with the progress). */
  stage: RunStage | null;
  cancelRequested: boolean;
  finished: boolean;
  killTimer?: NodeJS.Timeout;
}

export interface QueuedRun {
  runId: number;
  algorithm: string;
  params: ParamValues;
  /** Stop at the first checkpoint (step mode). */
  startPaused: boolean;
  seed: number;
  data: EngineData;
}

export class RunManager {
  private readonly queue: QueuedRun[] = [];
  private readonly active = new Map<number, Active>();
  private readonly timer: NodeJS.Timeout;
  private readonly settledListeners = new Map<number, ((run: RunInfo) => void)[]>();
  /** An idle worker started in advance, its backend already loaded, so a run starts at once. */
  private spare: WorkerHandle | null = null;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly launch: LaunchWorker,
    readonly maxWorkers: number,
    private readonly keepWarmWorker = false,
  ) {
    this.timer = setInterval(() => this.flushAll(), flushIntervalMs);
    this.timer.unref();
    if (keepWarmWorker) this.warmUp();
  }

  private warmUp(): void {
    if (this.closed || this.spare) return;
    try {
      const w = this.launch();
      w.onExit(() => {
        if (this.spare === w) this.spare = null;
      });
      this.spare = w;
    } catch {
      // A run will try again and report the failure on the run itself.
    }
  }

  private takeWorker(): WorkerHandle {
    const w = this.spare ?? this.launch();
    this.spare = null;
    return w;
  }

  enqueue(run: QueuedRun): void {
    this.queue.push(run);
    this.pump(true);
  }

  /** The runs waiting for a worker, first in line first (a queued run's page shows its place). */
  queueState(): RunQueue {
    return { queued: this.queue.map((q) => q.runId), maxWorkers: this.maxWorkers };
  }

  private queueChanged(): void {
    this.events.emit('runs.queue', this.queueState());
  }

  /** Resolves when the run reaches a terminal status. */
  whenSettled(runId: number): Promise<RunInfo> {
    const run = this.store.getRun(runId);
    if (run && !isActiveStatus(run.status)) return Promise.resolve(run);
    return new Promise((resolve) => {
      const list = this.settledListeners.get(runId) ?? [];
      list.push(resolve);
      this.settledListeners.set(runId, list);
    });
  }

  /** Queued, or running and not yet settled (a settled run's process may take a moment to exit). */
  isActive(runId: number): boolean {
    const a = this.active.get(runId);
    return (a !== undefined && !a.finished) || this.queue.some((q) => q.runId === runId);
  }

  cancel(runId: number): boolean {
    const queued = this.queue.findIndex((q) => q.runId === runId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(runId, 'cancelled', {});
      this.queueChanged();
      return true;
    }
    const a = this.active.get(runId);
    if (!a || a.finished || a.cancelRequested) return false;
    a.cancelRequested = true;
    a.worker.send({ type: 'cancel' });
    a.killTimer = setTimeout(() => a.worker.kill(), cancelGraceMs);
    return true;
  }

  /** Step mode: forwards a control message to the run's worker; false if it is not running. */
  control(runId: number, type: 'pause' | 'step' | 'resume', until?: string): boolean {
    const a = this.active.get(runId);
    if (!a || a.finished || a.cancelRequested) return false;
    a.worker.send(type === 'step' ? { type, until } : { type });
    return true;
  }

  /** Stops everything (app quit): workers are killed, their runs become `interrupted` at next start. */
  shutdown(): void {
    this.closed = true;
    this.spare?.kill();
    this.spare = null;
    clearInterval(this.timer);
    this.flushAll();
    for (const a of this.active.values()) {
      // Settled by nobody: the store is about to close, so the worker's exit must write nothing.
      a.finished = true;
      clearTimeout(a.killTimer);
      a.worker.kill();
    }
    this.active.clear();
    this.queue.length = 0;
  }

  /** Starts queued runs while workers are free; says so when the queue changed. */
  private pump(changed = false): void {
    const before = this.queue.length;
    while (this.active.size < this.maxWorkers && this.queue.length > 0) {
      this.launchRun(this.queue.shift()!);
    }
    if (changed || this.queue.length !== before) this.queueChanged();
  }

  private launchRun(q: QueuedRun): void {
    let worker: WorkerHandle;
    try {
      worker = this.takeWorker();
    } catch (e) {
      this.settle(
        q.runId,
        'failed',
        failure(localText('fail.engineStart', { reason: (e as Error).message })),
      );
      return;
    }
    const a: Active = {
      runId: q.runId,
      worker,
      startedAt: performance.now(),
      pending: [],
      pendingArtifacts: [],
      progress: null,
      stage: null,
      cancelRequested: false,
      finished: false,
    };
    this.active.set(q.runId, a);
    this.store.markRunning(q.runId);
    this.pushRun(q.runId);
    worker.onMessage((raw) => this.guarded(a, () => this.onMessage(a, raw)));
    worker.onExit((reason, clean) => this.guarded(a, () => this.onExit(a, reason, clean)));
    worker.send({
      type: 'start',
      runId: q.runId,
      algorithm: q.algorithm,
      params: q.params,
      seed: q.seed,
      data: q.data,
      paused: q.startPaused,
    });
  }

  private onMessage(a: Active, raw: unknown): void {
    if (a.finished) return;
    const parsed = workerToHost.safeParse(raw);
    if (!parsed.success) {
      a.worker.kill();
      this.finish(
        a,
        'failed',
        failure(localText('fail.malformedMessage', { detail: parsed.error.message })),
      );
      return;
    }
    const m = parsed.data;
    const wallMs = performance.now() - a.startedAt;
    switch (m.type) {
      case 'started':
        this.store.setBackend(a.runId, m.backend);
        for (const n of m.notes) this.store.addNote(a.runId, n.message, knownText(n.text));
        this.pushRun(a.runId);
        break;
      case 'backend':
        this.store.setBackend(a.runId, m.backend);
        this.pushRun(a.runId);
        break;
      case 'metrics':
        for (const [key, value] of Object.entries(m.values))
          a.pending.push({ step: m.step, key, value, wallMs });
        break;
      case 'artifact':
        a.pendingArtifacts.push(
          this.store.insertArtifact(a.runId, {
            kind: m.kind,
            step: m.step,
            meta: m.meta,
            data: m.data,
          }),
        );
        break;
      case 'progress':
        a.progress = m.fraction;
        // A run of one stage is its own stage: the whole run timed by its pace.
        a.stage = nextStage(a.stage, m.stage ?? { name: '', fraction: m.fraction }, new Date());
        break;
      case 'note':
        this.store.addNote(a.runId, m.message, knownText(m.text));
        break;
      case 'done':
        this.finish(a, 'completed', { summary: m.summary });
        break;
      case 'failed': {
        const text = knownText(m.text);
        this.finish(a, 'failed', { error: m.message, ...(text ? { errorText: text } : {}) });
        break;
      }
      case 'paused':
      case 'running':
        // Going on after a pause: the stage's pace is measured afresh, without the pause.
        if (m.type === 'running' && a.stage) {
          a.stage = restartClock(a.stage, new Date());
          a.progress ??= this.store.getRun(a.runId)?.progress ?? 0;
        }
        // A metric or snapshot sent just before the checkpoint must be visible with it.
        this.flush(a);
        this.store.setPhase(a.runId, m.type, { name: m.phase, step: m.step });
        this.pushRun(a.runId);
        break;
      case 'cancelled':
        this.finish(a, 'cancelled', {});
        break;
    }
  }

  private onExit(a: Active, reason: string, clean: boolean): void {
    clearTimeout(a.killTimer);
    try {
      if (!a.finished) {
        if (a.cancelRequested) this.finish(a, 'cancelled', {});
        else
          // A crash's reason (a signal, the worker's last words on stderr) stays as it came.
          this.finish(
            a,
            'failed',
            clean ? failure(localText('fail.engineStopped')) : { error: reason },
          );
      }
    } finally {
      // Whatever the store said, the slot is free again.
      this.active.delete(a.runId);
      this.pump();
    }
    // Start the next spare only when idle: loading tfjs would compete with a running run for CPU.
    if (this.keepWarmWorker && this.active.size === 0) this.warmUp();
  }

  private finish(
    a: Active,
    status: 'completed' | 'failed' | 'cancelled',
    fields: { summary?: unknown; error?: string; errorText?: LocalText },
  ) {
    a.finished = true;
    clearTimeout(a.killTimer);
    this.flush(a);
    this.settle(a.runId, status, fields);
    // Everything the worker sent came before its last word (IPC keeps order): end the process
    // here rather than trust it to exit, which could drop a message still being written.
    a.worker.kill();
  }

  /**
   * A store write that fails (the run deleted by another process, a full disk) must not take the
   * host down with it: the run fails, its worker stops, the rest goes on.
   */
  private guarded(a: Active, work: () => void): void {
    try {
      work();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      console.error(`latent-lab: run ${a.runId}: ${message}`);
      if (a.finished) return;
      a.finished = true;
      clearTimeout(a.killTimer);
      a.worker.kill();
      try {
        this.store.finishRun(
          a.runId,
          'failed',
          failure(localText('fail.saveRun', { reason: message })),
        );
        this.pushRun(a.runId);
      } catch {
        // The run is gone or the store unusable: nothing more to record.
      }
    }
  }

  private settle(
    runId: number,
    status: 'completed' | 'failed' | 'cancelled',
    fields: { summary?: unknown; error?: string; errorText?: LocalText },
  ) {
    this.store.finishRun(runId, status, fields);
    const run = this.pushRun(runId);
    if (run) for (const l of this.settledListeners.get(runId) ?? []) l(run);
    this.settledListeners.delete(runId);
  }

  private flushAll(): void {
    for (const a of this.active.values()) if (!a.finished) this.guarded(a, () => this.flush(a));
  }

  /** One transaction and at most one event of each kind per run per interval. */
  private flush(a: Active): void {
    if (a.pending.length > 0) {
      const points = a.pending;
      a.pending = [];
      this.store.insertMetrics(a.runId, points);
      this.events.emit('run.metrics', {
        runId: a.runId,
        points: points.map(({ step, key, value }) => ({ step, key, value })),
      });
    }
    if (a.pendingArtifacts.length > 0) {
      // Clients need only the newest of each kind (and role: a VAE's reconstructions and samples
      // are both image grids); the store has them all, fetched once the run has ended.
      const latest = new Map<string, StoredArtifact>();
      for (const art of a.pendingArtifacts) latest.set(`${art.kind}:${artifactRole(art)}`, art);
      a.pendingArtifacts = [];
      for (const artifact of latest.values())
        this.events.emit('run.artifact', { runId: a.runId, artifact });
    }
    if (a.progress !== null) {
      this.store.setProgress(a.runId, a.progress, a.stage);
      a.progress = null;
      this.pushRun(a.runId);
    }
  }

  private pushRun(runId: number): RunInfo | null {
    const run = this.store.getRun(runId);
    if (run) this.events.emit('run.updated', run);
    return run;
  }
}
