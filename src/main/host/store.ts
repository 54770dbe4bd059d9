/**
 * The one SQLite file that holds everything: datasets, runs, their metrics and artifacts.
 * better-sqlite3 is synchronous, which is what we want in the host: each write is a short
 * transaction and the engine never waits on it (it runs in another process).
 */
import Database from 'better-sqlite3';
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  promises as fsp,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  IMAGE_COLUMN,
  type ColumnInfo,
  type DatasetImages,
  type DatasetMeta,
  type ImageShape,
  type DatasetValues,
  type MetricSeries,
  type RunInfo,
  type RunStatus,
  type TableLabels,
  type StoredArtifact,
} from '../../shared/api';
import type { ParamValues } from '../../shared/algorithms/fields';
import type { ArtifactKind, TypedArray } from '../../shared/artifacts';
import { inEnglish, knownText, localText, TextError, type LocalText } from '../../shared/i18n';
import type { RunStage } from '../../shared/progress';
import { migrate } from './migrations';
import { processIsAlive } from './processes';
import { joinBlocks } from './table-scan';

function toBlob(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Copies (SQLite buffers are not aligned for 8-byte views). */
function fromBlob(blob: Buffer, type: string): TypedArray {
  const bytes = new Uint8Array(blob.byteLength);
  bytes.set(blob);
  if (type === 'f64') return new Float64Array(bytes.buffer);
  if (type === 'f32') return new Float32Array(bytes.buffer);
  return bytes;
}

function int32FromBlob(blob: Buffer): Int32Array {
  const bytes = new Uint8Array(blob.byteLength);
  bytes.set(blob);
  return new Int32Array(bytes.buffer);
}

/** Names of an image's pixel columns as the engine sees them: p0 … p{n−1}. */
export function pixelColumnNames(image: ImageShape): string[] {
  return Array.from({ length: pixelsPerImage(image) }, (_, j) => `p${j}`);
}

/** Pixel bytes as values in [0, 1]. */
export function pixelValues(pixels: Uint8Array): Float64Array {
  const out = new Float64Array(pixels.length);
  for (let i = 0; i < out.length; i++) out[i] = pixels[i] / 255;
  return out;
}

function typeTag(a: TypedArray): string {
  return a instanceof Float64Array ? 'f64' : a instanceof Float32Array ? 'f32' : 'u8';
}

export function hashValues(values: Float64Array | Float64Array[], columns: string[]): string {
  const hash = createHash('sha256').update(JSON.stringify(columns));
  // Blocks hash as the one array they make.
  for (const block of Array.isArray(values) ? values : [values]) hash.update(toBlob(block));
  return hash.digest('hex');
}

/** What the store made of a table's values: their hash, and their file when they have one. */
export interface StoredValues {
  hash: string;
  file: string | null;
}

/** The blocks' bytes in slices of at most 256 MB (one write call each), with their offsets. */
function* byteSlices(blocks: Float64Array[]): Generator<[Buffer, number]> {
  const most = 256 << 20;
  let at = 0;
  for (const block of blocks) {
    const bytes = toBlob(block);
    for (let i = 0; i < bytes.length; i += most) {
      const slice = bytes.subarray(i, Math.min(bytes.length, i + most));
      yield [slice, at];
      at += slice.length;
    }
  }
}

/** An image set's hash covers its shape, its pixel bytes and its labels. */
export function hashImages(
  image: ImageShape,
  pixels: Uint8Array,
  labels: Int32Array | null,
): string {
  const h = createHash('sha256')
    .update(JSON.stringify({ image: [image.width, image.height, image.channels] }))
    .update(pixels);
  if (labels) h.update(toBlob(labels));
  return h.digest('hex');
}

/** The pixels of an image set, whole, as stored. */
export interface ImageData {
  rows: number;
  image: ImageShape;
  /** rows × width × height × channels bytes. */
  pixels: Uint8Array;
  labels: Int32Array | null;
}

const pixelsPerImage = (i: ImageShape): number => i.width * i.height * i.channels;

interface RunRow {
  id: number;
  name: string;
  algorithm: string;
  dataset_id: number | null;
  dataset_name: string;
  columns_json: string;
  params_json: string;
  seed: number;
  backend: string | null;
  status: RunStatus;
  progress: number;
  error: string | null;
  error_text_json: string | null;
  notes_json: string;
  notes_text_json: string;
  summary_json: string | null;
  phase_json: string | null;
  stage_json: string | null;
  tags_json: string;
  note: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

interface DatasetRow {
  id: number;
  name: string;
  rows: number;
  columns_json: string;
  builtin: number;
  hash: string;
  created_at: string;
  image_json: string | null;
  has_labels: number;
  label_json: string | null;
}

const datasetMetaColumns = `id, name, rows, columns_json, builtin, hash, created_at, image_json,
  labels IS NOT NULL AS has_labels, label_json`;

/** What a new run is made from: the fields of its RunInfo that are fixed when it is queued. */
export type NewRun = Pick<
  RunInfo,
  'name' | 'algorithm' | 'datasetId' | 'datasetName' | 'columns' | 'params' | 'seed'
>;

export interface MetricPoint {
  step: number;
  key: string;
  value: number;
  wallMs: number;
}

const now = (): string => new Date().toISOString();

/** A table's values this big or bigger go to a file of their own (see migration 9). */
export const VALUES_FILE_FROM_BYTES = 4 << 20;
/** What this class names a values file (and its partial form while written). */
const VALUES_FILE_NAME =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.f64(\.partial)?$/;
/** Metric points an import stores per transaction (~0.03 s of work) before the event loop turns. */
const IMPORT_PIECE = 10_000;

/** A values file no row names, this old, was left by a process that stopped mid-import. */
const ORPHAN_AGE_MS = 60 * 60 * 1000;

export class Store {
  readonly db: Database.Database;
  /** Where big tables' values files live; null for an in-memory database (they stay inside). */
  private readonly valuesDir: string | null;

  constructor(file: string, options: { nativeBinding?: string } = {}) {
    this.db = new Database(
      file,
      options.nativeBinding ? { nativeBinding: options.nativeBinding } : {},
    );
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = NORMAL');
    migrate(this.db);
    this.removeUnfinishedImports();
    // Named after the database, as SQLite names its -wal and -shm files: two databases in one
    // folder never share it, and nothing else is ever in it.
    this.valuesDir = file === ':memory:' || file === '' ? null : `${file}-values`;
    this.removeOrphanValueFiles();
  }

  /**
   * Runs whose import a process began and did not finish (it stopped): gone with their points.
   * One process opens one store, so a row of this process's own id was left by an earlier
   * process that had the same id (a container's app is often pid 1 on every start).
   */
  private removeUnfinishedImports(): void {
    const stopped = (
      this.db.prepare(`SELECT id, host_pid FROM runs WHERE importing = 1`).all() as {
        id: number;
        host_pid: number | null;
      }[]
    ).filter(
      (r) => r.host_pid === null || r.host_pid === process.pid || !processIsAlive(r.host_pid),
    );
    for (const r of stopped) this.deleteRun(r.id);
  }

  /** Values files no data set names: an import stopped between writing one and its row. */
  private removeOrphanValueFiles(): void {
    if (!this.valuesDir) return;
    let files: string[];
    try {
      files = readdirSync(this.valuesDir);
    } catch {
      return; // no folder yet
    }
    const named = new Set(
      (
        this.db.prepare(`SELECT data_file FROM datasets WHERE data_file IS NOT NULL`).all() as {
          data_file: string;
        }[]
      ).map((r) => r.data_file),
    );
    // Another process may be importing now (its file written, its row not yet): only old ones go.
    for (const f of files) {
      const path = join(this.valuesDir, f);
      if (named.has(f) || !VALUES_FILE_NAME.test(f)) continue; // only files this class names
      try {
        if (Date.now() - statSync(path).mtimeMs > ORPHAN_AGE_MS) unlinkSync(path);
      } catch {
        // gone already, or not ours to remove: left alone
      }
    }
  }

  /** A new values file's name, and where it is written until it is whole (see `finishValuesFile`). */
  private newValuesFile(): { name: string; partial: string } {
    mkdirSync(this.valuesDir!, { recursive: true });
    const name = `${randomUUID()}.f64`;
    return { name, partial: join(this.valuesDir!, `${name}.partial`) };
  }

  /**
   * Hashes values and, when they are big, writes them to a file of their own, on disk (fsync)
   * before a row can name it: the writes run on libuv's threads while this one hashes. The import
   * of a big file stores its values so (insertDataset's `stored`).
   */
  async storeValues(blocks: Float64Array[], columns: string[]): Promise<StoredValues> {
    const bytes = blocks.reduce((n, b) => n + b.byteLength, 0);
    if (!this.valuesDir || bytes < VALUES_FILE_FROM_BYTES)
      return { hash: hashValues(blocks, columns), file: null };
    const { name, partial } = this.newValuesFile();
    const handle = await fsp.open(partial, 'w');
    let hash: string;
    try {
      const writes = [...byteSlices(blocks)].map(async ([slice, at]) => {
        const { bytesWritten } = await handle.write(slice, 0, slice.length, at);
        if (bytesWritten !== slice.length) throw new Error(`short write to ${partial}`);
      });
      hash = hashValues(blocks, columns);
      await Promise.all(writes);
      await handle.sync();
    } catch (e) {
      await handle.close();
      await fsp.rm(partial, { force: true });
      throw e;
    }
    await handle.close();
    this.placeValuesFile(partial, name);
    return { hash, file: name };
  }

  /** A whole values file under its name, the rename itself on disk (the folder synced). */
  private placeValuesFile(partial: string, name: string): void {
    renameSync(partial, join(this.valuesDir!, name));
    try {
      const dir = openSync(this.valuesDir!, 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch {
      // Windows cannot open a folder to sync it; its renames are durable as they are.
    }
  }

  /** storeValues, here and now. */
  private storeValuesNow(blocks: Float64Array[], columns: string[]): StoredValues {
    const hash = hashValues(blocks, columns);
    const bytes = blocks.reduce((n, b) => n + b.byteLength, 0);
    if (!this.valuesDir || bytes < VALUES_FILE_FROM_BYTES) return { hash, file: null };
    const { name, partial } = this.newValuesFile();
    const fd = openSync(partial, 'w');
    try {
      for (const [slice, at] of byteSlices(blocks))
        for (let done = 0; done < slice.length;)
          done += writeSync(fd, slice, done, slice.length - done, at + done);
      fsyncSync(fd);
    } catch (e) {
      closeSync(fd);
      rmSync(partial, { force: true });
      throw e;
    }
    closeSync(fd);
    this.placeValuesFile(partial, name);
    return { hash, file: name };
  }

  close(): void {
    this.db.close();
  }

  /** Runs a previous process left `running` or `queued` could not finish: keep their data. */
  markInterrupted(isAlive: (pid: number) => boolean = processIsAlive): number {
    const orphans = (
      this.db
        .prepare(`SELECT id, host_pid FROM runs WHERE status IN ('running', 'queued', 'paused')`)
        .all() as { id: number; host_pid: number | null }[]
    ).filter((r) => r.host_pid === null || r.host_pid === process.pid || !isAlive(r.host_pid));
    const stopped = localText('fail.appStopped');
    // SET reads the row as it was: the text is written only where the English is.
    const mark = this.db.prepare(
      `UPDATE runs SET status = 'interrupted', finished_at = ?,
         error_text_json = CASE WHEN error IS NULL THEN ? ELSE error_text_json END,
         error = COALESCE(error, ?)
       WHERE id = ? AND status IN ('running', 'queued', 'paused')`,
    );
    this.db.transaction(() =>
      orphans.forEach((r) => mark.run(now(), JSON.stringify(stopped), inEnglish(stopped), r.id)),
    )();
    return orphans.length;
  }

  // ---- datasets

  /** A table; its hash covers the values and column names (what a run learns from), not labels. */
  insertDataset(d: {
    name: string;
    columns: ColumnInfo[];
    rows: number;
    /** Row-major values, whole or in blocks of rows. */
    values: Float64Array | Float64Array[];
    /** What storeValues made of them already. */
    stored?: StoredValues;
    builtin?: boolean;
    labels?: TableLabels | null;
  }): DatasetMeta {
    const blocks = Array.isArray(d.values) ? d.values : [d.values];
    const { hash, file } =
      d.stored ??
      this.storeValuesNow(
        blocks,
        d.columns.map((c) => c.name),
      );
    try {
      if (d.labels && d.labels.codes.length !== d.rows)
        throw new Error(`${d.rows} rows need ${d.rows} labels, got ${d.labels.codes.length}`);
      const id = this.db
        .prepare(
          `INSERT INTO datasets (name, rows, columns_json, builtin, hash, data, data_file, labels, label_json)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          d.name,
          d.rows,
          JSON.stringify(d.columns),
          d.builtin ? 1 : 0,
          hash,
          file ? Buffer.alloc(0) : toBlob(joinBlocks(blocks)),
          file,
          d.labels ? toBlob(d.labels.codes) : null,
          d.labels ? JSON.stringify({ column: d.labels.column, names: d.labels.names }) : null,
        ).lastInsertRowid as number;
      return this.getDataset(Number(id))!;
    } catch (e) {
      if (file) rmSync(join(this.valuesDir!, file), { force: true });
      throw e;
    }
  }

  /** A table's labels (see migration 8); null for an image set or a table without them. */
  datasetLabels(id: number): TableLabels | null {
    const r = this.db
      .prepare(`SELECT labels, label_json FROM datasets WHERE id = ? AND label_json IS NOT NULL`)
      .get(id) as { labels: Buffer; label_json: string } | undefined;
    if (!r) return null;
    const { column, names } = JSON.parse(r.label_json) as { column: string; names: string[] };
    return { column, names, codes: int32FromBlob(r.labels) };
  }

  renameDataset(id: number, name: string): boolean {
    return this.db.prepare(`UPDATE datasets SET name = ? WHERE id = ?`).run(name, id).changes > 0;
  }

  /**
   * An image set: its pixels as bytes (dtype 'u8', see migration 5), listed as the one
   * pseudo-column IMAGE_COLUMN.
   */
  insertImageDataset(d: ImageData & { name: string; builtin?: boolean }): DatasetMeta {
    const n = pixelsPerImage(d.image);
    if (d.pixels.length !== d.rows * n)
      throw new Error(
        `${d.rows} images of ${n} pixels need ${d.rows * n} bytes, got ${d.pixels.length}`,
      );
    if (d.labels && d.labels.length !== d.rows)
      throw new Error(`${d.rows} images need ${d.rows} labels, got ${d.labels.length}`);
    const columns: ColumnInfo[] = [{ name: IMAGE_COLUMN, type: 'integer', missing: 0 }];
    const id = this.db
      .prepare(
        `INSERT INTO datasets (name, rows, columns_json, builtin, hash, data, dtype, image_json, labels)
         VALUES (?, ?, ?, ?, ?, ?, 'u8', ?, ?)`,
      )
      .run(
        d.name,
        d.rows,
        JSON.stringify(columns),
        d.builtin ? 1 : 0,
        hashImages(d.image, d.pixels, d.labels),
        toBlob(d.pixels),
        JSON.stringify({
          width: d.image.width,
          height: d.image.height,
          channels: d.image.channels,
        }),
        d.labels ? toBlob(d.labels) : null,
      ).lastInsertRowid as number;
    return this.getDataset(Number(id))!;
  }

  private datasetMeta(r: DatasetRow): DatasetMeta {
    return {
      id: r.id,
      name: r.name,
      rows: r.rows,
      columns: JSON.parse(r.columns_json) as ColumnInfo[],
      builtin: r.builtin === 1,
      hash: r.hash,
      createdAt: r.created_at,
      ...(r.image_json ? { image: JSON.parse(r.image_json) as ImageShape } : {}),
      labels: r.has_labels === 1,
      ...(r.label_json
        ? { labelColumn: (JSON.parse(r.label_json) as { column: string }).column }
        : {}),
    };
  }

  listDatasets(): DatasetMeta[] {
    const rows = this.db
      .prepare(`SELECT ${datasetMetaColumns} FROM datasets ORDER BY builtin DESC, id`)
      .all() as DatasetRow[];
    return rows.map((r) => this.datasetMeta(r));
  }

  getDataset(id: number): DatasetMeta | null {
    const r = this.db.prepare(`SELECT ${datasetMetaColumns} FROM datasets WHERE id = ?`).get(id) as
      DatasetRow | undefined;
    return r ? this.datasetMeta(r) : null;
  }

  findBuiltin(name: string): DatasetMeta | null {
    const r = this.db
      .prepare(`SELECT ${datasetMetaColumns} FROM datasets WHERE builtin = 1 AND name = ?`)
      .get(name) as DatasetRow | undefined;
    return r ? this.datasetMeta(r) : null;
  }

  /**
   * Every value as float64. An image set comes as its pixels / 255 in columns p0 … p{n−1} (the
   * host's own use, e.g. export; the contract refuses it: see `datasets.images`).
   */
  datasetValues(id: number): DatasetValues | null {
    const meta = this.getDataset(id);
    if (!meta) return null;
    if (meta.image) {
      const d = this.datasetImageData(id)!;
      return {
        id,
        columns: pixelColumnNames(d.image),
        rows: d.rows,
        values: pixelValues(d.pixels),
      };
    }
    const r = this.db.prepare(`SELECT data, data_file FROM datasets WHERE id = ?`).get(id) as {
      data: Buffer;
      data_file: string | null;
    };
    return {
      id,
      columns: meta.columns.map((c) => c.name),
      rows: meta.rows,
      values: r.data_file
        ? this.readValuesFile(r.data_file, meta.rows * meta.columns.length)
        : (fromBlob(r.data, 'f64') as Float64Array),
    };
  }

  /** An image set's pixels and labels, whole; null for a table or a missing set. */
  datasetImageData(id: number): ImageData | null {
    const r = this.db
      .prepare(`SELECT rows, image_json, data, labels FROM datasets WHERE id = ? AND dtype = 'u8'`)
      .get(id) as
      { rows: number; image_json: string; data: Buffer; labels: Buffer | null } | undefined;
    if (!r) return null;
    return {
      rows: r.rows,
      image: JSON.parse(r.image_json) as ImageShape,
      pixels: fromBlob(r.data, 'u8') as Uint8Array,
      labels: r.labels ? int32FromBlob(r.labels) : null,
    };
  }

  /** An image set's labels alone (not its pixels); null for a table or a set without labels. */
  datasetImageLabels(id: number): Int32Array | null {
    const r = this.db
      .prepare(`SELECT labels FROM datasets WHERE id = ? AND dtype = 'u8' AND labels IS NOT NULL`)
      .get(id) as { labels: Buffer } | undefined;
    return r ? int32FromBlob(r.labels) : null;
  }

  /**
   * Images offset … offset + count − 1 of an image set (fewer past its end), reading only those
   * bytes (SQLite's substr on a blob); null for a table or a missing set.
   */
  datasetImages(id: number, offset: number, count: number): DatasetImages | null {
    const meta = this.getDataset(id);
    if (!meta?.image) return null;
    const n = pixelsPerImage(meta.image);
    const first = Math.min(offset, meta.rows);
    const take = Math.max(0, Math.min(count, meta.rows - first));
    const r = this.db
      .prepare(
        `SELECT substr(data, ?, ?) AS pixels,
           CASE WHEN labels IS NULL THEN NULL ELSE substr(labels, ?, ?) END AS labels
         FROM datasets WHERE id = ?`,
      )
      .get(first * n + 1, take * n, first * 4 + 1, take * 4, id) as {
      pixels: Buffer | null;
      labels: Buffer | null;
    };
    return {
      ...meta.image,
      offset: first,
      count: take,
      pixels: r.pixels ? (fromBlob(r.pixels, 'u8') as Uint8Array) : new Uint8Array(0),
      labels: meta.labels ? (r.labels ? int32FromBlob(r.labels) : new Int32Array(0)) : null,
      total: meta.rows,
    };
  }

  /** A values file read straight into its array, in slices (a file may pass 2 GiB). */
  private readValuesFile(name: string, count: number): Float64Array {
    const path = join(this.valuesDir ?? '', name);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new TextError(
        localText('store.valuesFileUnreadable', {
          file: path,
          reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message,
        }),
      );
    }
    try {
      const size = fstatSync(fd).size;
      if (size !== count * 8)
        throw new TextError(
          localText('store.valuesFileDamaged', { file: path, bytes: size, expected: count * 8 }),
        );
      const values = new Float64Array(count);
      const bytes = Buffer.from(values.buffer);
      for (let at = 0; at < bytes.length;) {
        const read = readSync(fd, bytes, at, Math.min(bytes.length - at, 256 << 20), at);
        if (read === 0)
          throw new TextError(
            localText('store.valuesFileDamaged', { file: path, bytes: at, expected: size }),
          );
        at += read;
      }
      return values;
    } finally {
      closeSync(fd);
    }
  }

  deleteDataset(id: number): boolean {
    const r = this.db.prepare(`SELECT data_file FROM datasets WHERE id = ?`).get(id) as
      { data_file: string | null } | undefined;
    const deleted = this.db.prepare(`DELETE FROM datasets WHERE id = ?`).run(id).changes > 0;
    if (deleted && r?.data_file)
      try {
        unlinkSync(join(this.valuesDir!, r.data_file)); // after the row: a crash leaves an orphan, never a hole
      } catch {
        // already gone; nothing else names it
      }
    return deleted;
  }

  // ---- runs

  createRun(r: NewRun): RunInfo {
    const id = this.db
      .prepare(
        `INSERT INTO runs (name, algorithm, dataset_id, dataset_name, columns_json, params_json, seed, status, host_pid)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
      )
      .run(
        r.name,
        r.algorithm,
        r.datasetId,
        r.datasetName,
        JSON.stringify(r.columns),
        JSON.stringify(r.params),
        r.seed,
        process.pid,
      ).lastInsertRowid;
    return this.getRun(Number(id))!;
  }

  private runInfo(r: RunRow): RunInfo {
    const notes = JSON.parse(r.notes_json) as string[];
    const noteTexts = JSON.parse(r.notes_text_json) as unknown[];
    return {
      id: r.id,
      name: r.name,
      algorithm: r.algorithm,
      datasetId: r.dataset_id,
      datasetName: r.dataset_name,
      columns: JSON.parse(r.columns_json) as string[],
      params: JSON.parse(r.params_json) as ParamValues,
      seed: r.seed,
      backend: r.backend,
      status: r.status,
      phase: r.phase_json ? (JSON.parse(r.phase_json) as RunInfo['phase']) : null,
      progress: r.progress,
      stage: r.stage_json ? (JSON.parse(r.stage_json) as RunStage) : null,
      error: r.error,
      errorText: r.error_text_json ? knownText(JSON.parse(r.error_text_json)) : null,
      notes,
      noteTexts: notes.map((_, i) => knownText(noteTexts[i])),
      tags: JSON.parse(r.tags_json) as string[],
      note: r.note,
      summary: r.summary_json ? (JSON.parse(r.summary_json) as Record<string, unknown>) : null,
      createdAt: r.created_at,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
    };
  }

  getRun(id: number): RunInfo | null {
    const r = this.db.prepare(`SELECT * FROM runs WHERE id = ? AND importing = 0`).get(id) as
      RunRow | undefined;
    return r ? this.runInfo(r) : null;
  }

  listRuns(): RunInfo[] {
    const rows = this.db
      .prepare(`SELECT * FROM runs WHERE importing = 0 ORDER BY id DESC`)
      .all() as RunRow[];
    return rows.map((r) => this.runInfo(r));
  }

  markStarted(id: number, backend: string): void {
    this.db
      .prepare(`UPDATE runs SET status = 'running', backend = ?, started_at = ? WHERE id = ?`)
      .run(backend, now(), id);
  }

  markRunning(id: number): void {
    this.db
      .prepare(`UPDATE runs SET status = 'running', started_at = ? WHERE id = ?`)
      .run(now(), id);
  }

  setBackend(id: number, backend: string): void {
    this.db.prepare(`UPDATE runs SET backend = ? WHERE id = ?`).run(backend, id);
  }

  /** Step mode: paused at a checkpoint, or running on from one. */
  setPhase(id: number, status: 'running' | 'paused', phase: { name: string; step: number }): void {
    this.db
      .prepare(
        `UPDATE runs SET status = ?, phase_json = ? WHERE id = ? AND status IN ('running', 'paused')`,
      )
      .run(status, JSON.stringify(phase), id);
  }

  setProgress(id: number, progress: number, stage: RunStage | null = null): void {
    this.db
      .prepare(`UPDATE runs SET progress = ?, stage_json = ? WHERE id = ?`)
      .run(progress, stage ? JSON.stringify(stage) : null, id);
  }

  /** A remark kept with the run: English, and the same as a translatable text when it has one. */
  addNote(id: number, note: string, text: LocalText | null = null): void {
    this.db
      .prepare(
        `UPDATE runs SET notes_json = json_insert(notes_json, '$[#]', ?),
           notes_text_json = json_insert(notes_text_json, '$[#]', json(?))
         WHERE id = ?`,
      )
      .run(note, JSON.stringify(text), id);
  }

  /** The terminal transition; only a run still queued or running can end. */
  finishRun(
    id: number,
    status: Extract<RunStatus, 'completed' | 'failed' | 'cancelled'>,
    fields: { summary?: unknown; error?: string; errorText?: LocalText },
  ): boolean {
    return (
      this.db
        .prepare(
          `UPDATE runs SET status = ?, finished_at = ?, summary_json = COALESCE(?, summary_json),
             error = COALESCE(?, error), error_text_json = COALESCE(?, error_text_json),
             progress = CASE WHEN ? = 'completed' THEN 1 ELSE progress END, stage_json = NULL
           WHERE id = ? AND status IN ('queued', 'running', 'paused')`,
        )
        .run(
          status,
          now(),
          fields.summary === undefined ? null : JSON.stringify(fields.summary),
          fields.error ?? null,
          fields.errorText ? JSON.stringify(fields.errorText) : null,
          status,
          id,
        ).changes > 0
    );
  }

  updateRun(id: number, fields: { name?: string; tags?: string[]; note?: string }): RunInfo | null {
    this.db
      .prepare(
        `UPDATE runs SET name = COALESCE(?, name), tags_json = COALESCE(?, tags_json),
           note = COALESCE(?, note) WHERE id = ?`,
      )
      .run(
        fields.name ?? null,
        fields.tags ? JSON.stringify([...new Set(fields.tags)]) : null,
        fields.note ?? null,
        id,
      );
    return this.getRun(id);
  }

  deleteRun(id: number): boolean {
    return this.db.prepare(`DELETE FROM runs WHERE id = ?`).run(id).changes > 0;
  }

  // ---- metrics and artifacts

  /** One transaction per batch: cheap enough for thousands of points a second. */
  insertMetrics(runId: number, points: MetricPoint[]): void {
    if (points.length === 0) return;
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO metrics (run_id, key, step, value, wall_ms) VALUES (?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const p of points)
        insert.run(runId, p.key, p.step, Number.isFinite(p.value) ? p.value : null, p.wallMs);
    })();
  }

  /**
   * Up to `max` points of `points` inserted, many to a statement (an import's millions go several
   * times faster than one statement each), inside the caller's transaction. False once `points`
   * has no more.
   */
  private insertMetricRows(runId: number, points: Iterator<MetricPoint>, max: number): boolean {
    const perStatement = 200;
    const sql = (n: number) =>
      `INSERT OR REPLACE INTO metrics (run_id, key, step, value, wall_ms) VALUES ${Array(n)
        .fill('(?, ?, ?, ?, ?)')
        .join(', ')}`;
    const full = this.db.prepare(sql(perStatement));
    let args: unknown[] = [];
    for (let n = 0; n < max; n++) {
      const next = points.next();
      if (next.done) {
        if (args.length) this.db.prepare(sql(args.length / 5)).run(args);
        return false;
      }
      const p = next.value;
      args.push(runId, p.key, p.step, Number.isFinite(p.value) ? p.value : null, p.wallMs);
      if (args.length === perStatement * 5) {
        full.run(args);
        args = [];
      }
    }
    if (args.length) this.db.prepare(sql(args.length / 5)).run(args);
    return true;
  }

  /** A run's metrics, each as typed arrays (read row by row: no array per point on the way). */
  metricSeries(runId: number): MetricSeries[] {
    const out = this.metricKeys(runId).map((k) => ({
      key: k.key,
      steps: new Float64Array(k.count),
      values: new Float64Array(k.count),
      wallMs: new Float64Array(k.count),
    }));
    let j = -1;
    let i = 0;
    const rows = this.db
      .prepare(`SELECT key, step, value, wall_ms FROM metrics WHERE run_id = ? ORDER BY key, step`)
      .raw()
      .iterate(runId) as IterableIterator<[string, number, number | null, number]>;
    for (const [key, step, value, wallMs] of rows) {
      if (j < 0 || out[j].key !== key) {
        j++;
        i = 0;
      }
      const s = out[j];
      s.steps[i] = step;
      s.values[i] = value ?? NaN;
      s.wallMs[i] = wallMs;
      i++;
    }
    return out;
  }

  /** Each metric of a run, by key: how many points it has and its first and last step. */
  metricKeys(runId: number): { key: string; count: number; minStep: number; maxStep: number }[] {
    return this.db
      .prepare(
        `SELECT key, COUNT(*) AS count, MIN(step) AS minStep, MAX(step) AS maxStep
         FROM metrics WHERE run_id = ? GROUP BY key ORDER BY key`,
      )
      .all(runId) as { key: string; count: number; minStep: number; maxStep: number }[];
  }

  /**
   * Each metric of a run with its first and last step, found through the index alone (a jump
   * from key to key): no pass over a run's millions of points, as COUNT(*) would make.
   */
  metricExtents(runId: number): { key: string; minStep: number; maxStep: number }[] {
    return this.db
      .prepare(
        `WITH RECURSIVE keys(key) AS (
           SELECT MIN(key) FROM metrics WHERE run_id = @run
           UNION ALL
           SELECT (SELECT MIN(key) FROM metrics WHERE run_id = @run AND key > keys.key)
           FROM keys WHERE keys.key IS NOT NULL
         )
         SELECT key,
           (SELECT MIN(step) FROM metrics WHERE run_id = @run AND key = keys.key) AS minStep,
           (SELECT MAX(step) FROM metrics WHERE run_id = @run AND key = keys.key) AS maxStep
         FROM keys WHERE key IS NOT NULL ORDER BY key`,
      )
      .all({ run: runId }) as { key: string; minStep: number; maxStep: number }[];
  }

  /**
   * Up to `limit` points of one metric with a step above `afterStep`, by step: a long series read
   * a page at a time (no statement stays open between pages, so writers are never blocked).
   */
  metricPage(
    runId: number,
    key: string,
    afterStep: number,
    limit: number,
  ): { steps: Float64Array; values: Float64Array; wallMs: Float64Array } {
    this.metricPageQuery ??= this.db
      .prepare(
        `SELECT step, value, wall_ms FROM metrics WHERE run_id = ? AND key = ? AND step > ?
         ORDER BY step LIMIT ?`,
      )
      .raw();
    const rows = this.metricPageQuery.all(runId, key, afterStep, limit) as [
      number,
      number | null,
      number,
    ][];
    const page = {
      steps: new Float64Array(rows.length),
      values: new Float64Array(rows.length),
      wallMs: new Float64Array(rows.length),
    };
    rows.forEach(([step, value, wallMs], i) => {
      page.steps[i] = step;
      page.values[i] = value ?? NaN;
      page.wallMs[i] = wallMs;
    });
    return page;
  }
  private metricPageQuery: Database.Statement | undefined;

  insertArtifact(
    runId: number,
    a: { kind: ArtifactKind; step: number; meta: unknown; data?: TypedArray },
  ): StoredArtifact {
    const id = this.db
      .prepare(
        `INSERT INTO artifacts (run_id, step, kind, meta_json, data_type, data) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        a.step,
        a.kind,
        JSON.stringify(a.meta ?? null),
        a.data ? typeTag(a.data) : null,
        a.data ? toBlob(a.data) : null,
      ).lastInsertRowid;
    return { id: Number(id), ...a };
  }

  /** A run's artifacts by step; `afterStep` keeps only later ones (a view catching up). */
  listArtifacts(
    runId: number,
    kind?: ArtifactKind,
    latestOnly = false,
    afterStep?: number,
  ): StoredArtifact[] {
    let where = kind ? `run_id = ? AND kind = ?` : `run_id = ?`;
    const args: unknown[] = kind ? [runId, kind] : [runId];
    if (afterStep !== undefined) {
      where += ' AND step > ?';
      args.push(afterStep);
    }
    const sql = latestOnly
      ? // One per kind: the highest step, and of several at that step (a run restarted on another
        // backend writes its steps again) the last written.
        `SELECT a.* FROM artifacts a WHERE a.id IN (
           SELECT (SELECT id FROM artifacts b WHERE b.run_id = ? AND b.kind = k.kind ORDER BY step DESC, id DESC LIMIT 1)
           FROM (SELECT DISTINCT kind FROM artifacts WHERE ${where}) k) ORDER BY a.kind`
      : `SELECT * FROM artifacts WHERE ${where} ORDER BY step, id`;
    const rows = this.db.prepare(sql).all(...(latestOnly ? [runId] : []), ...args) as {
      id: number;
      step: number;
      kind: ArtifactKind;
      meta_json: string;
      data_type: string | null;
      data: Buffer | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      step: r.step,
      meta: JSON.parse(r.meta_json) as unknown,
      ...(r.data && r.data_type ? { data: fromBlob(r.data, r.data_type) } : {}),
    }));
  }

  // ---- import

  /**
   * A run read back from an export folder: the run row with its final status, its metrics and
   * its artifacts. Stored in pieces of IMPORT_PIECE points, the event loop turning between them
   * (one transaction of millions of points held the host's thread for seconds); the row is
   * marked `importing`, so no one sees the run until the last piece, and removed with everything
   * stored if any part fails.
   */
  async insertImportedRun(
    r: Omit<NewRun, 'datasetId'> & {
      datasetId: number | null;
      backend: string | null;
      status: Extract<RunStatus, 'completed' | 'failed' | 'cancelled' | 'interrupted'>;
      progress: number;
      error: string | null;
      notes: string[];
      tags: string[];
      note: string;
      summary: unknown;
      startedAt: string | null;
      finishedAt: string | null;
    },
    /** Read once, a piece at a time (an import's points stream from its parsed columns). */
    points: Iterable<MetricPoint>,
    artifacts: { kind: ArtifactKind; step: number; meta: unknown; data?: TypedArray }[],
  ): Promise<RunInfo> {
    const runId = Number(
      this.db
        .prepare(
          `INSERT INTO runs (name, algorithm, dataset_id, dataset_name, columns_json, params_json,
             seed, backend, status, progress, error, notes_json, summary_json, tags_json, note,
             started_at, finished_at, host_pid, importing)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
        )
        .run(
          r.name,
          r.algorithm,
          r.datasetId,
          r.datasetName,
          JSON.stringify(r.columns),
          JSON.stringify(r.params),
          r.seed,
          r.backend,
          r.status,
          r.progress,
          r.error,
          JSON.stringify(r.notes),
          r.summary === null || r.summary === undefined ? null : JSON.stringify(r.summary),
          JSON.stringify([...new Set(r.tags)]),
          r.note,
          r.startedAt,
          r.finishedAt,
          process.pid,
        ).lastInsertRowid,
    );
    try {
      const rest = points[Symbol.iterator]();
      while (this.db.transaction(() => this.insertMetricRows(runId, rest, IMPORT_PIECE))())
        await new Promise((resolve) => setImmediate(resolve));
      this.db.transaction(() => {
        // insertArtifact nests in this transaction (better-sqlite3 savepoints).
        for (const a of artifacts) this.insertArtifact(runId, a);
        this.db.prepare(`UPDATE runs SET importing = 0, host_pid = NULL WHERE id = ?`).run(runId);
      })();
    } catch (e) {
      this.deleteRun(runId);
      throw e;
    }
    return this.getRun(runId)!;
  }
}
