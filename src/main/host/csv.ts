/**
 * Reading a data file into a `ScannedTable`: its encoding found (encoding.ts), decoded as a stream
 * (iconv-lite), parsed by papaparse (quoted fields, CRLF) chunk by chunk, and kept by column
 * (table-scan.ts) in one pass, with progress. The delimiter and the decimal mark are guessed on the
 * file's first 64 KB; every guess is shown in the preview and can be overridden.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import Papa from 'papaparse';
import {
  csvDelimiters,
  defaultNaValues,
  type CsvPreview,
  type ReadOptions,
  type TextEncoding,
} from '../../shared/api';
import { localText } from '../../shared/i18n';
import { QuotedFile, scanUnquoted } from './csv-fast';
import { readerThreads, runInReader } from './reader-pool';
import { readSheet, XlsxError } from './xlsx';
import { decodeBytes, decodeStream, detectEncoding } from './encoding';
import {
  CsvError,
  joinParts,
  ScannedTable,
  TableScan,
  type NumericTable,
  type ScanPart,
  type TableChoice,
  type TableFormat,
} from './table-scan';

export { CsvError } from './table-scan';

/** A file to read: on disk, or text in memory (a pasted table). */
export type FileSource = { kind: 'path'; path: string } | { kind: 'text'; text: string };
/** What this module reads: a file, or a preview of one (an upload is a path by now). */
export type ReadableSource = FileSource | { kind: 'preview'; id: string };

const SAMPLE_BYTES = 64 * 1024;

/**
 * Files read for a preview, by the id the preview returned: the import that follows names the
 * preview instead of reading the file again. A preview stays until an import of it succeeds (a
 * refused one can be retried, say with "drop invalid rows"), until it is 30 minutes old, or until
 * newer previews push it out (the newest three are kept, and older ones go while they would hold
 * over 1 GiB).
 */
const previews = new Map<
  string,
  { table: ScannedTable; file: FileSource; expiry: ReturnType<typeof setTimeout> }
>();
const MAX_PREVIEWS = 3;
/** Older previews go while the kept ones hold more than this (the newest always stays). */
const MAX_PREVIEW_BYTES = 1 << 30;
const PREVIEW_LIFETIME_MS = 30 * 60 * 1000;

function keepPreview(table: ScannedTable, file: FileSource): string {
  const held = () => [...previews.values()].reduce((n, p) => n + p.table.bytes, table.bytes);
  while (previews.size > 0 && (previews.size >= MAX_PREVIEWS || held() > MAX_PREVIEW_BYTES))
    forgetPreview(previews.keys().next().value!);
  const id = randomUUID();
  const expiry = setTimeout(() => previews.delete(id), PREVIEW_LIFETIME_MS);
  expiry.unref(); // a kept preview never keeps the process alive
  previews.set(id, { table, file, expiry });
  return id;
}

/** Lets a preview go: once its import has succeeded. */
export function forgetPreview(id: string): void {
  const kept = previews.get(id);
  if (kept) clearTimeout(kept.expiry);
  previews.delete(id);
}

function keptPreview(id: string) {
  const kept = previews.get(id);
  if (!kept) throw new CsvError(localText('csv.previewGone'));
  return kept;
}

/** What a file holds (column kinds, the first rows, warnings), kept for the import that follows. */
export async function previewTable(
  source: ReadableSource,
  read: ReadOptions = {},
  onProgress?: (fraction: number) => void,
): Promise<CsvPreview> {
  // A preview's id with options reads the same file again, with those options.
  const file = source.kind === 'preview' ? keptPreview(source.id).file : source;
  const table = await scanFile(file, read, onProgress);
  // Read again with other options: the earlier reading is not needed any more.
  if (source.kind === 'preview') forgetPreview(source.id);
  const f = table.format;
  return {
    previewId: keepPreview(table, file),
    format: f.format,
    encoding: f.encoding,
    encodingDetected: f.encodingDetected,
    sheets: f.sheets,
    sheet: f.sheet,
    delimiter: f.delimiter,
    decimal: f.decimal,
    naValues: f.naValues,
    hasHeader: table.hasHeader,
    rowCount: table.rows,
    columns: table.previewColumns(),
    head: table.head,
    warnings: table.warnings(),
  };
}

