/**
 * CSV reading for data sets: papaparse does the parsing (delimiter detection, quoted fields,
 * CRLF) as a stream, so large files report progress and never block the host for long.
 * This module adds what papaparse does not: header detection, column types, and errors that name
 * the line and column.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import Papa from 'papaparse';
import type { ColumnInfo, ColumnType, CsvPreview, CsvSource } from '../../shared/api';
import { localText, TextError, type LocalText } from '../../shared/i18n';

export class CsvError extends TextError {
  constructor(message: LocalText | string) {
    super(message);
    this.name = 'CsvError';
  }
}

/** A cell as a number: NaN when empty or not a number (and ±Infinity counts as not finite). */
export function parseCell(cell: string | undefined): number {
  const s = (cell ?? '').trim();
  if (s === '') return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

function isNumericCell(cell: string): boolean {
  return Number.isFinite(parseCell(cell));
}

interface ParsedCsv {
  delimiter: string;
  hasHeader: boolean;
  /** Column names: the header's, or column1… when there is none. */
  names: string[];
  /** Data rows only (header removed), each as strings. */
  rows: string[][];
}

/**
 * Files parsed for a preview, by the id the preview returned: the import that follows names the
 * preview instead of sending and parsing the file again. A preview stays until an import of it
 * succeeds (a refused one can be retried, say with "drop invalid rows"), until it is 30 minutes
 * old, or until newer previews push it out (the process keeps the newest three: a parsed file
 * costs several times its size in memory).
 */
const previews = new Map<string, { csv: ParsedCsv; expiry: ReturnType<typeof setTimeout> }>();
const MAX_PREVIEWS = 3;
const PREVIEW_LIFETIME_MS = 30 * 60 * 1000;

function keepPreview(csv: ParsedCsv): string {
  while (previews.size >= MAX_PREVIEWS) forgetPreview(previews.keys().next().value!);
  const id = randomUUID();
  const expiry = setTimeout(() => previews.delete(id), PREVIEW_LIFETIME_MS);
  expiry.unref(); // a kept preview never keeps the process alive
  previews.set(id, { csv, expiry });
  return id;
}

/** Lets a preview go: once its import has succeeded. */
export function forgetPreview(id: string): void {
  const kept = previews.get(id);
  if (kept) clearTimeout(kept.expiry);
  previews.delete(id);
}

/** A source that is not a preview: a file's path or its text. */
type FileSource = Exclude<CsvSource, { kind: 'preview' }>;

async function sourceSize(source: FileSource): Promise<number> {
  if (source.kind === 'text') return source.text.length;
  let stat;
  try {
    stat = await fs.stat(source.path);
  } catch (e) {
    throw new CsvError(
      localText('csv.unreadable', {
        file: source.path,
        reason: (e as NodeJS.ErrnoException).code ?? String(e),
      }),
    );
  }
  if (!stat.isFile()) throw new CsvError(localText('csv.notAFile', { file: source.path }));
  return stat.size;
}

async function sample(source: FileSource): Promise<string> {
  if (source.kind === 'text') return source.text.slice(0, 64 * 1024);
  const handle = await fs.open(source.path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new CsvError(
      localText('csv.unreadable', { file: source.path, reason: e.code ?? e.message }),
    );
  });
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** A preview's parsed file (not parsed again), or the whole source parsed. */
async function readCsv(
  source: CsvSource,
  onProgress?: (fraction: number) => void,
): Promise<ParsedCsv> {
  if (source.kind !== 'preview') return parseCsv(source, onProgress);
  const kept = previews.get(source.id);
  if (!kept) throw new CsvError(localText('csv.previewGone'));
  onProgress?.(1);
  return kept.csv;
}

/** Streams the whole source through papaparse, reporting the fraction read. */
async function parseCsv(
  source: FileSource,
  onProgress?: (fraction: number) => void,
): Promise<ParsedCsv> {
  const total = Math.max(1, await sourceSize(source));
  // papaparse's stream mode does not report the delimiter it guessed: guess on a sample, then say.
  // Empty lines (a trailing newline) must be skipped here too, or papaparse's guess sees a row with
  // one field, judges every delimiter inconsistent and falls back to a comma.
  const delimiter = Papa.parse<string[]>(stripBom(await sample(source)), {
    preview: 20,
    skipEmptyLines: 'greedy',
  }).meta.delimiter;
  const input =
    source.kind === 'path'
      ? createReadStream(source.path, { encoding: 'utf8', highWaterMark: 1 << 20 })
      : Readable.from(chunksOf(stripBom(source.text), 1 << 20));
  const rows: string[][] = [];
  let read = 0;
  let lastReport = 0;
  await new Promise<void>((resolve, reject) => {
    const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { delimiter, skipEmptyLines: 'greedy' });
    parser.on('data', (row: string[]) => rows.push(row));
    parser.on('end', () => resolve());
    parser.on('error', (e: Error) => reject(new CsvError(e.message)));
    input.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new CsvError(
          source.kind === 'path'
            ? localText('csv.unreadable', { file: source.path, reason: e.code ?? e.message })
            : localText('csv.unreadableText', { reason: e.code ?? e.message }),
        ),
      ),
    );
    input.on('data', (chunk: string | Buffer) => {
      read += chunk.length;
      if (onProgress && read - lastReport > total / 50) {
        lastReport = read;
        onProgress(Math.min(0.99, read / total));
      }
    });
    // The byte-order mark goes before papaparse sees it, or a quoted first cell keeps its quotes.
    let first = true;
    const withoutBom = new Transform({
      decodeStrings: false,
      transform(chunk: string | Buffer, _encoding, done) {
        const text = chunk.toString();
        done(null, first ? ((first = false), stripBom(text)) : text);
      },
    });
    input.pipe(withoutBom).pipe(parser);
  });
  if (rows.length === 0) throw new CsvError(localText('csv.noRows'));
  const hasHeader = detectHeader(rows);
  const names = hasHeader
    ? uniqueNames(rows[0].map((c, i) => c.trim() || `column${i + 1}`))
    : rows[0].map((_, i) => `column${i + 1}`);
  const data = hasHeader ? rows.slice(1) : rows;
  checkRectangular(data, names.length, hasHeader);
  onProgress?.(1);
  return { delimiter, hasHeader, names, rows: data };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function* chunksOf(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** A header is a first row with a non-numeric cell where the next rows are numeric. */
function detectHeader(rows: string[][]): boolean {
  const first = rows[0];
  if (first.every((c) => isNumericCell(c))) return false;
  if (rows.length === 1) return true;
  const next = rows.slice(1, 21);
  return first.some((c, j) => !isNumericCell(c) && next.some((r) => isNumericCell(r[j] ?? '')));
}

function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = seen.get(n) ?? 0;
    seen.set(n, count + 1);
    return count === 0 ? n : `${n}_${count + 1}`;
  });
}

