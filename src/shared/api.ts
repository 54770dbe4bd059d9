/**
 * The one contract between the renderer and the host. Every request is declared here with the zod
 * schema of its input (the host validates every call against it: the renderer is not trusted) and
 * the type of its output; every event the host pushes is declared here too. Electron IPC and the
 * web shell's WebSocket both carry exactly this.
 */
import { z } from 'zod';
import { algorithmSpecs, specOf } from './algorithms';
import type { ParamValues } from './algorithms/fields';
import type { Artifact, ArtifactKind } from './artifacts';
import { inEnglish, type LocalText } from './i18n';
import { artifactKinds } from './artifacts';
import type { RunStage } from './progress';

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
  /**
   * Set for an image set: every row is one image of width × height × channels pixels in [0, 1]
   * (stored as bytes). Its `columns` is then the single pseudo-column IMAGE_COLUMN ("image"),
   * which stands for every pixel; read its pixels with `datasets.images`, not `datasets.values`.
   */
  image?: ImageShape;
  /**
   * Whether each row has a class label: an image set's class number (e.g. the digit; read them with
   * `datasets.images`), or a table's label column (`labelColumn`), kept beside the values and never
   * learnt from.
   */
  labels: boolean;
  /** A table's label column: the text (or integer) column kept as labels at import. */
  labelColumn?: string;
}

/** A table's labels: one code per row into `names` (−1 where the cell was missing). */
export interface TableLabels {
  column: string;
  names: string[];
  codes: Int32Array;
}

export interface ImageShape {
  width: number;
  height: number;
  channels: number;
}

/**
 * The one column an image set lists: a run on an image set names `columns: ["image"]` and sees
 * every pixel (the engine gets them as columns p0 … p{n−1}, n = width × height × channels).
 */
export const IMAGE_COLUMN = 'image';

/** A page of an image set, for galleries and previews. */
export interface DatasetImages extends ImageShape {
  /** Images offset … offset + count − 1 (fewer at the end of the set). */
  offset: number;
  count: number;
  /** count × width × height × channels bytes, row-major per image (0 = 0.0, 255 = 1.0). */
  pixels: Uint8Array;
  /** The label of each image returned, or null when the set has none. */
  labels: Int32Array | null;
  /** Images in the whole set. */
  total: number;
}

export interface DatasetValues {
  id: number;
  columns: string[];
  rows: number;
  /** Row-major, rows × columns.length; non-numeric cells are NaN. */
  values: Float64Array;
}

/** The text encodings a CSV may be in (detected, or chosen in the preview). */
export const textEncodings = [
  'utf-8',
  'utf-16le',
  'utf-16be',
  'gb18030',
  'big5',
  'shift_jis',
  'windows-1252',
] as const;
export type TextEncoding = (typeof textEncodings)[number];

export const csvDelimiters = [',', ';', '\t', '|'] as const;

/**
 * Cells read as missing unless the user gives a list of their own: pandas' `read_csv` defaults
 * (`na_values`), and `?` and `-`, which spreadsheets and UCI files use. Matched exactly, after
 * trimming spaces. `inf`, `-inf` and `Infinity` (any case) are not missing but non-finite.
 */
export const defaultNaValues = [
  '',
  'NA',
  'N/A',
  'n/a',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '<NA>',
  'NaN',
  '-NaN',
  'nan',
  '-nan',
  'NULL',
  'null',
  'None',
  '1.#IND',
  '-1.#IND',
  '1.#QNAN',
  '-1.#QNAN',
  '?',
  '-',
];

/** How a file is read; what is not given is detected (`CsvPreview` says what was used). */
export const readOptions = z.strictObject({
  encoding: z.enum(textEncodings).optional(),
  delimiter: z.enum(csvDelimiters).optional(),
  /** The decimal mark: ',' for files like `1,5;2,25` (semicolons between cells). */
  decimal: z.enum(['.', ',']).optional(),
  /** Cells that count as missing (default: `defaultNaValues`). */
  naValues: z.array(z.string().max(100)).max(200).optional(),
  /** A workbook's sheet (default: the first). */
  sheet: z.string().max(200).optional(),
});
export type ReadOptions = z.infer<typeof readOptions>;

