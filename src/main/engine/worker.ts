/**
 * Engine worker entry: one process per run. It receives the data and parameters, runs the
 * algorithm on the chosen tfjs backend and reports through messages; it never touches the
 * database or the file system. Runs under child_process.fork (Node) or utilityProcess (Electron).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CancelledError, DataError, yieldToEventLoop } from './algorithm';
import { engineAlgorithms } from './algorithms';
import { initBackend, withCpuFallback } from './backend';
import {
  hostToWorker,
  type HostToWorker,
  type WorkerEndpoint,
  type WorkerToHost,
} from './protocol';
import { inEnglish, localText, TextError, type LocalText } from '../../shared/i18n';
import { createRng } from '../../shared/rng';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

function endpoint(): WorkerEndpoint {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (m) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data)),
    };
  }
  if (!process.send) throw new Error('the engine worker must be started by the host');
  return {
    // The only way a send fails is the host having gone (EPIPE); the callback keeps that from
    // crashing the process, and the 'disconnect' handler below then ends it cleanly.
    send: (m) => {
      if (process.connected) process.send!(m, undefined, undefined, () => {});
    },
    onMessage: (l) => process.on('message', l),
  };
}

/**
 * Step mode: `checkpoint` is where an algorithm may stop. Paused, it waits for `step` (go on to
 * the next checkpoint and stop there) or `resume` (go on); a cancel wakes it to throw.
 */
class StepControl {
  paused = false;
  private wake: (() => void) | null = null;
  /** Set by a "whole step": checkpoints of other phases pass until one of this phase. */
  private until: string | null = null;

  constructor(
    private readonly port: WorkerEndpoint,
    private readonly signal: AbortSignal,
  ) {}

  pause(): void {
    this.paused = true;
  }
  step(until?: string): void {
    this.until = until ?? null;
    this.wake?.();
  }
  resume(): void {
    this.paused = false;
    this.until = null;
    this.wake?.();
  }

  async checkpoint(phase: string, step: number): Promise<void> {
    await yieldToEventLoop(); // lets pause and cancel messages in
    if (this.signal.aborted) throw new CancelledError();
    if (!this.paused) return;
    if (this.until !== null) {
      if (phase !== this.until) return;
      this.until = null;
    }
    this.port.send({ type: 'paused', phase, step });
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    if (this.signal.aborted) throw new CancelledError();
    this.port.send({ type: 'running', phase, step });
  }
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** A note as the host keeps it: English, and the text to translate. */
const noteOf = (text: LocalText) => ({ message: inEnglish(text), text });

async function run(
  port: WorkerEndpoint,
  start: Extract<HostToWorker, { type: 'start' }>,
  signal: AbortSignal,
  control: StepControl,
) {
  const algorithm = engineAlgorithms[start.algorithm];
  if (!algorithm)
    throw new DataError(localText('refuse.unknownAlgorithm', { algorithm: start.algorithm }));
  const params = algorithm.params.parse(start.params);
  const backend =
    algorithm.tensors === false ? { name: 'js', notes: [] as LocalText[] } : await initBackend();
  port.send({ type: 'started', backend: backend.name, notes: backend.notes.map(noteOf) });
  const send = (m: WorkerToHost) => port.send(m);
  const note = (text: LocalText) => send({ type: 'note', ...noteOf(text) });
  const attempt = () =>
    algorithm.run({
      tf,
      data: start.data,
      params,
      seed: start.seed,
      rng: createRng(start.seed),
      signal,
      checkpoint: (phase, step) => control.checkpoint(phase, step),
      paused: () => control.paused,
      emit: {
        metrics: (step, values) => send({ type: 'metrics', step, values }),
        artifact: (kind, step, meta, data) => send({ type: 'artifact', kind, step, meta, data }),
        progress: (fraction, stage) =>
          send({
            type: 'progress',
            fraction: clamp01(fraction),
            ...(stage ? { stage: { ...stage, fraction: clamp01(stage.fraction) } } : {}),
          }),
        note,
      },
    });
  return withCpuFallback(attempt, (text) => {
    note(text);
    send({ type: 'backend', backend: 'cpu' });
  });
}

function main(): void {
  const port = endpoint();
  // The host ends this process once the run has ended; if the host itself goes away first,
  // there is nobody left to report to.
  process.on('disconnect', () => process.exit(0));
  // Load the backend while waiting for work: a warm worker then starts a run at once.
  initBackend().catch(() => {});
  const abort = new AbortController();
  const control = new StepControl(port, abort.signal);
  let started = false;
  port.onMessage((raw) => {
    const parsed = hostToWorker.safeParse(raw);
    if (!parsed.success) {
      port.send({
        type: 'failed',
        message: `malformed message to the engine: ${parsed.error.message}`,
        dataError: false,
      });
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'cancel':
        abort.abort();
        control.step(); // wakes a paused checkpoint, which then throws
        return;
      case 'pause':
        return control.pause();
      case 'step':
        return control.step(msg.until);
      case 'resume':
        return control.resume();
    }
    if (started) return;
    started = true;
    if (msg.paused) control.pause();
    run(port, msg, abort.signal, control).then(
      (summary) => {
        // Any algorithm's summary is a plain object: it travels as its own fields.
        port.send({ type: 'done', summary: Object.fromEntries(Object.entries(summary)) });
      },
      (e: unknown) => {
        if (e instanceof CancelledError) port.send({ type: 'cancelled' });
        else
          port.send({
            type: 'failed',
            message: e instanceof Error ? e.message : String(e),
            dataError: e instanceof DataError,
            // Any translatable error (a DataError, a sampler's numerical failure) keeps its text.
            ...(e instanceof TextError && e.text ? { text: e.text } : {}),
          });
      },
    );
  });
}

main();
