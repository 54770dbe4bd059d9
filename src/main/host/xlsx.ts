/**
 * Excel workbooks (.xlsx, Office Open XML) read as a table of text, the way a CSV export of one
 * sheet would hold it, for the data set import.
 *
 * Built on two libraries rather than a packaged spreadsheet reader (the reasons are in the closing
 * note of issue 14): fflate inflates the zip entries as a stream and sax parses the XML parts as a
 * stream. This module reads the zip's central directory itself, so every limit is checked against
 * the sizes the archive declares before anything is inflated, and again against the bytes actually
 * produced while inflating (an archive that lies about its sizes is stopped at the limit).
 *
 * Cells as text:
 * - numbers: JavaScript's shortest round-trip text of the stored double (`String(n)`), not
 *   Excel's display format: 0.1 stays 0.1, 1e-300 stays 1e-300, 1234567 is not 1.23E+06;
 * - dates (a number cell whose style is a date or time format, or a `t="d"` cell): ISO 8601,
 *   `YYYY-MM-DD` at midnight, `YYYY-MM-DDTHH:MM:SS` (`.sss` when it has milliseconds) otherwise,
 *   `HH:MM:SS` for a time of day alone (a time format and a value below 1); the 1904 date system
 *   is honoured; elapsed-time formats (`[h]:mm`) stay numbers;
 * - booleans: TRUE / FALSE; error cells: their text (#N/A, #DIV/0!, #VALUE!, …);
 * - formulas: their cached value (a formula never calculated has none and reads as '');
 * - strings: as stored (rich text runs joined, phonetic guides left out, `_xHHHH_` escapes
 *   decoded); empty cells: ''; merged cells: as Excel stores them, the value in the first cell.
 *
 * Positions are kept: `rows[i][j]` is the cell in Excel row i + 1, column j + 1 (leading empty rows
 * and columns stay, as '' cells). Every row is padded with '' to the sheet's width (the last column
 * holding a value); rows after the last one holding a value are dropped.
 */
import { promises as fs } from 'node:fs';
import { Inflate } from 'fflate';
import sax from 'sax';
import { localText, TextError, type LocalText } from '../../shared/i18n';

export class XlsxError extends TextError {
  constructor(message: LocalText | string) {
    super(message);
    this.name = 'XlsxError';
  }
}

/** What a workbook may cost at most; every field can be lowered (or raised) per call. */
export interface XlsxLimits {
  /** The .xlsx file itself, read whole into memory. */
  maxFileBytes: number;
  /** The XML parts read (workbook, styles, shared strings, the sheet), inflated, added up. */
  maxUnpackedBytes: number;
  /** The sheet as a table: (rows up to the last holding a value) × (its width). */
  maxCells: number;
}

export const XLSX_LIMITS: Readonly<XlsxLimits> = {
  maxFileBytes: 256 * 2 ** 20,
  maxUnpackedBytes: 2 ** 30,
  maxCells: 10_000_000,
};

export interface XlsxSheet {
  /** The workbook's worksheets, in tab order (hidden ones too; chart sheets are not tables). */
  sheets: string[];
  /** The sheet read: the one asked for, else the first. */
  sheet: string;
  /** The cells as text, row by row, each row as wide as the sheet. */
  rows: string[][];
}

export interface ReadSheetOptions extends Partial<XlsxLimits> {
  /** The sheet's name, exactly as on its tab; the first worksheet when not given. */
  sheet?: string;
}

/** Excel's own bounds: 1,048,576 rows × 16,384 columns (XFD). */
const MAX_ROW = 1_048_576;
const MAX_COLUMN = 16_384;
/** Compressed bytes handed to the inflater at a time: one push yields ~4 MB at most (1:1032). */
const SLICE = 4096;
/** Give the host's event loop a turn after this many inflated bytes. */
const YIELD_EVERY = 2 ** 20;

/** The worksheets' names, in tab order, without reading any sheet's cells. */
export async function readSheetNames(
  path: string,
  options: Partial<XlsxLimits> = {},
): Promise<string[]> {
  const book = await openWorkbook(path, { ...XLSX_LIMITS, ...options });
  return book.sheets.map((s) => s.name);
}