/** A column as the preview found it: how many cells of each kind, and the odd ones. */
export interface PreviewColumn extends ColumnInfo {
  /** Finite numbers. */
  numbers: number;
  /** inf, -inf, Infinity. */
  nonFinite: number;
  /**
   * Cells that are neither numbers nor missing: in a numeric column (`type` number or integer)
   * these are strays (a typo, a note), which the import treats as missing or refuses; in a text
   * column, its values. The first few are quoted with their line.
   */
  other: { count: number; examples: { value: string; line: number }[] };
  /** Distinct values when there are few enough (≤ 256) for the column to be kept as labels. */
  distinct: number | null;
}

/** A column of a table as `datasets.overview` sums it up, over its finite values. */
export interface ColumnSummary {
  name: string;
  type: ColumnType;
  /** Finite values. */
  count: number;
  /** Cells that are not finite numbers (a stored table keeps a missing cell as NaN). */
  missing: number;
  /** Null when the column has no finite value. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** The sample standard deviation (n − 1 below, as numpy's std(ddof=1) and pandas' std()); null below two values. */
  sd: number | null;
  /**
   * Counts of the finite values between edges (edges.length = counts.length + 1); each bin holds
   * its left edge, the last also its right, as numpy.histogram. Null when the column has none.
   */
  histogram: { edges: number[]; counts: number[] } | null;
}

/** Some rows of a table: their indices, their values (row-major, every column) and labels. */
export interface TableRows {
  rows: Int32Array;
  values: Float64Array;
  /** Each row's code into the overview's `labels.names` (−1: none); null without labels. */
  labels: Int32Array | null;
}

/** What the data set page shows of a table. */
export interface TableOverview {
  kind: 'table';
  dataset: DatasetMeta;
  columns: ColumnSummary[];
  /** Rows spread evenly over the table (every row of a small one), for a scatter matrix. */
  sample: TableRows;
  /** The first rows. */
  head: TableRows;
  /** The label column's names and how many rows carry each (and none), over the whole table. */
  labels: { column: string; names: string[]; counts: number[]; missing: number } | null;
}

/** What the data set page shows of an image set besides its images (`datasets.images`). */
export interface ImageOverview {
  kind: 'images';
  dataset: DatasetMeta;
  /** Images per class label, by label; null for a set without labels. */
  labelCounts: { label: number; count: number }[] | null;
}

export type DatasetOverview = TableOverview | ImageOverview;

export interface CsvPreview {
  /** Names this parsed file in the import that follows (`source: { kind: 'preview', id }`). */
  previewId: string;
  format: 'csv' | 'xlsx';
  /** A text file's encoding, and whether it was detected (or chosen). */
  encoding: TextEncoding | null;
  encodingDetected: boolean;
  /** A workbook's sheets and the one read. */
  sheets: string[];
  sheet: string | null;
  delimiter: string;
  decimal: '.' | ',';
  naValues: string[];
  hasHeader: boolean;
  rowCount: number;
  columns: PreviewColumn[];
  /** The first rows as text, for a table (the header first, when there is one). */
  head: string[][];
  /** Sentences on what the file holds that a reader must know: stray cells, undecodable text. */
  warnings: LocalText[];
}