/** The chosen columns as numbers (a preview as it was read, or a file read now). */
export async function readNumericTable(
  source: ReadableSource,
  options: TableChoice & { read?: ReadOptions; onProgress?: (fraction: number) => void },
): Promise<NumericTable> {
  if (source.kind === 'preview') {
    const kept = keptPreview(source.id);
    options.onProgress?.(1);
    return kept.table.numeric(options);
  }
  return (await scanFile(source, options.read ?? {}, options.onProgress)).numeric(options);
}

async function fileSize(file: FileSource): Promise<number> {
  if (file.kind === 'text') return file.text.length;
  let stat;
  try {
    stat = await fs.stat(file.path);
  } catch (e) {
    throw unreadable(file, e as NodeJS.ErrnoException);
  }
  if (!stat.isFile()) throw new CsvError(localText('csv.notAFile', { file: file.path }));
  return stat.size;
}

function unreadable(file: FileSource, e: NodeJS.ErrnoException): CsvError {
  return new CsvError(
    file.kind === 'path'
      ? localText('csv.unreadable', { file: file.path, reason: e.code ?? e.message })
      : localText('csv.unreadableText', { reason: e.code ?? e.message }),
  );
}

async function sampleBytes(file: FileSource & { kind: 'path' }): Promise<Uint8Array> {
  const handle = await fs.open(file.path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw unreadable(file, e);
  });
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The sizes past which reader threads read a file (the tests make them small). */
export interface ReadTuning {
  /** A file (not pasted text) this long or longer is read by a reader thread. */
  threadsFrom: number;
  /** A numeric UTF-8 file this long or longer is read in stretches, each by a thread of its own. */
  stretchesFrom: number;
  stretches: number;
}

const defaultTuning: ReadTuning = {
  threadsFrom: 1 << 20,
  stretchesFrom: 16 << 20,
  stretches: readerThreads,
};

/** Reads the whole file once into a ScannedTable, reporting the fraction read. */
export async function scanFile(
  file: FileSource,
  read: ReadOptions,
  onProgress?: (fraction: number) => void,
  tuning: ReadTuning = defaultTuning,
): Promise<ScannedTable> {
  const total = Math.max(1, await fileSize(file));
  let readSoFar = 0;
  let lastReport = 0;
  const onBytes = (n: number) => {
    readSoFar += n;
    if (onProgress && readSoFar - lastReport > total / 50) {
      lastReport = readSoFar;
      onProgress(Math.min(0.99, readSoFar / total));
    }
  };
  let part: ScanPart;
  if (file.kind === 'text' || total < tuning.threadsFrom) {
    part = await scanHere(file, read, onBytes, false);
  } else {
    const stretched = await readInStretches(file, read, total, onBytes, tuning);
    if (stretched !== null && stretched !== 'quoted') part = stretched;
    else {
      readSoFar = lastReport = 0;
      const job: ReadJob = { kind: 'file', file, read, papaparse: stretched === 'quoted' };
      part = (await runInReader<ReadResult>(job, onBytes)).part!;
    }
  }
  onProgress?.(1);
  return new ScannedTable(part);
}

/** A job for a reader thread (table-reader.ts): a whole file, or one stretch of a numeric one. */
export type ReadJob =
  | { kind: 'ping' }
  | { kind: 'file'; file: FileSource; read: ReadOptions; papaparse: boolean }
  | {
      kind: 'stretch';
      path: string;
      start: number;
      end: number;
      format: TableFormat;
      /** The row width for a stretch after the first; null: the first, which judges the header. */
      width: number | null;
      expectedRows: number;
    };

/** What a job read, or null when the file is not for stretches after all. */
export interface ReadResult {
  part: ScanPart | null;
  /** A stretch's lines, blank ones too. */
  lines: number;
  /** Why a stretch could not be read on its own: it holds a quote, or the first is too short. */
  unfit?: 'quoted' | 'short';
}