/** One sheet of an .xlsx workbook as text cells (see the module's comment for each cell type). */
export async function readSheet(path: string, options: ReadSheetOptions = {}): Promise<XlsxSheet> {
  const limits: XlsxLimits = {
    maxFileBytes: options.maxFileBytes ?? XLSX_LIMITS.maxFileBytes,
    maxUnpackedBytes: options.maxUnpackedBytes ?? XLSX_LIMITS.maxUnpackedBytes,
    maxCells: options.maxCells ?? XLSX_LIMITS.maxCells,
  };
  const book = await openWorkbook(path, limits);
  const names = book.sheets.map((s) => s.name);
  const chosen =
    options.sheet === undefined
      ? book.sheets[0]
      : book.sheets.find((s) => s.name === options.sheet);
  if (!chosen) {
    throw new XlsxError(
      options.sheet === undefined
        ? localText('xlsx.noSheets', { file: book.file })
        : localText('xlsx.noSheet', {
            name: options.sheet,
            sheets: names.map((n) => `"${n}"`).join(', '),
          }),
    );
  }
  const entry = book.zip.entry(chosen.part);
  if (!entry) throw corrupt(book.file, `${chosen.part} is missing`);
  const sharedStrings = book.sharedStrings ? await readSharedStrings(book, book.sharedStrings) : [];
  const rows = await readCells(book, entry, chosen.name, sharedStrings, limits.maxCells);
  return { sheets: names, sheet: chosen.name, rows };
}

// ---------------------------------------------------------------------------------------------
// The zip container

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

class ZipArchive {
  private readonly byName = new Map<string, ZipEntry>();

  constructor(
    readonly data: Buffer,
    entries: ZipEntry[],
  ) {
    // Part names are case-insensitive (OPC); a leading '/' is the package root.
    for (const e of entries) this.byName.set(e.name.toLowerCase(), e);
  }

  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name.replace(/^\//, '').toLowerCase());
  }

  has(name: string): boolean {
    return this.entry(name) !== undefined;
  }
}

const ZIP_LOCAL = 0x04034b50;
const ZIP_CENTRAL = 0x02014b50;
const ZIP_END = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
/** An OLE compound file: a password-protected .xlsx, or an old .xls / .doc. */
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

function readZip(file: string, data: Buffer): ZipArchive {
  if (data.subarray(0, 8).equals(OLE_MAGIC)) {
    // Excel encrypts a workbook by wrapping the zip, encrypted, in a compound file with these
    // stream names (MS-OFFCRYPTO); any other compound file is an older Office format.
    const encrypted =
      data.includes(Buffer.from('EncryptedPackage', 'utf16le')) ||
      data.includes(Buffer.from('EncryptionInfo', 'utf16le'));
    throw new XlsxError(localText(encrypted ? 'xlsx.encrypted' : 'xlsx.legacy', { file }));
  }
  if (data.length < 4 || data.readUInt32LE(0) !== ZIP_LOCAL) {
    throw new XlsxError(localText('xlsx.notAWorkbook', { file }));
  }
  // The end-of-central-directory record: the last 22 bytes, or up to 64 KiB earlier behind a
  // comment. A truncated file has none.
  let end = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (data.readUInt32LE(i) === ZIP_END) {
      end = i;
      break;
    }
  }
  if (end < 0) throw corrupt(file, 'the zip directory is missing (is the file cut short?)');
  let count = data.readUInt16LE(end + 10);
  let dirSize = data.readUInt32LE(end + 12);
  let dirOffset = data.readUInt32LE(end + 16);
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    const locator = end - 20;
    if (locator < 0 || data.readUInt32LE(locator) !== ZIP64_LOCATOR) {
      throw corrupt(file, 'the zip64 directory locator is missing');
    }
    const end64 = safeNumber(data.readBigUInt64LE(locator + 8));
    if (end64 + 56 > data.length || data.readUInt32LE(end64) !== ZIP64_END) {
      throw corrupt(file, 'the zip64 directory is missing');
    }
    count = safeNumber(data.readBigUInt64LE(end64 + 32));
    dirSize = safeNumber(data.readBigUInt64LE(end64 + 40));
    dirOffset = safeNumber(data.readBigUInt64LE(end64 + 48));
  }
  if (dirOffset + dirSize > data.length || count > dirSize / 46) {
    throw corrupt(file, 'the zip directory points past the end of the file (is it cut short?)');
  }
  const entries: ZipEntry[] = [];
  let p = dirOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > data.length || data.readUInt32LE(p) !== ZIP_CENTRAL) {
      throw corrupt(file, 'a zip directory entry is damaged');
    }
    const nameLength = data.readUInt16LE(p + 28);
    const extraLength = data.readUInt16LE(p + 30);
    const commentLength = data.readUInt16LE(p + 32);
    const entry: ZipEntry = {
      flags: data.readUInt16LE(p + 8),
      method: data.readUInt16LE(p + 10),
      compressedSize: data.readUInt32LE(p + 20),
      size: data.readUInt32LE(p + 24),
      localHeaderOffset: data.readUInt32LE(p + 42),
      name: data.toString('utf8', p + 46, p + 46 + nameLength),
    };
    // Zip64: the sizes and offset that overflowed 32 bits are in the extra field 0x0001, in order.
    let x = p + 46 + nameLength;
    const extraEnd = x + extraLength;
    while (x + 4 <= extraEnd) {
      const id = data.readUInt16LE(x);
      const length = data.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const next = (): number => {
          if (q + 8 > x + 4 + length) throw corrupt(file, 'a zip64 field is damaged');
          const v = safeNumber(data.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (entry.size === 0xffffffff) entry.size = next();
        if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
        if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      }
      x += 4 + length;
    }
    entries.push(entry);
    p = extraEnd + commentLength;
  }
  return new ZipArchive(data, entries);
}

