/**
 * The engine contract: an algorithm is `{ id, params, run(ctx) }`. It reads only what the context
 * hands it and reports only through `ctx.emit`, so unit tests call `run` directly with real arrays.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import type { ArtifactKind, Mixture, TypedArray } from '../../shared/artifacts';
import { localText, TextError, type LocalText } from '../../shared/i18n';
import type { ParamValues } from '../../shared/algorithms/fields';
import type { StageReport } from '../../shared/progress';
import type { Rng } from '../../shared/rng';
import type { CompiledFormula } from './sampling/formula-target';

export interface EngineData {
  /** Row-major rows × cols values. */
  values: Float64Array;
  rows: number;
  cols: number;
  columns: string[];
  /** Set when every row is one image, its cols = width × height × channels values (row-major). */
  image?: { width: number; height: number; channels: number };
  /** One class label per row (e.g. the digit), for colouring plots; never used for training. */
  labels?: Int32Array;
  /** A fitted model the run starts from (a GMM run's mixture, as a sampler's target). */
  mixture?: Mixture;
  /** A sampler's typed formula, compiled by the host once (not parsed again here). */
  formula?: CompiledFormula;
}

export interface Emitter {
  metrics(step: number, values: Record<string, number>): void;
  artifact(kind: ArtifactKind, step: number, meta: unknown, data?: TypedArray): void;
  /**
   * Fraction of the run done, in [0, 1], and of the stage it is in when its stages take time
   * differently (the page times each stage by its own pace: see src/shared/progress.ts).
   */
  progress(fraction: number, stage?: StageReport): void;
  /** A remark kept with the run (e.g. a restart kept), shown in the reader's language. */
  note(text: LocalText): void;
}

export interface AlgorithmContext<P> {
  tf: typeof tf;
  data: EngineData;
  params: P;
  seed: number;
  rng: Rng;
  emit: Emitter;
  signal: AbortSignal;
  /**
   * A point where the run may be paused for step mode, named by the phase just finished (e.g.
   * 'e-step', 'm-step') and its step. Resolves at once unless the user paused; then when they
   * step or resume. Also yields to the event loop, so cancel and pause messages are handled.
   * Throws CancelledError if the run is cancelled.
   */
  checkpoint(phase: string, step: number): Promise<void>;
  /** Whether the user has paused the run (an algorithm may then record more detail per step). */
  paused?(): boolean;
}

/** An algorithm with its parameter type `P` and summary type `S` (without them: any algorithm). */
export interface Algorithm<P extends ParamValues = ParamValues, S extends object = object> {
  id: string;
  /**
   * False for an algorithm written on plain typed arrays (the samplers, in float64): the worker
   * then starts no tensor backend and records the run's backend as 'js'.
   */
  tensors?: boolean;
  params: z.ZodType<P>;
  run(ctx: AlgorithmContext<P>): Promise<S>;
}

/** A problem with the user's input or data: reported as is, with what to change. */
export class DataError extends TextError {
  constructor(message: LocalText | string) {
    super(message);
    this.name = 'DataError';
  }
}

/**
 * Every value finite, and with `unitRange` (a message key) also in [0, 1]: otherwise a DataError
 * naming the first bad row and column.
 */
export function checkValues(
  data: EngineData,
  unitRange: 'fail.bernoulliRange' | 'fail.binaryRange' | null,
): void {
  const { values, rows, cols, columns } = data;
  for (let i = 0; i < rows * cols; i++) {
    const v = values[i];
    if (Number.isFinite(v) && (!unitRange || (v >= 0 && v <= 1))) continue;
    const where = {
      row: Math.floor(i / cols) + 1,
      column: columns[i % cols] ?? i % cols,
      value: v,
    };
    throw new DataError(localText(Number.isFinite(v) ? unitRange! : 'fail.missingValue', where));
  }
}

/** An image set's width × height × channels must be its number of columns. */
export function checkImageShape(
  image: { width: number; height: number; channels: number },
  cols: number,
): void {
  if (image.width * image.height * image.channels !== cols)
    throw new DataError(localText('refuse.imageShape', { ...image, cols }));
}

/** Thrown by an algorithm that saw `ctx.signal` aborted. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/** Lets pending messages (cancel) be handled between steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
