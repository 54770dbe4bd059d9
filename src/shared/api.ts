/**
 * The one contract between the renderer and the host. Every request is declared here with the zod
 * schema of its input (the host validates every call against it: the renderer is not trusted) and
 * the type of its output; every event the host pushes is declared here too. Electron IPC and the
 * web shell's WebSocket both carry exactly this.
 */
import { z } from 'zod';
import { algorithmIds } from './algorithms';
import type { ParamValues } from './algorithms/fields';
import type { Artifact, ArtifactKind } from './artifacts';
import { artifactKinds } from './artifacts';

export const columnTypes = ['number', 'integer', 'text', 'empty'] as const;
export type ColumnType = (typeof columnTypes)[number];

export interface ColumnInfo {
  name: string;
  type: ColumnType;
  /** Cells that are empty or not finite numbers. */
  missing: number;
}

export interface DatasetMeta {
  id: number;
  name: string;
  rows: number;
  columns: ColumnInfo[];
  builtin: boolean;
  /** sha-256 of the stored values, so a run names exactly the data it saw. */
  hash: string;
  createdAt: string;
}

export interface DatasetValues {
  id: number;
  columns: string[];
  rows: number;
  /** Row-major, rows × columns.length; non-numeric cells are NaN. */
  values: Float64Array;
}

export interface CsvPreview {
  delimiter: string;
  hasHeader: boolean;
  rowCount: number;
  columns: ColumnInfo[];
  /** The first rows as text, for a table. */
  head: string[][];
}

export const runStatuses = [
  'queued',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
] as const;
export type RunStatus = (typeof runStatuses)[number];

/** A run that has not ended: it may still write metrics and can be cancelled. */
export function isActiveStatus(status: RunStatus): boolean {
  return status === 'queued' || status === 'running' || status === 'paused';
}

export interface RunInfo {
  id: number;
  name: string;
  algorithm: string;
  datasetId: number | null;
  datasetName: string;
  columns: string[];
  params: ParamValues;
  seed: number;
  backend: string | null;
  status: RunStatus;
  /** In step mode: the phase the run is paused after (or last passed), e.g. 'e-step' of step 3. */
  phase: { name: string; step: number } | null;
  progress: number;
  error: string | null;
  notes: string[];
  /** The user's own labels and remark. */
  tags: string[];
  note: string;
  summary: Record<string, unknown> | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface MetricSeries {
  key: string;
  steps: Float64Array;
  values: Float64Array;
  /** Milliseconds from the run's start to when each point was reported. */
  wallMs: Float64Array;
}

/** What an export wrote: the folder and the files in it, relative to it. */
export interface ExportResult {
  dir: string;
  files: string[];
}

/** A fitted mixture applied to new rows. */
export interface ScoreResult {
  columns: string[];
  rows: number;
  k: number;
  /** The rows scored, row-major rows × columns. */
  values: Float64Array;
  /** log p(x) of each row under the mixture. */
  logLikelihood: Float64Array;
  /** rows × K, row-major. */
  responsibilities: Float64Array;
  /** The most likely component of each row (0-based). */
  labels: Int32Array;
  meanLogLikelihood: number;
  droppedRows: number;
}

export interface SampleResult {
  columns: string[];
  /** n × columns, row-major. */
  values: Float64Array;
  /** The component each draw came from (0-based). */
  labels: Int32Array;
}

export interface StoredArtifact extends Artifact {
  id: number;
}

const id = z.number().int().positive();
const uniqueNames = z
  .array(z.string())
  .min(1)
  .refine((a) => new Set(a).size === a.length, 'a column is named twice');
/** Paths cross the boundary absolute: never resolved against whatever folder the host runs in. */
const absolutePath = z
  .string()
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'must be an absolute path');
const csvSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text'), text: z.string().max(512 * 1024 * 1024) }),
  z.strictObject({ kind: z.literal('path'), path: absolutePath }),
]);
export type CsvSource = z.infer<typeof csvSource>;

function request<O>() {
  return <I extends z.ZodType>(input: I) => ({ input, output: undefined as unknown as O });
}