/** An import's outcome: the data set, and a sentence for everything left out or changed. */
export interface ImportResult {
  dataset: DatasetMeta;
  notes: LocalText[];
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

/** Whether the data set a run learnt from has been deleted (a run that took none never had one). */
export function datasetGone(run: Pick<RunInfo, 'datasetId' | 'datasetName'>): boolean {
  return run.datasetId === null && run.datasetName !== '';
}

export interface RunInfo {
  id: number;
  name: string;
  algorithm: string;
  /** Null for a run that takes no data (a sampler of a fixed target); its datasetName is ''. */
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
  /** The stage it is in and the clock of its pace, while it runs (null before its first report). */
  stage: RunStage | null;
  error: string | null;
  /** The error as a translatable text, when the engine gave one. */
  errorText: LocalText | null;
  /** Remarks kept with the run (a backend fallback, trouble seen), in English. */
  notes: string[];
  /** Each note as a translatable text, parallel to `notes` (null: a note with none). */
  noteTexts: (LocalText | null)[];
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
  /**
   * How many points the run has, when more than are here: a long series is sent thinned to
   * MAX_SENT_POINTS (each stretch of steps keeps its lowest and highest point).
   */
  total?: number;
}

/** Points of one metric `runs.metrics` sends at most (~0.5 MB; charts draw a few thousand). */
export const MAX_SENT_POINTS = 20_000;

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
/** The runs of one export: one run, or a comparison of 2–6. */
export const exportIds = z.array(id).min(1).max(6);
/**
 * The web shell's zip download of an export (HTTP GET, streamed): `?ids=1,2,3`. Not a request
 * of the contract, whose replies are held whole in memory.
 */
export const EXPORT_ZIP_PATH = '/export.zip';
/** An uploaded file's limit, and a chunk's: a chunk is one WebSocket frame. */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
export const UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * The largest request frame the web shell reads (one call, typed arrays included): a chunk and
 * its envelope with room to spare. A larger frame closes the socket (1009) before it is buffered.
 */
export const MAX_REQUEST_FRAME_BYTES = UPLOAD_CHUNK_BYTES + 2 * 1024 * 1024;
/**
 * Lengths of what people type: a data set's or a run's name, a tag, the tags of a run, a run's
 * note. The page checks them as they are typed (and says so in the reader's language); the
 * contract refuses what still goes over.
 */
export const textLimits = { name: 200, tag: 40, tags: 20, note: 10_000 } as const;
/** A data set's name, as imported or renamed: trimmed, 1–200 characters. */
const datasetName = z.string().trim().min(1).max(textLimits.name);
const distinct = (a: string[]) => new Set(a).size === a.length;
/** A column's name is at most this long: a longer header cell is cut (and the import says so). */
export const MAX_COLUMN_NAME = 200;
const columnName = z.string().max(MAX_COLUMN_NAME);
const uniqueNames = z.array(columnName).min(1).refine(distinct, 'a column is named twice');
/** The same, possibly empty (a run without data chooses no columns). */
// A run names stored columns: ones imported before names were cut at MAX_COLUMN_NAME too.
const uniqueNamesOrNone = z.array(z.string()).refine(distinct, 'a column is named twice');
/** Paths cross the boundary absolute: never resolved against whatever folder the host runs in. */
/** A folder or file named from the root (/…, C:\…, \\server\…): the host has no "current" folder. */
export const isAbsolutePath = (p: string): boolean => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p);
const absolutePath = z.string().refine(isAbsolutePath, 'must be an absolute path');
const csvSource = z.discriminatedUnion('kind', [
  /** A pasted table (tab-separated from a spreadsheet) or a small file's text. */
  z.strictObject({ kind: z.literal('text'), text: z.string().max(512 * 1024 * 1024) }),
  z.strictObject({ kind: z.literal('path'), path: absolutePath }),
  /** A file sent in chunks (`uploads.begin`, `uploads.chunk`): the web shell's way. */
  z.strictObject({ kind: z.literal('upload'), id: z.uuid() }),
  /** A file already sent for a preview (`CsvPreview.previewId`): not sent or parsed again. */
  z.strictObject({ kind: z.literal('preview'), id: z.uuid() }),
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
  /**
   * Starts sending a file (the web shell cannot hand the host a path): then `uploads.chunk` in
   * order, then name it as `{ kind: 'upload', id }`. Kept until imported or 30 minutes old.
   */
  'uploads.begin': request<{ id: string }>()(
    z.strictObject({ size: z.number().int().min(0).max(MAX_UPLOAD_BYTES) }),
  ),
  'uploads.chunk': request<{ received: number }>()(
    z.strictObject({
      id: z.uuid(),
      /** Where the chunk goes: the bytes received so far (chunks come in order). */
      offset: z.number().int().min(0),
      data: z.instanceof(Uint8Array).refine((d) => d.length <= UPLOAD_CHUNK_BYTES, {
        message: `a chunk holds at most ${UPLOAD_CHUNK_BYTES} bytes`,
      }),
    }),
  ),
  /**
   * What a file holds. A preview's id with new `read` options reads the same file again (another
   * encoding, delimiter, decimal mark, missing-value list or sheet).
   */
  'datasets.preview': request<CsvPreview>()(
    z.strictObject({
      source: csvSource,
      read: readOptions.optional(),
      /** Echoed in `dataset.importProgress` events (as `importId`) while the file is read. */
      progressId: z.string().max(100).optional(),
    }),
  ),
  'datasets.import': request<ImportResult>()(
    z.strictObject({
      source: csvSource,
      /** How to read a path, text or upload (a preview is imported as it was read). */
      read: readOptions.optional(),
      name: datasetName,
      /**
       * Keep only these columns (default: every numeric column without stray cells, and with them
       * when `strayCellsAsMissing`). Every column left out is named in the result's notes.
       */
      columns: uniqueNames.optional(),
      /** Drop rows with missing or non-finite values in the kept columns instead of refusing. */
      dropInvalidRows: z.boolean().default(false),
      /**
       * Treat the non-numeric cells of numeric columns (a typo like `five`) as missing; without it
       * a kept column with such a cell refuses the import, naming the cell.
       */
      strayCellsAsMissing: z.boolean().default(false),
      /** Echoed in `dataset.importProgress` events so a client can follow its own import. */
      importId: z.string().max(100).optional(),
      /**
       * Import as an image set: one row per image, one column per pixel (row-major), one channel.
       * The pixel columns are every column but `labelColumn` (`columns` is then refused), and
       * must number width × height. Values are 0–255 (non-integers rounded); a file whose values
       * all lie in [0, 1] is read as intensities 0–1 and scaled by 255. Anything else refuses
       * the file ('bad-data'), and nothing is stored.
       */
      image: z
        .strictObject({
          width: z.number().int().min(1).max(4096),
          height: z.number().int().min(1).max(4096),
        })
        .optional(),
      /**
       * A column kept as labels beside the values, never learnt from: a table's text (or integer)
       * column of at most 256 distinct values (missing cells allowed), or an image set's integer
       * class (e.g. the digit).
       */
      labelColumn: columnName.min(1).optional(),
    }),
  ),
  /** A table's values. Refused ('unsupported') for an image set: use `datasets.images`. */
  'datasets.values': request<DatasetValues>()(z.strictObject({ id })),
  /** Up to 256 images of an image set from `offset` (refused for a table). */
  'datasets.images': request<DatasetImages>()(
    z.strictObject({
      id,
      offset: z.number().int().min(0),
      count: z.number().int().min(1).max(256),
    }),
  ),
  'datasets.delete': request<{ deleted: boolean }>()(z.strictObject({ id })),
  /** Per-column summaries, a sample for a scatter matrix and the first rows (or label counts). */
  'datasets.overview': request<DatasetOverview>()(z.strictObject({ id })),
  /** Refused ('conflict') for a bundled set: the app finds those by name. */
  'datasets.rename': request<DatasetMeta>()(z.strictObject({ id, name: datasetName })),
  'runs.start': request<RunInfo>()(
    z.strictObject({
      // Looked up in the registry when a request arrives (a test may register an algorithm).
      algorithm: z.string().refine((a) => specOf(a) !== null, {
        error: (issue) =>
          `unknown algorithm "${String(issue.input)}" (one of: ${Object.keys(algorithmSpecs).join(', ')})`,
      }),
      /** Null for an algorithm that takes no data with these parameters (a fixed target). */
      datasetId: id.nullable(),
      /** Columns of a table; for an image set exactly [IMAGE_COLUMN] (every pixel); none without data. */
      columns: uniqueNamesOrNone,
      /** Validated against the algorithm's own schema by the host. */
      params: z.record(z.string(), z.unknown()),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1),
      name: z.string().trim().max(textLimits.name).optional(),
      /** Pause at the first checkpoint (step mode from the start). */
      startPaused: z.boolean().default(false),
    }),
  ),
  'runs.cancel': request<{ cancelled: boolean }>()(z.strictObject({ id })),
  /** Step mode: pause at the next checkpoint, advance to the next one, or run on. */
  'runs.pause': request<{ ok: boolean }>()(z.strictObject({ id })),
  'runs.step': request<{ ok: boolean }>()(
    z.strictObject({
      id,
      /** Go on through checkpoints to the next one of this phase (a GAN's whole D-and-G step). */
      until: z.string().trim().min(1).max(100).optional(),
    }),
  ),
  'runs.resume': request<{ ok: boolean }>()(z.strictObject({ id })),
  'runs.list': request<RunInfo[]>()(z.strictObject({})),
  /** The runs waiting for a free worker in this host, first in line first. */
  'runs.queue': request<RunQueue>()(z.strictObject({})),
  'runs.get': request<RunInfo>()(z.strictObject({ id })),
  'runs.metrics': request<MetricSeries[]>()(z.strictObject({ id })),
  'runs.artifacts': request<StoredArtifact[]>()(
    z.strictObject({
      id,
      kind: z.enum(artifactKinds).optional(),
      /** Only the artifact with the highest step of each kind. */
      latestOnly: z.boolean().default(false),
      /** Only artifacts with a step above this (a live view fetching what it has not seen). */
      afterStep: z.number().int().optional(),
    }),
  ),
  'runs.delete': request<{ deleted: boolean }>()(z.strictObject({ id })),
  'runs.update': request<RunInfo>()(
    z.strictObject({
      id,
      name: z.string().trim().min(1).max(textLimits.name).optional(),
      tags: z.array(z.string().trim().min(1).max(textLimits.tag)).max(textLimits.tags).optional(),
      note: z.string().max(textLimits.note).optional(),
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
      ids: exportIds,
      dir: absolutePath,
      overwrite: z.boolean().default(false),
    }),
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
  /**
   * A sampler's typed log density, checked as the user types: its variables, or what is wrong.
   * Checked off the host's main thread within a time and size budget (a formula over it is
   * refused, saying which). A check with the `channel` of an earlier one still unanswered (one
   * form's checks as the user types) replaces it: the earlier is refused with 'cancelled'.
   */
  'formulas.check': request<FormulaCheck>()(
    z.strictObject({ source: z.string().max(2000), channel: z.string().max(100).optional() }),
  ),
} as const;

/** What `formulas.check` says: the variables and ∂/∂ each, or the problem and where it is. */
export type FormulaCheck =
  | { ok: true; names: string[]; derivatives: string[] }
  | { ok: false; message: string; text: LocalText; start: number; end: number };

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>;
export type RequestParsed<N extends RequestName> = z.output<Requests[N]['input']>;
export type RequestOutput<N extends RequestName> = Requests[N]['output'];

/**
 * The host's queue: runs waiting for one of its `maxWorkers` engine processes, in order. A run
 * queued by another process on the same database (the CLI) is not in it.
 */
export interface RunQueue {
  queued: number[];
  maxWorkers: number;
}

/** Events the host pushes; throttled per run to at most ~20 a second. */
export interface Events {
  'run.updated': RunInfo;
  'run.deleted': { id: number };
  'run.metrics': { runId: number; points: { step: number; key: string; value: number }[] };
  'run.artifact': { runId: number; artifact: StoredArtifact };
  'dataset.importProgress': { importId: string; fraction: number };
  'datasets.changed': { reason: 'imported' | 'deleted' | 'renamed' };
  /** The queue changed: a run joined it, left it for a worker, or was cancelled in it. */
  'runs.queue': RunQueue;
}
export type EventName = keyof Events;
export const eventNames: EventName[] = [
  'run.updated',
  'run.deleted',
  'run.metrics',
  'run.artifact',
  'dataset.importProgress',
  'datasets.changed',
  'runs.queue',
];

/** A typed client: the renderer's transports and the tests implement this. */
export interface Api {
  call<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** The web shell only: the address the export of `ids` downloads from as a zip. */
  zipUrl?(ids: number[]): string;
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
  /** Given up because a newer request replaced it (a formula check superseded as one types). */
  | 'cancelled'
  | 'internal';
export class ApiError extends Error {
  /**
   * @param message English (what logs and the CLI show)
   * @param text the same message as a key and values, for the page to show in its language
   */
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly text?: LocalText,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** An error whose message is a translatable text. */
  static of(code: ErrorCode, text: LocalText): ApiError {
    return new ApiError(code, inEnglish(text), text);
  }
}

/** A value quoted in an error longer than this is cut (a 50 MB cell must not make a 50 MB reply). */
export const MAX_QUOTED_CHARS = 200;
/** And a whole error message longer than this. */
export const MAX_ERROR_MESSAGE_CHARS = 2000;

/** `text` cut to `max` characters with an ellipsis, never inside a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * The error as it may cross the boundary: each value it quotes at most MAX_QUOTED_CHARS (in its
 * text and where the English message quotes it), the message at most MAX_ERROR_MESSAGE_CHARS.
 */
export function boundedError(e: ApiError): ApiError {
  let message = e.message;
  let text = e.text;
  if (text?.vars) {
    const vars: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(text.vars)) {
      if (typeof v === 'string' && v.length > MAX_QUOTED_CHARS) {
        vars[k] = truncateText(v, MAX_QUOTED_CHARS);
        message = message.split(v).join(vars[k]);
      } else vars[k] = v;
    }
    text = { key: text.key, vars };
  }
  message = truncateText(message, MAX_ERROR_MESSAGE_CHARS);
  return message === e.message && text === e.text ? e : new ApiError(e.code, message, text);
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}

export type { Artifact, ArtifactKind, ParamValues };