export async function runReadJob(job: ReadJob, onBytes: (n: number) => void): Promise<ReadResult> {
  if (job.kind === 'ping') return { part: null, lines: 0 };
  if (job.kind === 'file')
    return { part: await scanHere(job.file, job.read, onBytes, job.papaparse), lines: 0 };
  const scan =
    job.width === null
      ? new TableScan(job.format)
      : TableScan.continuing(job.format, job.width, job.expectedRows);
  scan.expectRows(job.expectedRows);
  let lines: number;
  try {
    lines = await scanUnquoted(
      job.path,
      job.format.delimiter,
      job.format.decimal === ',',
      scan,
      onBytes,
      job,
    );
  } catch (e) {
    if (e instanceof QuotedFile) return { part: null, lines: 0, unfit: 'quoted' };
    throw e instanceof CsvError
      ? e
      : unreadable({ kind: 'path', path: job.path }, e as NodeJS.ErrnoException);
  }
  // The header is judged on the first rows: they must all be in the first stretch.
  if (job.width === null && !scan.decided) return { part: null, lines, unfit: 'short' };
  return { part: scan.finish(), lines };
}

/**
 * A big numeric UTF-8 file, cut at line breaks into stretches that reader threads read at once,
 * joined into the table one pass would have read. Null when the file is not one for stretches;
 * 'quoted' when it holds a quote (papaparse must read it).
 */
async function readInStretches(
  file: FileSource,
  read: ReadOptions,
  total: number,
  onBytes: (n: number) => void,
  tuning: ReadTuning,
): Promise<ScanPart | 'quoted' | null> {
  if (file.kind !== 'path' || total < tuning.stretchesFrom || tuning.stretches < 2) return null;
  const sample = await sampleBytes(file);
  if (isZip(sample)) return null;
  const first = firstLook(file, sample, read, total);
  const { format } = first;
  if (format.encoding !== 'utf-8' || !new TableScan(format).numbersFirst) return null;
  if (sample.includes(0x22)) return 'quoted';
  // Every row has the first row's width; the first stretch's reader judges the header.
  const firstRow = first.sampleText
    .split('\n')
    .find((l) => l.includes(format.delimiter) || l.replace(/[ \t\r]/g, '') !== '');
  if (firstRow === undefined || first.partial) return null;
  const width = firstRow.split(format.delimiter).length;
  // The stretches are cut where the file's lines start now: a file rewritten meanwhile is refused.
  const before = await fs.stat(file.path);
  if (before.size !== total)
    throw new CsvError(localText('csv.changedWhileRead', { file: file.path }));
  const starts = await lineStarts(file.path, total, tuning.stretches);
  if (starts === null) return null;
  const ends = [...starts.slice(1), total];
  const settled = await Promise.allSettled(
    starts.map((start, k) =>
      runInReader<ReadResult>(
        {
          kind: 'stretch',
          path: file.path,
          start,
          end: ends[k],
          format,
          width: k === 0 ? null : width,
          expectedRows: (first.expectedRows * (ends[k] - start)) / total,
        } satisfies ReadJob,
        onBytes,
      ),
    ),
  );
  const after = await fs.stat(file.path).catch(() => null);
  if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs)
    throw new CsvError(localText('csv.changedWhileRead', { file: file.path }));
  const results = settled.map((s) => (s.status === 'fulfilled' ? s.value : null));
  if (results.some((r) => r?.unfit === 'quoted')) return 'quoted';
  if (results.some((r) => r?.unfit === 'short')) return null;
  // The first refusal in the file's order, its line counted from the file's start.
  let lineOffset = 0;
  settled.forEach((s, k) => {
    if (s.status === 'rejected') throw countedFrom(s.reason, lineOffset);
    lineOffset += results[k]!.lines;
  });
  return joinParts(
    results.map((r) => r!.part!),
    results.map((r) => r!.lines),
  );
}

/** A refusal naming a line of a stretch, named from the file's start. */
function countedFrom(e: unknown, lineOffset: number): unknown {
  const text = e instanceof CsvError ? e.text : undefined;
  const line = text?.vars?.line;
  if (typeof line !== 'number' || lineOffset === 0) return e;
  return new CsvError({ ...text!, vars: { ...text!.vars, line: line + lineOffset } });
}

/**
 * Where `count` stretches of about equal size start: 0, then just after the first line break at
 * or past each k/count of the file. Null when a line break is not found within 1 MB.
 */
