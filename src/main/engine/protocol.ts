/**
 * Messages between the host and an engine worker. Both directions are validated with zod: the
 * worker trusts nothing it did not check, and neither does the host.
 */
import { z } from 'zod';
import {
  artifactKinds,
  float64ArraySchema,
  mixtureSchema,
  typedArraySchema,
} from '../../shared/artifacts';
import { localTextSchema } from '../../shared/i18n';
import { stageReportSchema } from '../../shared/progress';
import { compiledFormulaSchema } from './sampling/formula-target';

export const hostToWorker = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    runId: z.number().int(),
    algorithm: z.string(),
    params: z.record(z.string(), z.unknown()),
    seed: z.number().int(),
    /** Start paused: stop at the first checkpoint. */
    paused: z.boolean(),
    data: z.object({
      values: float64ArraySchema,
      rows: z.number().int().nonnegative(),
      cols: z.number().int().nonnegative(),
      columns: z.array(z.string()),
      image: z
        .object({
          width: z.number().int().positive(),
          height: z.number().int().positive(),
          channels: z.number().int().positive(),
        })
        .optional(),
      labels: z
        .custom<Int32Array>((v) => v instanceof Int32Array, 'expected an Int32Array')
        .optional(),
      mixture: mixtureSchema.optional(),
      formula: compiledFormulaSchema.optional(),
    }),
  }),
  z.object({ type: z.literal('cancel') }),
  z.object({ type: z.literal('pause') }),
  /** Go on to the next checkpoint; with `until`, on through checkpoints to the next of that phase. */
  z.object({ type: z.literal('step'), until: z.string().max(100).optional() }),
  z.object({ type: z.literal('resume') }),
]);
export type HostToWorker = z.infer<typeof hostToWorker>;

/** A remark kept with the run: English, and the same as a translatable text (see LocalText). */
const noteSchema = z.object({ message: z.string(), text: localTextSchema.optional() });

export const workerToHost = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), backend: z.string(), notes: z.array(noteSchema) }),
  z.object({
    type: z.literal('metrics'),
    step: z.number().int(),
    values: z.record(z.string(), z.number()),
  }),
  z.object({
    type: z.literal('artifact'),
    kind: z.enum(artifactKinds),
    step: z.number().int(),
    meta: z.unknown(),
    data: typedArraySchema.optional(),
  }),
  z.object({
    type: z.literal('progress'),
    fraction: z.number().min(0).max(1),
    /** The stage the run is in (training, then an estimate), when it has several. */
    stage: stageReportSchema.optional(),
  }),
  z.object({ type: z.literal('note'), ...noteSchema.shape }),
  /** A note that the run now uses a different backend (e.g. after a missing kernel). */
  z.object({ type: z.literal('backend'), backend: z.string() }),
  /** Stopped at a checkpoint (step mode), or going on from one. */
  z.object({ type: z.literal('paused'), phase: z.string(), step: z.number().int() }),
  z.object({ type: z.literal('running'), phase: z.string(), step: z.number().int() }),
  z.object({ type: z.literal('done'), summary: z.record(z.string(), z.unknown()) }),
  z.object({
    type: z.literal('failed'),
    message: z.string(),
    dataError: z.boolean(),
    /** The message as a translatable text (see LocalText), when the engine has one. */
    text: localTextSchema.optional(),
  }),
  z.object({ type: z.literal('cancelled') }),
]);
export type WorkerToHost = z.infer<typeof workerToHost>;

/** The worker side of a process boundary: child_process IPC or Electron's parentPort. */
export interface WorkerEndpoint {
  send(message: WorkerToHost): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The host side: one launched worker process. */
export interface WorkerHandle {
  send(message: HostToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process is gone, with a reason readable by a person. */
  onExit(listener: (reason: string, clean: boolean) => void): void;
  kill(): void;
}

export type LaunchWorker = () => WorkerHandle;