function checkRectangular(rows: string[][], width: number, hasHeader: boolean): void {
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].length !== width) {
      const line = i + (hasHeader ? 2 : 1);
      throw new CsvError(localText('csv.ragged', { line, fields: rows[i].length, width }));
    }
  }
}

function columnInfo(name: string, rows: string[][], j: number): ColumnInfo {
  let numeric = 0,
    integer = 0,
    missing = 0,
    text = 0;
  for (const r of rows) {
    const cell = r[j].trim();
    if (cell === '') {
      missing++;
      continue;
    }
    const v = Number(cell);
    if (Number.isNaN(v)) {
      text++;
      continue;
    }
    if (!Number.isFinite(v)) {
      missing++;
      continue;
    }
    numeric++;
    if (Number.isInteger(v)) integer++;
  }
  let type: ColumnType;
  if (text > 0) type = 'text';
  else if (numeric === 0) type = 'empty';
  else type = integer === numeric ? 'integer' : 'number';
  return { name, type, missing };
}

/** What a file holds (column types, the first rows), kept for the import that may follow. */
export async function previewCsv(source: CsvSource): Promise<CsvPreview> {
  const csv = source.kind === 'preview' ? await readCsv(source) : await parseCsv(source);
  const names = csv.names;
  return {
    previewId: keepPreview(csv),
    delimiter: csv.delimiter,
    hasHeader: csv.hasHeader,
    rowCount: csv.rows.length,
    columns: names.map((n, j) => columnInfo(n, csv.rows, j)),
    head: [names, ...csv.rows.slice(0, 20)],
  };
}

export interface ParsedTable {
  columns: ColumnInfo[];
  rows: number;
  values: Float64Array;
  droppedRows: number;
}

/**
 * Reads the chosen numeric columns into a row-major Float64Array. A text cell, or a missing or
 * non-finite one (unless `dropInvalidRows`), refuses the whole file with the line and column named.
 */
export async function readNumericTable(
  source: CsvSource,
  options: {
    /** Default: every numeric column; 'all': every column (a text cell then refuses the file). */
    columns?: string[] | 'all';
    dropInvalidRows?: boolean;
    onProgress?: (fraction: number) => void;
  },
): Promise<ParsedTable> {
  const csv = await readCsv(source, options.onProgress);
  const names = csv.names;
  const infos = names.map((n, j) => columnInfo(n, csv.rows, j));
  const chosen =
    options.columns === 'all'
      ? names
      : (options.columns ??
        infos.filter((c) => c.type === 'number' || c.type === 'integer').map((c) => c.name));
  if (chosen.length === 0) throw new CsvError(localText('csv.noNumericColumn'));
  const index = chosen.map((name) => {
    const j = names.indexOf(name);
    if (j < 0) throw new CsvError(localText('csv.noColumn', { name, columns: names.join(', ') }));
    return j;
  });
  const firstLine = csv.hasHeader ? 2 : 1;
  const out: number[] = [];
  let dropped = 0;
  for (let i = 0; i < csv.rows.length; i++) {
    const row = csv.rows[i];
    const values: number[] = [];
    let invalid: LocalText | null = null;
    for (let c = 0; c < index.length; c++) {
      const cell = row[index[c]];
      const v = parseCell(cell);
      if (Number.isNaN(v)) {
        const value = cell.trim();
        const where = { line: i + firstLine, column: chosen[c] };
        if (value !== '' && Number.isNaN(Number(value)))
          throw new CsvError(localText('csv.notANumber', { ...where, value }));
        invalid ??=
          value === ''
            ? localText('csv.emptyCell', where)
            : localText('csv.notFinite', { ...where, value });
      }
      values.push(v);
    }
    if (invalid) {
      if (!options.dropInvalidRows) throw new CsvError(invalid);
      dropped++;
      continue;
    }
    for (const v of values) out.push(v);
  }
  const rows = out.length / chosen.length;
  if (rows === 0) throw new CsvError(localText('csv.noValidRows'));
  return {
    columns: chosen.map((name) => ({ ...infos[names.indexOf(name)], missing: 0 })),
    rows,
    values: Float64Array.from(out),
    droppedRows: dropped,
  };
}