async function lineStarts(path: string, total: number, count: number): Promise<number[] | null> {
  const handle = await fs.open(path, 'r');
  try {
    const starts = [0];
    const window = Buffer.alloc(SAMPLE_BYTES);
    for (let k = 1; k < count; k++) {
      let at = Math.max(Math.floor((k * total) / count), starts.at(-1)!);
      let found = -1;
      while (found < 0 && at < total && at - (k * total) / count < 1 << 20) {
        const { bytesRead } = await handle.read(window, 0, window.length, at);
        if (bytesRead === 0) break;
        const i = window.subarray(0, bytesRead).indexOf(0x0a);
        if (i >= 0) found = at + i + 1;
        else at += bytesRead;
      }
      if (found < 0) return null;
      if (found < total && found > starts.at(-1)!) starts.push(found);
    }
    return starts.length > 1 ? starts : null;
  } finally {
    await handle.close();
  }
}

/**
 * What the file's first 64 KB say: its encoding (unless given), delimiter and decimal mark, and
 * how many rows its size suggests.
 */
function firstLook(file: FileSource, sample: Uint8Array | null, read: ReadOptions, total: number) {
  let encoding = null;
  let encodingDetected = false;
  let sampleText: string;
  if (file.kind === 'text') {
    sampleText = file.text.slice(0, SAMPLE_BYTES);
  } else {
    const detected = read.encoding ? null : detectEncoding(sample!);
    encoding = read.encoding ?? detected!.encoding;
    encodingDetected = detected !== null;
    sampleText = decodeBytes(sample!, encoding);
  }
  // A sample shorter than the file may end inside a line: judge whole lines only.
  const partial = total > SAMPLE_BYTES;
  const lastBreak = sampleText.lastIndexOf('\n');
  if (lastBreak > 0 && partial) sampleText = sampleText.slice(0, lastBreak);
  sampleText = sampleText.replace(/^\uFEFF/, '');
  const delimiter = read.delimiter ?? guessDelimiter(sampleText);
  const decimal = read.decimal ?? guessDecimal(sampleText, delimiter);
  if (delimiter === ',' && decimal === ',') throw new CsvError(localText('csv.decimalIsDelimiter'));
  const format: TableFormat = {
    format: 'csv',
    encoding,
    encodingDetected,
    sheets: [],
    sheet: null,
    delimiter,
    decimal,
    naValues: read.naValues ?? defaultNaValues,
  };
  // Room for the rows the file's size suggests, made once: the sample's line breaks per byte (per
  // character for text), scaled to the file, and a little over.
  const unit = sample ?? sampleText;
  let breaks = 0;
  for (let i = 0; i < unit.length; i++) if (unit[i] === 0x0a || unit[i] === '\n') breaks++;
  const expectedRows = ((total * Math.max(1, breaks)) / Math.max(1, unit.length)) * 1.05;
  return {
    format,
    sampleText,
    expectedRows: Math.min(expectedRows, 50_000_000),
    /** The sample holds no whole line. */
    partial: partial && lastBreak <= 0,
  };
}

/** Reads a file here, on this thread, in one pass: the fast reader first unless told otherwise. */
async function scanHere(
  file: FileSource,
  read: ReadOptions,
  onBytes: (n: number) => void,
  papaparseOnly: boolean,
): Promise<ScanPart> {
  const total = Math.max(1, await fileSize(file));
  const sample = file.kind === 'path' ? await sampleBytes(file) : null;
  if (file.kind === 'path' && isZip(sample!)) return scanWorkbook(file.path, read);
  const { format, expectedRows } = firstLook(file, sample, read, total);
  const newScan = () => {
    const scan = new TableScan(format);
    scan.expectRows(expectedRows);
    return scan;
  };
  let scan = newScan();
  if (!papaparseOnly && file.kind === 'path' && format.encoding === 'utf-8' && scan.numbersFirst) {
    let readHere = 0;
    try {
      await scanUnquoted(file.path, format.delimiter, format.decimal === ',', scan, (n) => {
        readHere += n;
        onBytes(n);
      });
      return scan.finish();
    } catch (e) {
      if (!(e instanceof QuotedFile))
        throw e instanceof CsvError ? e : unreadable(file, e as NodeJS.ErrnoException);
      scan = newScan();
      onBytes(-readHere); // read again from the start
    }
  }
  await parseWithPapa(file, format.encoding, format.delimiter, scan, onBytes);
  return scan.finish();
}

