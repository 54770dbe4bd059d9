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
import { readSheet, XlsxError } from './xlsx';
import { decodeBytes, decodeStream, detectEncoding } from './encoding';
import {
  CsvError,
  TableScan,
  type NumericTable,
  type ScannedTable,
  type TableChoice,
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
 * newer previews push it out (the newest three are kept).
 */
const previews = new Map<
  string,
  { table: ScannedTable; file: FileSource; expiry: ReturnType<typeof setTimeout> }
>();
const MAX_PREVIEWS = 3;
const PREVIEW_LIFETIME_MS = 30 * 60 * 1000;

function keepPreview(table: ScannedTable, file: FileSource): string {
  while (previews.size >= MAX_PREVIEWS) forgetPreview(previews.keys().next().value!);
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

/** Reads the whole file once into a ScannedTable, reporting the fraction read. */
export async function scanFile(
  file: FileSource,
  read: ReadOptions,
  onProgress?: (fraction: number) => void,
): Promise<ScannedTable> {
  const total = Math.max(1, await fileSize(file));
  const sample = file.kind === 'path' ? await sampleBytes(file) : null;
  if (file.kind === 'path' && isZip(sample!)) return scanWorkbook(file.path, read);
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
  const lastBreak = sampleText.lastIndexOf('\n');
  if (lastBreak > 0 && total > SAMPLE_BYTES) sampleText = sampleText.slice(0, lastBreak);
  sampleText = sampleText.replace(/^\uFEFF/, '');
  const delimiter = read.delimiter ?? guessDelimiter(sampleText);
  const decimal = read.decimal ?? guessDecimal(sampleText, delimiter);
  if (delimiter === ',' && decimal === ',') throw new CsvError(localText('csv.decimalIsDelimiter'));
  const format = {
    format: 'csv' as const,
    encoding,
    encodingDetected,
    sheets: [],
    sheet: null,
    delimiter,
    decimal,
    naValues: read.naValues ?? defaultNaValues,
  };
  let readSoFar = 0;
  let lastReport = 0;
  const onBytes = (n: number) => {
    readSoFar += n;
    if (onProgress && readSoFar - lastReport > total / 50) {
      lastReport = readSoFar;
      onProgress(Math.min(0.99, readSoFar / total));
    }
  };
  // Room for the rows the file's size suggests, made once: the sample's line breaks per byte (per
  // character for text), scaled to the file, and a little over.
  const unit = sample ?? sampleText;
  let breaks = 0;
  for (let i = 0; i < unit.length; i++) if (unit[i] === 0x0a || unit[i] === '\n') breaks++;
  const expectedRows = ((total * Math.max(1, breaks)) / Math.max(1, unit.length)) * 1.05;
  const newScan = () => {
    const scan = new TableScan(format);
    scan.expectRows(Math.min(expectedRows, 50_000_000));
    return scan;
  };
  let scan = newScan();
  if (file.kind === 'path' && encoding === 'utf-8' && scan.numbersFirst) {
    try {
      await scanUnquoted(file.path, delimiter, decimal === ',', scan, onBytes);
      onProgress?.(1);
      return scan.finish();
    } catch (e) {
      if (!(e instanceof QuotedFile))
        throw e instanceof CsvError ? e : unreadable(file, e as NodeJS.ErrnoException);
      scan = newScan();
      readSoFar = lastReport = 0;
    }
  }
  await parseWithPapa(file, encoding, delimiter, scan, onBytes);
  onProgress?.(1);
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
async function scanWorkbook(path: string, read: ReadOptions): Promise<ScannedTable> {
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