function safeNumber(v: bigint): number {
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** An inflated-bytes budget shared by every part read from one workbook. */
interface Budget {
  file: string;
  left: number;
  max: number;
}

/**
 * Streams one zip entry's text to `onText`, in pieces, never holding the whole of it: refused
 * before inflating when its declared size is over the budget, and stopped as soon as the bytes
 * actually inflated pass the declared size or the budget.
 */
async function streamEntry(
  zip: ZipArchive,
  entry: ZipEntry,
  budget: Budget,
  onText: (text: string) => void,
): Promise<void> {
  const { file } = budget;
  if (entry.flags & 1) throw new XlsxError(localText('xlsx.encrypted', { file }));
  if (entry.size > budget.left) throw tooBig(budget, entry.name);
  const data = zip.data;
  const local = entry.localHeaderOffset;
  if (local + 30 > data.length || data.readUInt32LE(local) !== ZIP_LOCAL) {
    throw corrupt(file, `${entry.name}: its zip header is damaged`);
  }
  const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
  const stop = start + entry.compressedSize;
  if (stop > data.length) throw corrupt(file, `${entry.name} is cut short`);
  const decoder = new TextDecoder('utf-8');
  let produced = 0;
  let sinceYield = 0;
  const take = (bytes: Uint8Array): void => {
    produced += bytes.length;
    sinceYield += bytes.length;
    if (produced > entry.size) {
      throw corrupt(file, `${entry.name} holds more than the ${entry.size} bytes it declares`);
    }
    budget.left -= bytes.length;
    if (budget.left < 0) throw tooBig(budget, entry.name);
    onText(decoder.decode(bytes, { stream: true }));
  };
  if (entry.method === 0) {
    for (let i = start; i < stop; i += 16 * SLICE) {
      take(data.subarray(i, Math.min(stop, i + 16 * SLICE)));
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await nextTurn();
      }
    }
  } else if (entry.method === 8) {
    const inflate = new Inflate((chunk) => take(chunk));
    try {
      for (let i = start; i < stop; i += SLICE) {
        const j = Math.min(stop, i + SLICE);
        inflate.push(data.subarray(i, j), j === stop);
        if (sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await nextTurn();
        }
      }
      if (start === stop) inflate.push(new Uint8Array(0), true);
    } catch (e) {
      if (e instanceof XlsxError) throw e;
      throw corrupt(file, `${entry.name}: ${(e as Error).message}`);
    }
  } else {
    throw corrupt(file, `${entry.name} uses zip compression method ${entry.method}`);
  }
  if (produced !== entry.size) {
    throw corrupt(file, `${entry.name} holds ${produced} bytes where it declares ${entry.size}`);
  }
  onText(decoder.decode());
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------------------
// XML parts

interface XmlHandlers {
  open(name: string, attributes: Record<string, string>): void;
  close(name: string): void;
  text?(text: string): void;
}

/** The name without its namespace prefix: `x:row` and `row` are the same element. */
const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

async function parseXml(book: Workbook, entry: ZipEntry, handlers: XmlHandlers): Promise<void> {
  const parser = sax.parser(true, { strictEntities: true, position: false });
  parser.onopentag = (tag) => handlers.open(localName(tag.name), tag.attributes);
  parser.onclosetag = (name) => handlers.close(localName(name));
  if (handlers.text) parser.ontext = parser.oncdata = handlers.text;
  parser.ondoctype = () => {
    // No Office part has one; refusing it rules out entity tricks.
    throw corrupt(book.file, `${entry.name} has a DOCTYPE`);
  };
  parser.onerror = (e) => {
    throw corrupt(book.file, `${entry.name}: ${e.message.split('\n')[0]}`);
  };
  await streamEntry(book.zip, entry, book.budget, (text) => {
    if (text) parser.write(text);
  });
  parser.close();
}

/** A relationship's target as a part name, resolved against the folder of its source part. */
function resolveTarget(sourcePart: string, target: string): string {
  const path = target.startsWith('/')
    ? target.slice(1)
    : sourcePart.slice(0, sourcePart.lastIndexOf('/') + 1) + target;
  const parts: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') parts.pop();
    else if (segment !== '.' && segment !== '') parts.push(segment);
  }
  return parts.join('/');
}