/** Any text file, quoted cells and all: papaparse splits it, the scan keeps it. */
async function parseWithPapa(
  file: FileSource,
  encoding: TextEncoding | null,
  delimiter: string,
  scan: TableScan,
  onBytes: (n: number) => void,
): Promise<void> {
  const bytes =
    file.kind === 'path'
      ? createReadStream(file.path, { highWaterMark: 1 << 20 })
      : Readable.from(chunksOf(file.text.replace(/^\uFEFF/, ''), 1 << 20));
  const text = file.kind === 'path' ? bytes.pipe(decodeStream(encoding!)) : bytes;
  let line = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (e: unknown) => {
      bytes.destroy();
      reject(e instanceof CsvError ? e : unreadable(file, e as NodeJS.ErrnoException));
    };
    bytes.on('error', fail);
    bytes.on('data', (chunk: string | Buffer) => onBytes(chunk.length));
    Papa.parse<string[]>(text as unknown as File, {
      delimiter,
      // Lines end at \n whatever papaparse would guess: files mixing CRLF and LF (edited on two
      // systems) keep every line; the \r left at a line's end is trimmed with the cell.
      newline: '\n',
      chunk(results, parser) {
        try {
          const openQuote = results.errors.find((e) => e.code === 'MissingQuotes');
          if (openQuote)
            throw new CsvError(
              localText('csv.openQuote', { line: line + (openQuote.row ?? 0) + 1 }),
            );
          for (const cells of results.data) {
            line++;
            scan.addRow(cells, line);
            // A quoted cell may span lines: count them, so later lines are named right.
            for (const c of cells)
              if (c.length > 0 && c.includes('\n')) line += c.split('\n').length - 1;
          }
        } catch (e) {
          fail(e); // before abort(), which calls complete()
          parser.abort();
        }
      },
      complete: () => resolve(),
      error: (e: Error) => fail(new CsvError(e.message)),
    });
  });
}

/** An .xlsx file is a zip: it starts PK\x03\x04 (a CSV never does). */
function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** A workbook's sheet (the chosen one, else the first), each row numbered as Excel does. */
async function scanWorkbook(path: string, read: ReadOptions): Promise<ScanPart> {
  let book;
  try {
    book = await readSheet(path, { sheet: read.sheet });
  } catch (e) {
    // One kind of refusal for the host to pass on: the reader's text, as a CsvError.
    if (e instanceof XlsxError) throw new CsvError(e.text ?? e.message);
    throw e;
  }
  const scan = new TableScan({
    format: 'xlsx',
    encoding: null,
    encodingDetected: false,
    sheets: book.sheets,
    sheet: book.sheet,
    delimiter: '',
    decimal: '.',
    naValues: read.naValues ?? defaultNaValues,
  });
  scan.expectRows(book.rows.length);
  // An empty spreadsheet row is a blank line, not a row of missing cells.
  book.rows.forEach((cells, i) => cells.some((c) => c !== '') && scan.addRow(cells, i + 1));
  return scan.finish();
}

function* chunksOf(text: string, size: number): Generator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

/** papaparse's guess among , ; tab | on the sample's first 20 lines (empty lines skipped). */
function guessDelimiter(sample: string): string {
  const guessed = Papa.parse<string[]>(sample, {
    newline: '\n',
    preview: 20,
    skipEmptyLines: 'greedy',
    delimitersToGuess: [...csvDelimiters],
  }).meta.delimiter;
  return (csvDelimiters as readonly string[]).includes(guessed) ? guessed : ',';
}

/**
 * A decimal comma: in a file whose cells are not comma-separated, more cells read like `1,5` than
 * like `1.5`.
 */
function guessDecimal(sample: string, delimiter: string): '.' | ',' {
  if (delimiter === ',') return '.';
  let comma = 0;
  let point = 0;
  for (const row of Papa.parse<string[]>(sample, { delimiter, newline: '\n', preview: 50 }).data)
    for (const cell of row) {
      const c = cell.trim();
      if (/^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/.test(c)) comma++;
      else if (/^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$/.test(c)) point++;
    }
  return comma > point ? ',' : '.';
}