export const requests = {
  'app.info': request<{ version: string; dataDir: string; cores: number; maxWorkers: number }>()(
    z.strictObject({}),
  ),
  'datasets.list': request<DatasetMeta[]>()(z.strictObject({})),
  'datasets.preview': request<CsvPreview>()(z.strictObject({ source: csvSource })),
  'datasets.import': request<DatasetMeta>()(
    z.strictObject({
      source: csvSource,
      name: z.string().trim().min(1).max(200),
      /** Keep only these columns (default: every numeric column). */
      columns: uniqueNames.optional(),
      /** Drop rows with missing or non-numeric values in the kept columns instead of refusing. */
      dropInvalidRows: z.boolean().default(false),
      /** Echoed in `dataset.importProgress` events so a client can follow its own import. */
      importId: z.string().max(100).optional(),
    }),
  ),
  'datasets.values': request<DatasetValues>()(z.strictObject({ id })),
  'datasets.delete': request<{ deleted: boolean }>()(z.strictObject({ id })),
  'runs.start': request<RunInfo>()(
    z.strictObject({
      algorithm: z.enum(algorithmIds),
      datasetId: id,
      columns: uniqueNames,
      /** Validated against the algorithm's own schema by the host. */
      params: z.record(z.string(), z.unknown()),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1),
      name: z.string().trim().max(200).optional(),
      /** Pause at the first checkpoint (step mode from the start). */
      startPaused: z.boolean().default(false),
    }),
  ),
  'runs.cancel': request<{ cancelled: boolean }>()(z.strictObject({ id })),
  /** Step mode: pause at the next checkpoint, advance to the next one, or run on. */
  'runs.pause': request<{ ok: boolean }>()(z.strictObject({ id })),
  'runs.step': request<{ ok: boolean }>()(z.strictObject({ id })),
  'runs.resume': request<{ ok: boolean }>()(z.strictObject({ id })),
  'runs.list': request<RunInfo[]>()(z.strictObject({})),
  'runs.get': request<RunInfo>()(z.strictObject({ id })),
  'runs.metrics': request<MetricSeries[]>()(z.strictObject({ id })),
  'runs.artifacts': request<StoredArtifact[]>()(
    z.strictObject({
      id,
      kind: z.enum(artifactKinds).optional(),
      /** Only the artifact with the highest step of each kind. */
      latestOnly: z.boolean().default(false),
    }),
  ),
  'runs.delete': request<{ deleted: boolean }>()(z.strictObject({ id })),
  'runs.update': request<RunInfo>()(
    z.strictObject({
      id,
      name: z.string().trim().min(1).max(200).optional(),
      tags: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
      note: z.string().max(10_000).optional(),
    }),
  ),
  /** The same algorithm, data, columns, parameters and seed again, as a new run. */
  'runs.rerun': request<RunInfo>()(z.strictObject({ id })),
  /**
   * One run (ids of length 1) or a comparison of 2–6 runs, written into `dir` (created; refused
   * if it exists and is not empty, unless `overwrite`).
   */
  'runs.export': request<ExportResult>()(
    z.strictObject({
      ids: z.array(id).min(1).max(6),
      dir: absolutePath,
      overwrite: z.boolean().default(false),
    }),
  ),
  /** The same export as a zip file, for the web shell to download. */
  'runs.exportZip': request<{ fileName: string; data: Uint8Array }>()(
    z.strictObject({ ids: z.array(id).min(1).max(6) }),
  ),
  /** A run folder written by runs.export, back into the library as a new run. */
  'runs.import': request<RunInfo>()(z.strictObject({ dir: absolutePath })),
  /** A native folder picker (desktop app only; the web shell answers 'unsupported'). */
  'app.chooseFolder': request<{ dir: string | null }>()(z.strictObject({})),
  /** Use a fitted Gaussian mixture (a completed GMM run): score new rows, or draw from it. */
  'models.score': request<ScoreResult>()(
    z.strictObject({ id, source: csvSource, dropInvalidRows: z.boolean().default(false) }),
  ),
  'models.sample': request<SampleResult>()(
    z.strictObject({
      id,
      n: z.number().int().min(1).max(1_000_000),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1),
    }),
  ),
} as const;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>;
export type RequestParsed<N extends RequestName> = z.output<Requests[N]['input']>;
export type RequestOutput<N extends RequestName> = Requests[N]['output'];

/** Events the host pushes; throttled per run to at most ~20 a second. */
export interface Events {
  'run.updated': RunInfo;
  'run.deleted': { id: number };
  'run.metrics': { runId: number; points: { step: number; key: string; value: number }[] };
  'run.artifact': { runId: number; artifact: StoredArtifact };
  'dataset.importProgress': { importId: string; fraction: number };
  'datasets.changed': { reason: 'imported' | 'deleted' };
}
export type EventName = keyof Events;
export const eventNames: EventName[] = [
  'run.updated',
  'run.deleted',
  'run.metrics',
  'run.artifact',
  'dataset.importProgress',
  'datasets.changed',
];

/** A typed client: the renderer's transports and the tests implement this. */
export interface Api {
  call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** Errors that cross the boundary carry a code the client can act on and a readable message. */
export type ErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'bad-data'
  | 'conflict'
  /** The target exists and is not empty: asking "overwrite?" makes sense. */
  | 'exists'
  | 'unsupported'
  | 'internal';
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}

export type { Artifact, ArtifactKind, ParamValues };