/** The relationships of a part (`dir/_rels/name.rels`), by id: their type and target part. */
async function readRelationships(
  book: Workbook,
  sourcePart: string,
): Promise<Map<string, { type: string; target: string }>> {
  const slash = sourcePart.lastIndexOf('/');
  const relsPart = `${sourcePart.slice(0, slash + 1)}_rels/${sourcePart.slice(slash + 1)}.rels`;
  const rels = new Map<string, { type: string; target: string }>();
  const entry = book.zip.entry(relsPart);
  if (!entry) return rels;
  await parseXml(book, entry, {
    open(name, a) {
      if (name === 'Relationship' && a.Id && a.Target && a.TargetMode !== 'External') {
        rels.set(a.Id, { type: a.Type ?? '', target: resolveTarget(sourcePart, a.Target) });
      }
    },
    close() {},
  });
  return rels;
}

interface Workbook {
  file: string;
  zip: ZipArchive;
  budget: Budget;
  sheets: { name: string; part: string }[];
  sharedStrings: ZipEntry | undefined;
  /** For each cell style index: 'date', 'time' (a time-of-day format) or undefined. */
  dateStyles: ('date' | 'time' | undefined)[];
  date1904: boolean;
}

async function openWorkbook(path: string, limits: XlsxLimits): Promise<Workbook> {
  let data: Buffer;
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw new XlsxError(localText('xlsx.notAFile', { file: path }));
    if (stat.size > limits.maxFileBytes) {
      throw new XlsxError(
        localText('xlsx.fileTooBig', {
          file: path,
          size: megabytes(stat.size),
          max: megabytes(limits.maxFileBytes),
        }),
      );
    }
    data = await fs.readFile(path);
  } catch (err) {
    if (err instanceof XlsxError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new XlsxError(localText('xlsx.unreadable', { file: path, reason: e.code ?? e.message }));
  }
  const zip = readZip(path, data);
  const book: Workbook = {
    file: path,
    zip,
    budget: { file: path, left: limits.maxUnpackedBytes, max: limits.maxUnpackedBytes },
    sheets: [],
    sharedStrings: undefined,
    dateStyles: [],
    date1904: false,
  };
  // The package's main part, by its relationship; a workbook without _rels/.rels (some hand-made
  // ones) is looked for where Excel puts it.
  const root = await readRelationships(book, '');
  const main = [...root.values()].find((r) => r.type.endsWith('/officeDocument'))?.target;
  const workbookPart = main ?? 'xl/workbook.xml';
  const workbookEntry = zip.entry(workbookPart);
  if (!workbookEntry || !/\.xml$/i.test(workbookPart)) {
    // A binary workbook (.xlsb), a Word or PowerPoint file, or any other zip.
    throw new XlsxError(localText('xlsx.notAWorkbook', { file: path }));
  }
  const declared: { name: string; id: string }[] = [];
  let inSheets = false;
  await parseXml(book, workbookEntry, {
    open(name, a) {
      if (name === 'workbookPr') book.date1904 = a.date1904 === '1' || a.date1904 === 'true';
      else if (name === 'sheets') inSheets = true;
      else if (name === 'sheet' && inSheets) {
        // r:id, whatever the relationships namespace's prefix is.
        const id = Object.entries(a).find(([k]) => k !== 'id' && localName(k) === 'id')?.[1];
        if (a.name !== undefined && id !== undefined) declared.push({ name: a.name, id });
      }
    },
    close(name) {
      if (name === 'sheets') inSheets = false;
    },
  });
  const rels = await readRelationships(book, workbookPart);
  for (const { name, id } of declared) {
    const rel = rels.get(id);
    if (rel?.type.endsWith('/worksheet')) book.sheets.push({ name, part: rel.target });
  }
  const relOf = (suffix: string): string | undefined =>
    [...rels.values()].find((r) => r.type.endsWith(suffix))?.target;
  const sst = relOf('/sharedStrings');
  book.sharedStrings = sst ? zip.entry(sst) : undefined;
  const styles = relOf('/styles');
  const stylesEntry = styles ? zip.entry(styles) : undefined;
  if (stylesEntry) book.dateStyles = await readDateStyles(book, stylesEntry);
  return book;
}

// ---------------------------------------------------------------------------------------------
// Styles: which cell styles show a number as a date or a time

/** Built-in number formats that are dates or times (ids 27–36 and 50–58: East Asian dates). */
function builtinDateKind(id: number): 'date' | 'time' | undefined {
  if ((id >= 18 && id <= 21) || id === 45 || id === 47) return 'time';
  if (id === 46) return undefined; // [h]:mm:ss, an elapsed time
  if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 50 && id <= 58)) return 'date';
  return undefined;
}

/** A custom format code's kind: a date, a time of day, or neither (numbers, elapsed time). */
export function formatKind(code: string): 'date' | 'time' | undefined {
  const first = code.split(';')[0]; // positive numbers' section
  if (/\[(h+|m+|s+)\]/i.test(first)) return undefined; // elapsed time is a number of hours
  const bare = first
    .replace(/"[^"]*"/g, '') // literal text
    .replace(/\\./g, '') // escaped characters
    .replace(/\[[^\]]*\]/g, '') // colours, conditions, locales ([Red], [$-804])
    .replace(/AM\/PM|A\/P|上午\/下午/gi, '');
  if (/^general$/i.test(bare.trim())) return undefined;
  if (/[yd]/i.test(bare)) return 'date';
  if (/[hs]/i.test(bare)) return 'time';
  if (/m/i.test(bare)) return 'date'; // m alone is a month
  return undefined;
}

async function readDateStyles(
  book: Workbook,
  entry: ZipEntry,
): Promise<('date' | 'time' | undefined)[]> {
  const custom = new Map<number, 'date' | 'time' | undefined>();
  const kinds: ('date' | 'time' | undefined)[] = [];
  let inCellXfs = false;
  await parseXml(book, entry, {
    open(name, a) {
      if (name === 'numFmt' && a.numFmtId !== undefined) {
        custom.set(Number(a.numFmtId), formatKind(a.formatCode ?? ''));
      } else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) {
        const id = Number(a.numFmtId ?? 0);
        kinds.push(custom.has(id) ? custom.get(id) : builtinDateKind(id));
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return kinds;
}

// ---------------------------------------------------------------------------------------------
// Strings

/** OOXML's escapes for characters XML cannot hold: `_x000D_` is a carriage return. */
function unescapeOoxml(s: string): string {
  return s.includes('_x')
    ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : s;
}

/**
 * Collects the text of a string item (`<si>` or `<is>`): plain `<t>`, or rich text runs
 * `<r><t>`, but not the phonetic guide `<rPh><t>` shown above East Asian text.
 */
class StringItem {
  private depthInPhonetic = 0;
  private inT = false;
  private parts: string[] = [];

  open(name: string): void {
    if (name === 'rPh') this.depthInPhonetic++;
    else if (name === 't' && this.depthInPhonetic === 0) this.inT = true;
  }

  close(name: string): void {
    if (name === 'rPh') this.depthInPhonetic--;
    else if (name === 't') this.inT = false;
  }

  text(t: string): void {
    if (this.inT) this.parts.push(t);
  }

  take(): string {
    const s = unescapeOoxml(this.parts.join(''));
    this.parts = [];
    this.inT = false;
    this.depthInPhonetic = 0;
    return s;
  }
}

async function readSharedStrings(book: Workbook, entry: ZipEntry): Promise<string[]> {
  const strings: string[] = [];
  const item = new StringItem();
  let inItem = false;
  await parseXml(book, entry, {
    open(name) {
      if (name === 'si') inItem = true;
      else if (inItem) item.open(name);
    },
    close(name) {
      if (name === 'si') {
        strings.push(item.take());
        inItem = false;
      } else if (inItem) item.close(name);
    },
    text(t) {
      if (inItem) item.text(t);
    },
  });
  return strings;
}

// ---------------------------------------------------------------------------------------------
// Cells

/** `B12` → column 1 (zero-based), or -1 when the reference has no letters. */
function columnOf(ref: string): number {
  let col = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower case
    if (c < 0x61 || c > 0x7a) break;
    col = col * 26 + (c - 0x60);
    if (col > MAX_COLUMN) return MAX_COLUMN;
  }
  return i === 0 ? -1 : col - 1;
}

/** The declared extent (`<dimension ref="A1:J100">`) as rows × columns, or 0 when unknown. */
function declaredCells(ref: string): number {
  const m = /^[A-Za-z]+(\d+)(?::([A-Za-z]+)(\d+))?$/.exec(ref.trim());
  if (!m || m[2] === undefined) return 0;
  return Number(m[3]) * (columnOf(m[2]) + 1);
}

async function readCells(
  book: Workbook,
  entry: ZipEntry,
  sheetName: string,
  sharedStrings: string[],
  maxCells: number,
): Promise<string[][]> {
  const { file, dateStyles, date1904 } = book;
  const rows: string[][] = [];
  /** Rows up to the last holding a value, and the widest such row. */
  let height = 0;
  let width = 0;
  let rowIndex = -1;
  let columnIndex = -1;
  let row: string[] | undefined;
  // The cell being read.
  let type = 'n';
  let style = 0;
  let value = '';
  let inValue = false;
  let inInline = false;
  const inline = new StringItem();

  const refuse = (rowsSeen: number, columns: number): XlsxError =>
    new XlsxError(
      localText('xlsx.tooManyCells', {
        sheet: sheetName,
        rows: rowsSeen,
        columns,
        max: maxCells,
      }),
    );

  const cellText = (): string => {
    const v = value;
    switch (type) {
      case 's': {
        const i = Number(v);
        if (v === '') return '';
        if (!Number.isInteger(i) || i < 0 || i >= sharedStrings.length) {
          throw corrupt(file, `${sheetName}: shared string ${v} does not exist`);
        }
        return sharedStrings[i];
      }
      case 'inlineStr':
        return inline.take();
      case 'str':
        return unescapeOoxml(v);
      case 'b':
        return v === '' ? '' : v === '1' || v === 'true' ? 'TRUE' : 'FALSE';
      case 'e':
        return v;
      case 'd':
        return isoDateText(v);
      default: {
        if (v === '') return '';
        const n = Number(v);
        if (!Number.isFinite(n) || v.trim() === '') return v;
        const kind = dateStyles[style];
        return (kind && serialDateText(n, kind, date1904)) || String(n);
      }
    }
  };

  await parseXml(book, entry, {
    open(name, a) {
      if (inInline) {
        inline.open(name);
        return;
      }
      switch (name) {
        case 'dimension': {
          const cells = declaredCells(a.ref ?? '');
          if (cells > maxCells) {
            const m = /(\d+)$/.exec(a.ref ?? '');
            const rowsDeclared = m ? Number(m[1]) : 0;
            throw refuse(rowsDeclared, rowsDeclared > 0 ? Math.round(cells / rowsDeclared) : 0);
          }
          break;
        }
        case 'row': {
          const r = a.r === undefined ? rowIndex + 1 : Number(a.r) - 1;
          if (!Number.isInteger(r) || r < 0 || r >= MAX_ROW) {
            throw corrupt(file, `${sheetName}: row number ${a.r} is out of range`);
          }
          rowIndex = r;
          columnIndex = -1;
          row = undefined;
          break;
        }
        case 'c': {
          if (rowIndex < 0) rowIndex = 0; // a cell outside any row: row 1
          const c = a.r === undefined ? columnIndex + 1 : columnOf(a.r);
          if (c < 0 || c >= MAX_COLUMN) {
            throw corrupt(file, `${sheetName}: cell reference ${a.r} is out of range`);
          }
          columnIndex = c;
          type = a.t ?? 'n';
          style = a.s === undefined ? 0 : Number(a.s);
          value = '';
          break;
        }
        case 'v':
          inValue = true;
          break;
        case 'is':
          inInline = true;
          break;
      }
    },
    close(name) {
      if (inInline) {
        if (name === 'is') inInline = false;
        else inline.close(name);
        return;
      }
      if (name === 'v') inValue = false;
      else if (name === 'c') {
        const text = cellText();
        if (text === '') return;
        const newHeight = Math.max(height, rowIndex + 1);
        const newWidth = Math.max(width, columnIndex + 1);
        // The table this cell makes, padding included, before any of it is allocated.
        if (newHeight * newWidth > maxCells) throw refuse(newHeight, newWidth);
        height = newHeight;
        width = newWidth;
        if (!row) {
          row = rows[rowIndex] ?? [];
          rows[rowIndex] = row;
        }
        row[columnIndex] = text;
      }
    },
    text(t) {
      if (inInline) inline.text(t);
      else if (inValue) value += t;
    },
  });

  rows.length = height;
  for (let i = 0; i < height; i++) {
    const r = rows[i] ?? [];
    for (let j = 0; j < width; j++) if (r[j] === undefined) r[j] = '';
    rows[i] = r;
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Dates

const DAY_MS = 86_400_000;
/** 1899-12-30: serial 0 in the 1900 system for every serial after Excel's fictitious 1900-02-29. */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);
/** 9999-12-31, Excel's last date. */
const MAX_SERIAL = 2_958_465;

/** A date serial as ISO 8601 text, or null when it is no date Excel can show. */
export function serialDateText(
  serial: number,
  kind: 'date' | 'time',
  date1904 = false,
): string | null {
  if (serial < 0 || serial >= MAX_SERIAL + 1) return null;
  if (kind === 'time' && serial < 1) {
    return isoFromMs(Math.round(serial * DAY_MS)).slice(11);
  }
  if (!date1904 && serial >= 60 && serial < 61) {
    // Lotus 1-2-3's leap day, which Excel keeps: shown as 1900-02-29, a day no calendar has.
    const time = isoFromMs(Math.round((serial - 60) * DAY_MS)).slice(10);
    return `1900-02-29${time}`;
  }
  const epoch = date1904 ? EPOCH_1904 : serial < 60 ? EPOCH_1900 + DAY_MS : EPOCH_1900;
  return isoFromMs(epoch + Math.round(serial * DAY_MS));
}

/** `YYYY-MM-DD` at midnight, else `YYYY-MM-DDTHH:MM:SS` with `.sss` only when needed. */
function isoFromMs(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-15T06:30:00.000Z
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

/** A `t="d"` cell's ISO text in the same shape as a serial's; anything else as it is. */
function isoDateText(v: string): string {
  const m =
    /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
      v.trim(),
    );
  if (!m) return v;
  const [, date, h = '00', mi = '00', s = '00', frac = '', zone = ''] = m;
  const fraction = frac.replace(/0+$/, '').slice(0, 4);
  const time = `${h}:${mi}:${s}${fraction === '.' ? '' : fraction}`;
  if (time === '00:00:00' && (zone === '' || zone === 'Z')) return date;
  return `${date}T${time}${zone === 'Z' ? '' : zone}`;
}

// ---------------------------------------------------------------------------------------------
// Refusals

function corrupt(file: string, detail: string): XlsxError {
  return new XlsxError(localText('xlsx.corrupt', { file, detail }));
}

function tooBig(budget: Budget, part: string): XlsxError {
  return new XlsxError(
    localText('xlsx.tooBig', { file: budget.file, part, max: megabytes(budget.max) }),
  );
}

const megabytes = (bytes: number): number => Math.round((bytes / 1e6) * 10) / 10;
