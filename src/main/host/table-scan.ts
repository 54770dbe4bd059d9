/**
 * A table read once, kept column by column as numbers: each cell's kind (number, missing,
 * non-finite, other) and value, the line it came from, and for columns with few distinct values
 * their codes (a label column). A 1,000,000 × 10 file costs ~100 MB here, not its text ×11; the
 * preview's counts and the import's values both come from this one pass.
 */
import {
  MAX_COLUMN_NAME,
  type ColumnInfo,
  type ColumnType,
  type PreviewColumn,
  type TableLabels,
  type CsvPreview,
} from '../../shared/api';
import { concat } from '../../shared/concat';
import { localText, TextError, type LocalText } from '../../shared/i18n';

export class CsvError extends TextError {
  constructor(message: LocalText | string) {
    super(message);
    this.name = 'CsvError';
  }
}

const enum Kind {
  Number = 0,
  Missing = 1,
  NonFinite = 2,
  Other = 3,
}

/** How cells are read: which texts are missing, and the decimal mark. */
interface CellRules {
  /** The empty cell is always missing; these are too. */
  naValues: ReadonlySet<string>;
  /** Whether a missing-value spelling reads as a number (e.g. -999): then it is looked up first. */
  numericNa: boolean;
  decimalComma: boolean;
}

/** `1,5` as 1.5; with a decimal comma, a point (`1.234,5`, a thousands mark) is not a number. */
function commaNumber(text: string): number {
  return text.includes('.') ? NaN : +text.replace(',', '.');
}

const INFINITE = /^[+-]?inf(inity)?$/i;

/** JavaScript reads 0x1f, 0b1 and 0o7 as numbers; a data file means text by them. */
function hasRadixPrefix(text: string): boolean {
  if (text.length < 3 || text.charCodeAt(0) !== 48) return false;
  const x = text.charCodeAt(1) | 32; // lower case
  return x === 120 || x === 98 || x === 111;
}

/** Labels: a column with at most this many distinct values may be kept as labels. */
const MAX_LABELS = 256;
const EXAMPLES = 3;
const EXAMPLE_CHARS = 40;
/** A cell in the preview's first rows. */
const HEAD_CELL_CHARS = 200;

class Growing<T extends Float64Array | Int32Array | Uint8Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  done(): T {
    return this.data.subarray(0, this.length) as T;
  }
}
// Small at first: a file may have 10,000 columns of a few rows.
const i32 = () => new Growing(new Int32Array(16), (n) => new Int32Array(n));

/** A column's scan as it crosses between threads (structured clone keeps the Map and arrays). */
export interface ColumnState {
  kinds: Uint8Array;
  numbers: number;
  integers: number;
  missing: number;
  nonFinite: number;
  other: number;
  examples: { value: string; line: number }[];
  dictionary: Map<number | string, number> | null;
  codes: Int32Array | null;
}

class ColumnScan {
  /** Each row's cell kind; Kind.Number is 0, so a new array's cells are numbers until told. */
  kinds = new Uint8Array(16);
  numbers = 0;
  integers = 0;
  missing = 0;
  nonFinite = 0;
  other = 0;
  readonly examples: { value: string; line: number }[] = [];
  /** Distinct non-missing texts and each row's code, dropped past MAX_LABELS values. */
  dictionary: Map<number | string, number> | null = new Map();
  codes: Growing<Int32Array> | null = i32();

  static from(state: ColumnState): ColumnScan {
    const c = new ColumnScan();
    Object.assign(c, state, {
      codes: state.codes ? new Growing(state.codes, (n) => new Int32Array(n)) : null,
    });
    if (c.codes) c.codes.length = state.codes!.length;
    return c;
  }

  /** Its state for rows 0 … rows − 1. */
  state(rows: number): ColumnState {
    return {
      kinds: this.kinds.subarray(0, rows),
      numbers: this.numbers,
      integers: this.integers,
      missing: this.missing,
      nonFinite: this.nonFinite,
      other: this.other,
      examples: this.examples,
      dictionary: this.dictionary,
      codes: this.codes ? this.codes.done() : null,
    };
  }

  /** Room for rows 0 … capacity − 1. */
  reserve(capacity: number): void {
    if (capacity <= this.kinds.length) return;
    const kinds = new Uint8Array(capacity);
    kinds.set(this.kinds);
    this.kinds = kinds;
  }

  /** Reads row `row`'s cell; returns its value (NaN unless a number). */
  add(raw: string, line: number, rules: CellRules, row: number): number {
    const text = trimmed(raw);
    // Numbers first (most cells are), unless a missing-value spelling could read as one (-999).
    if (text.length === 0 || (rules.numericNa && rules.naValues.has(text)))
      return this.put(Kind.Missing, NaN, text, line, row);
    const v = rules.decimalComma ? commaNumber(text) : +text;
    // JavaScript reads any blank text as 0: a cell of no-break or ideographic spaces is empty.
    if (v === 0 && text.trim() === '') return this.put(Kind.Missing, NaN, text, line, row);
    if (v - v === 0)
      return this.put(hasRadixPrefix(text) ? Kind.Other : Kind.Number, v, text, line, row);
    if (v === v) return this.put(Kind.NonFinite, NaN, text, line, row); // ±Infinity, 1e400
    if (rules.naValues.has(text)) return this.put(Kind.Missing, NaN, text, line, row);
    return this.put(INFINITE.test(text) ? Kind.NonFinite : Kind.Other, NaN, text, line, row);
  }

  /** A finite number a reader parsed itself (csv-fast.ts): as `add` would have counted its text. */
  addNumber(v: number, row: number): void {
    // What put() does for a number, without its branches: the big file's every cell comes here.
    if (this.dictionary) {
      this.put(Kind.Number, v, '', 0, row);
      return;
    }
    this.numbers++;
    if (Number.isInteger(v)) this.integers++;
  }

  private put(kind: Kind, v: number, text: string, line: number, row: number): number {
    this.kinds[row] = kind;
    switch (kind) {
      case Kind.Number:
        this.numbers++;
        if (Number.isInteger(v)) this.integers++;
        break;
      case Kind.Missing:
        this.missing++;
        break;
      case Kind.NonFinite:
        this.nonFinite++;
        break;
      default:
        this.other++;
        if (this.examples.length < EXAMPLES) this.examples.push({ value: shown(text), line });
    }
    if (this.dictionary) {
      // A number is its value (1 and 1.0 are one label), any other cell its text.
      const key = kind === Kind.Number ? v : text;
      let code = -1;
      if (kind !== Kind.Missing) {
        code = this.dictionary.get(key) ?? this.dictionary.size;
        if (code === this.dictionary.size) this.dictionary.set(key, code);
      }
      if (this.dictionary.size > MAX_LABELS) {
        this.dictionary = null;
        this.codes = null;
      } else this.codes!.push(code);
    }
    return kind === Kind.Number ? v : NaN;
  }

  get type(): ColumnType {
    if (this.numbers === 0 && this.other === 0) return this.nonFinite > 0 ? 'number' : 'empty';
    // Numbers with a few stray texts (a typo, a note) at most half as many: still a numeric column,
    // whose strays are reported and then made missing or the column left out, as the user says.
    if (this.other * 2 > this.numbers) return 'text';
    return this.integers === this.numbers ? 'integer' : 'number';
  }
}

/** Text cut to `max` characters, the last of them an ellipsis (a surrogate pair kept whole). */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1])) end--;
  return `${text.slice(0, end)}…`;
}

/** A cell as a sentence quotes it: control characters (a NUL byte) made visible, and short. */
function shown(text: string): string {
  const short = text.length > EXAMPLE_CHARS ? `${text.slice(0, EXAMPLE_CHARS)}…` : text;
  // eslint-disable-next-line no-control-regex
  return short.replace(/[\u0000-\u001f]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)));
}

/** Spaces, tabs and a carriage return (a CRLF file read as LF) around a cell do not count. */
function trimmed(s: string): string {
  const space = (c: number) => c === 32 || c === 9 || c === 13;
  let a = 0;
  let b = s.length;
  while (a < b && space(s.charCodeAt(a))) a++;
  while (b > a && space(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** How the file was read: what the preview shows of it. */
export type TableFormat = Pick<
  CsvPreview,
  | 'format'
  | 'encoding'
  | 'encodingDetected'
  | 'sheets'
  | 'sheet'
  | 'delimiter'
  | 'decimal'
  | 'naValues'
>;

/** Rows held back until the header is decided: the first row and the ones that judge it. */
const HEADER_WINDOW = 21;
const HEAD_ROWS = 20;

/**
 * Takes rows as they are read (with their line numbers) and keeps them by column. The first row
 * is a header when it has a non-numeric cell above numeric ones.
 */
export class TableScan {
  private readonly rules: CellRules;
  private pending: { cells: string[]; line: number }[] | null = [];
  private names: string[] = [];
  private hasHeader = false;
  private columns: ColumnScan[] = [];
  /** Every cell's value, row-major: what an import of every column stores, as it is. */
  private matrix = new Float64Array(0);
  /** Rows the matrix (and each column's kinds) has room for. */
  private capacity = 0;
  /** Rows expected (from the file's size): room made for them at once. */
  private expected = 0;
  private readonly lines = i32();
  private readonly head: string[][] = [];
  /** The first line holding a character the decoder could not read (U+FFFD). */
  private undecodableLine: number | null = null;
  /** Sentences about the header: names too long, shortened. */
  private readonly headerNotes: LocalText[] = [];

  constructor(readonly format: TableFormat) {
    const decimalComma = format.decimal === ',';
    this.rules = {
      naValues: new Set(format.naValues),
      numericNa: format.naValues.some((v) => {
        const n = decimalComma ? commaNumber(v.trim()) : Number(v.trim());
        return v.trim() !== '' && n === n;
      }),
      decimalComma,
    };
  }

  /**
   * A stretch of a file after its first (read by a thread of its own): rows of a known width, the
   * header judged by the first stretch's reader.
   */
  static continuing(format: TableFormat, width: number, expectedRows: number): TableScan {
    const scan = new TableScan(format);
    scan.pending = null;
    scan.columns = Array.from({ length: width }, () => new ColumnScan());
    scan.expectRows(expectedRows);
    scan.makeRoom(Math.max(16, Math.min(scan.expected, Math.floor(64e6 / width))));
    return scan;
  }

  addRow(cells: string[], line: number): void {
    // An empty line (spaces, tabs, a carriage return): as csv-fast.ts's blank() judges it.
    if (cells.length === 1 && trimmed(cells[0]) === '') return;
    if (this.pending) {
      this.pending.push({ cells, line });
      if (this.pending.length === HEADER_WINDOW) this.decideHeader();
      return;
    }
    this.take(cells, line);
  }

  private decideHeader(): void {
    const rows = this.pending!;
    this.pending = null;
    if (rows.length === 0) return;
    this.hasHeader = isHeader(
      rows.map((r) => r.cells),
      this.rules,
    );
    const width = rows[0].cells.length;
    this.names = this.hasHeader
      ? uniqueNames(rows[0].cells.map((c, i) => this.columnName(c.trim(), i)))
      : rows[0].cells.map((_, i) => `column${i + 1}`);
    this.columns = Array.from({ length: width }, () => new ColumnScan());
    // At most 64 M cells (512 MB) on a guess: past that, room grows with the rows that come.
    this.makeRoom(Math.max(16, Math.min(this.expected, Math.floor(64e6 / width))));
    if (this.hasHeader) this.head.push(this.names);
    for (const r of rows.slice(this.hasHeader ? 1 : 0)) this.take(r.cells, r.line);
  }

  /** A header cell as a column's name: at most MAX_COLUMN_NAME characters, said so when cut. */
  private columnName(text: string, j: number): string {
    if (text === '') return `column${j + 1}`;
    if (text.length <= MAX_COLUMN_NAME) return text;
    this.headerNotes.push(
      localText('csv.longName', { column: j + 1, length: text.length, max: MAX_COLUMN_NAME }),
    );
    return cut(text, MAX_COLUMN_NAME);
  }

  private take(cells: string[], line: number): void {
    if (cells.length !== this.columns.length) this.ragged(cells.length, line);
    for (let j = 0; j < cells.length; j++) this.addText(j, cells[j], line);
    this.endRow(cells.length, line);
    // Shown, not kept: a 50 MB cell is not sent to the page whole.
    if (this.head.length < HEAD_ROWS + (this.hasHeader ? 1 : 0))
      this.head.push(cells.map((c) => cut(trimmed(c), HEAD_CELL_CHARS)));
  }

  /** Whether a cell that reads as a number is one (no missing-value spelling is numeric). */
  get numbersFirst(): boolean {
    return !this.rules.numericNa;
  }

  /** Whether the header is decided: rows may then come cell by cell (csv-fast.ts). */
  get decided(): boolean {
    return this.pending === null;
  }

  /** Cells a row must have. */
  get width(): number {
    return this.columns.length;
  }

  /** About how many rows the file holds (a guess from its size): room is made at once. */
  expectRows(rows: number): void {
    this.expected = Math.ceil(rows);
  }

  /** Cell j of the row being read, a number parsed by the reader. */
  addNumber(j: number, v: number, line: number): void {
    const row = this.lines.length;
    this.matrix[row * this.columns.length + j] = v;
    this.column(j, line).addNumber(v, row);
  }

  /** Cell j of the row being read, as text. */
  addText(j: number, text: string, line: number): void {
    const col = this.column(j, line);
    const before = col.other;
    const row = this.lines.length;
    this.matrix[row * this.columns.length + j] = col.add(text, line, this.rules, row);
    if (col.other !== before && this.undecodableLine === null && text.includes('\uFFFD'))
      this.undecodableLine = line;
  }

  /** The end of a row, with its number of cells. */
  endRow(cells: number, line: number): void {
    if (cells !== this.columns.length) this.ragged(cells, line);
    this.lines.push(line);
    if (this.lines.length === this.capacity) this.makeRoom(this.capacity * 2);
  }

  private makeRoom(rows: number): void {
    const matrix = new Float64Array(rows * this.columns.length);
    matrix.set(this.matrix);
    this.matrix = matrix;
    this.capacity = rows;
    for (const c of this.columns) c.reserve(rows);
  }

  private column(j: number, line: number): ColumnScan {
    if (j >= this.columns.length) this.ragged(j + 1, line);
    return this.columns[j];
  }

  private ragged(fields: number, line: number): never {
    throw new CsvError(localText('csv.ragged', { line, fields, width: this.columns.length }));
  }

  /** The table read: call once every row is in. */
  finish(): ScanPart {
    if (this.pending) this.decideHeader();
    if (this.columns.length === 0) throw new CsvError(localText('csv.noRows'));
    const rows = this.lines.length;
    return {
      format: this.format,
      hasHeader: this.hasHeader,
      names: this.names,
      columns: this.columns.map((c) => c.state(rows)),
      blocks: [this.matrix.subarray(0, rows * this.columns.length)],
      lines: this.lines.done(),
      head: this.head,
      undecodableLine: this.undecodableLine,
      headerNotes: this.headerNotes,
    };
  }
}

/**
 * A table read, or one stretch of a file read by a thread of its own (reader-pool.ts): what
 * crosses between threads, its typed arrays moved, not copied.
 */
export interface ScanPart {
  format: TableFormat;
  hasHeader: boolean;
  names: string[];
  columns: ColumnState[];
  /**
   * Every cell's value, row-major (NaN unless a number), in blocks of whole rows: one per stretch
   * read (joined only when something needs them as one array).
   */
  blocks: Float64Array[];
  /** Each row's line in the file (in a stretch: counted from the stretch's start). */
  lines: Int32Array;
  /** The header (when there is one) and the first rows, as text. */
  head: string[][];
  /** The first line holding a character the decoder could not read (U+FFFD). */
  undecodableLine: number | null;
  /** Sentences about the header (names shortened). */
  headerNotes: LocalText[];
}

/** The buffers a part holds, to move them to another thread. */
export function partBuffers(part: ScanPart): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>([
    ...part.blocks.map((b) => b.buffer as ArrayBuffer),
    part.lines.buffer as ArrayBuffer,
  ]);
  for (const c of part.columns) {
    buffers.add(c.kinds.buffer as ArrayBuffer);
    if (c.codes) buffers.add(c.codes.buffer as ArrayBuffer);
  }
  return [...buffers];
}

/**
 * Consecutive stretches of one file, each read on its own, as the one table a single pass would
 * have read: rows in order, line numbers counted on from the stretches before (`lineCounts`: the
 * lines each stretch held, blank ones too), and each column's counts, first examples and labels
 * joined. The first stretch decided the header; the others were read with its width.
 */
export function joinParts(parts: ScanPart[], lineCounts: number[]): ScanPart {
  const [first] = parts;
  const offsets: number[] = [];
  lineCounts.reduce((sum, n) => (offsets.push(sum), sum + n), 0);
  const rows = parts.reduce((n, p) => n + p.lines.length, 0);
  const lines = new Int32Array(rows);
  let row = 0;
  let undecodableLine: number | null = null;
  parts.forEach((p, k) => {
    for (let i = 0; i < p.lines.length; i++) lines[row + i] = p.lines[i] + offsets[k];
    if (undecodableLine === null && p.undecodableLine !== null)
      undecodableLine = p.undecodableLine + offsets[k];
    row += p.lines.length;
  });
  return {
    ...first,
    columns: first.columns.map((_, j) =>
      joinColumns(
        parts.map((p) => p.columns[j]),
        parts.map((p) => p.lines.length),
        offsets,
      ),
    ),
    blocks: parts.flatMap((p) => p.blocks),
    lines,
    undecodableLine,
  };
}

function joinColumns(columns: ColumnState[], rows: number[], lineOffsets: number[]): ColumnState {
  const total = rows.reduce((a, b) => a + b, 0);
  const kinds = new Uint8Array(total);
  const sum = (key: 'numbers' | 'integers' | 'missing' | 'nonFinite' | 'other') =>
    columns.reduce((n, c) => n + c[key], 0);
  // Labels: each stretch's codes renumbered into one dictionary, in order of first appearance.
  let dictionary: Map<number | string, number> | null = new Map();
  let codes: Int32Array | null = new Int32Array(total);
  let at = 0;
  columns.forEach((c, k) => {
    kinds.set(c.kinds.subarray(0, rows[k]), at);
    if (dictionary && c.dictionary && c.codes) {
      const recode = new Int32Array(c.dictionary.size);
      for (const [key, code] of c.dictionary) {
        recode[code] = dictionary.get(key) ?? dictionary.size;
        if (recode[code] === dictionary.size) dictionary.set(key, recode[code]);
      }
      for (let i = 0; i < rows[k]; i++) codes![at + i] = c.codes[i] < 0 ? -1 : recode[c.codes[i]];
    }
    if (!c.dictionary || (dictionary && dictionary.size > MAX_LABELS)) {
      dictionary = null;
      codes = null;
    }
    at += rows[k];
  });
  return {
    kinds,
    numbers: sum('numbers'),
    integers: sum('integers'),
    missing: sum('missing'),
    nonFinite: sum('nonFinite'),
    other: sum('other'),
    examples: columns
      .flatMap((c, k) => c.examples.map((e) => ({ ...e, line: e.line + lineOffsets[k] })))
      .slice(0, EXAMPLES),
    dictionary,
    codes,
  };
}

/** A header is a first row with a non-numeric cell where the next rows are numeric. */
function isHeader(rows: string[][], rules: CellRules): boolean {
  const numeric = (cell: string | undefined) => {
    const probe = new ColumnScan();
    probe.add(cell ?? '', 0, rules, 0);
    return probe.numbers + probe.nonFinite + probe.missing > 0;
  };
  const first = rows[0];
  if (first.every((c) => numeric(c))) return false;
  if (rows.length === 1) return true;
  const next = rows.slice(1);
  return first.some((c, j) => !numeric(c) && next.some((r) => numeric(r[j])));
}

function uniqueNames(names: string[]): string[] {
  // a, a, a_2 → a, a_2, a_2_2: a suffix never takes a name the file already has.
  const used = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let k = 2; used.has(name); k++) name = `${n}_${k}`;
    used.add(name);
    return name;
  });
}

export interface NumericTable {
  columns: ColumnInfo[];
  rows: number;
  /**
   * Row-major rows × columns in blocks of whole rows (one per stretch of a file read in stretches):
   * what the store writes and hashes as they are, with no joined copy.
   */
  blocks: Float64Array[];
  /** The blocks as one array, joined the first time it is asked for. */
  readonly values: Float64Array;
  droppedRows: number;
  labels: TableLabels | null;
  /** A sentence for each column left out, stray cells made missing, rows dropped. */
  notes: LocalText[];
}

/** A NumericTable whose `values` joins its blocks once, when first asked for. */
function numericTable(table: Omit<NumericTable, 'values'>): NumericTable {
  let joined: Float64Array | null = null;
  return {
    ...table,
    get values() {
      joined ??= joinBlocks(table.blocks);
      return joined;
    },
  };
}

/** Blocks of rows as one array (the block itself when there is one). */
export function joinBlocks(blocks: Float64Array[]): Float64Array {
  return blocks.length === 1 ? blocks[0] : concat(blocks, (n) => new Float64Array(n));
}

export interface TableChoice {
  /** The columns to keep (default: every numeric column, see `strayCellsAsMissing`); 'all': every one. */
  columns?: string[] | 'all';
  dropInvalidRows?: boolean;
  strayCellsAsMissing?: boolean;
  /** A column kept as labels (text, or numbers with few distinct values). */
  labelColumn?: string;
}

export class ScannedTable {
  readonly rows: number;
  readonly format: TableFormat;
  readonly hasHeader: boolean;
  readonly names: string[];
  /** The header (when there is one) and the first rows, as text. */
  readonly head: string[][];
  private readonly columns: ColumnScan[];
  /** Every cell's value, row-major (NaN unless a number), in blocks of whole rows. */
  private readonly blocks: Float64Array[];
  /** Each row's line in the file. */
  private readonly lines: Int32Array;
  private readonly undecodableLine: number | null;
  private readonly headerNotes: LocalText[];

  constructor(part: ScanPart) {
    this.format = part.format;
    this.hasHeader = part.hasHeader;
    this.names = part.names;
    this.head = part.head;
    this.columns = part.columns.map((c) => ColumnScan.from(c));
    this.blocks = part.blocks;
    this.lines = part.lines;
    this.undecodableLine = part.undecodableLine;
    this.headerNotes = part.headerNotes;
    this.rows = part.lines.length;
  }

  /** Bytes held: what a kept preview costs. */
  get bytes(): number {
    // The buffers themselves, spare room and all (a block may be a view of a bigger one).
    const buffers = new Set<ArrayBufferLike>([
      ...this.blocks.map((b) => b.buffer),
      this.lines.buffer,
      ...this.columns.flatMap((c) => [c.kinds.buffer, ...(c.codes ? [c.codes.data.buffer] : [])]),
    ]);
    return [...buffers].reduce((n, b) => n + b.byteLength, 0);
  }

  previewColumns(): PreviewColumn[] {
    return this.columns.map((c, j) => ({
      name: this.names[j],
      type: c.type,
      missing: c.missing,
      numbers: c.numbers,
      nonFinite: c.nonFinite,
      other: { count: c.other, examples: c.examples },
      distinct: c.dictionary ? c.dictionary.size : null,
    }));
  }

  /** What a reader must be told before importing: stray cells, text the decoder could not read. */
  warnings(): LocalText[] {
    const out: LocalText[] = [...this.headerNotes];
    if (this.undecodableLine !== null)
      out.push(
        localText('csv.undecodable', {
          encoding: this.format.encoding ?? '',
          line: this.undecodableLine,
        }),
      );
    this.columns.forEach((c, j) => {
      const stray = strayNote(this.names[j], c);
      if (stray) out.push(stray);
    });
    return out;
  }

  /**
   * The chosen columns as numbers. A cell that cannot be one refuses the whole table with its line
   * and column named, unless the choice says to drop its row (missing, non-finite, and stray cells
   * made missing).
   */
  numeric(choice: TableChoice): NumericTable {
    const types = this.columns.map((c) => c.type);
    const isNumeric = (j: number) => types[j] === 'number' || types[j] === 'integer';
    const labelAt = choice.labelColumn === undefined ? -1 : this.indexOf(choice.labelColumn);
    const chosen =
      choice.columns === 'all'
        ? this.names.map((_, j) => j)
        : choice.columns
          ? choice.columns.map((name) => this.indexOf(name))
          : this.names
              .map((_, j) => j)
              .filter(
                (j) =>
                  j !== labelAt &&
                  isNumeric(j) &&
                  (choice.strayCellsAsMissing || this.columns[j].other === 0),
              );
    if (labelAt >= 0 && chosen.includes(labelAt))
      throw new CsvError(localText('csv.labelIsColumn', { column: this.names[labelAt] }));
    if (chosen.length === 0) throw new CsvError(localText('csv.noNumericColumn'));
    // What the preview warned of comes first: an import from the CLI shows no preview.
    const notes = [...this.warnings(), ...this.leftOutNotes(chosen, labelAt)];
    for (const j of chosen) {
      const c = this.columns[j];
      if (c.other === 0) continue;
      const first = c.examples[0];
      const where = { line: first.line, column: this.names[j], value: first.value };
      if (!isNumeric(j))
        throw new CsvError(localText('csv.textColumn', { ...where, count: c.other }));
      if (!choice.strayCellsAsMissing)
        throw new CsvError(localText('csv.strayCell', { ...where, count: c.other }));
      notes.push(localText('csv.straysMissing', { column: this.names[j], count: c.other }));
    }
    const { keep, ...table } = this.assemble(chosen, choice.dropInvalidRows ?? false, notes);
    return numericTable({ ...table, labels: this.labels(labelAt, keep) });
  }

  private indexOf(name: string): number {
    const j = this.names.indexOf(name);
    if (j < 0)
      throw new CsvError(
        localText('csv.noColumn', {
          name,
          columns: this.names.slice(0, 12).join(', ') + (this.names.length > 12 ? ', …' : ''),
        }),
      );
    return j;
  }

  /** A sentence for every column that is not kept, saying why. */
  private leftOutNotes(chosen: number[], labelAt: number): LocalText[] {
    const notes: LocalText[] = [];
    this.columns.forEach((c, j) => {
      if (chosen.includes(j) || j === labelAt) return;
      const column = this.names[j];
      const type = c.type;
      if (type === 'text') notes.push(localText('csv.leftOut.text', { column }));
      else if (type === 'empty') notes.push(localText('csv.leftOut.empty', { column }));
      else if (c.other > 0) notes.push(localText('csv.leftOut.strays', { column, count: c.other }));
      else notes.push(localText('csv.leftOut.notChosen', { column }));
    });
    return notes;
  }

  private assemble(
    chosen: number[],
    dropInvalidRows: boolean,
    notes: LocalText[],
  ): Omit<NumericTable, 'labels' | 'values'> & { keep: Uint8Array } {
    const width = chosen.length;
    const all = this.names.length;
    const kinds = chosen.map((j) => this.columns[j].kinds);
    // Every column, in order, every cell a number: the matrix is the table as it is.
    if (
      width === all &&
      chosen.every((j, c) => j === c) &&
      chosen.every((j) => this.columns[j].numbers === this.rows)
    ) {
      return {
        keep: new Uint8Array(this.rows).fill(1),
        columns: chosen.map((j) => ({
          name: this.names[j],
          type: this.columns[j].type,
          missing: 0,
        })),
        rows: this.rows,
        blocks: this.blocks,
        droppedRows: 0,
        notes,
      };
    }
    const out = new Float64Array(this.rows * width);
    const keep = new Uint8Array(this.rows);
    let rows = 0;
    // Block by block: the blocks of a table read in stretches are never joined for a choice.
    let i = 0;
    for (const block of this.blocks)
      for (let b = 0; b < block.length; b += all, i++) {
        let ok = true;
        for (let c = 0; c < width; c++) {
          if (kinds[c][i] === Kind.Number) continue;
          if (!dropInvalidRows) throw this.invalidCell(i, chosen[c], kinds[c][i]);
          ok = false;
          break;
        }
        if (!ok) continue;
        keep[i] = 1;
        for (let c = 0; c < width; c++) out[rows * width + c] = block[b + chosen[c]];
        rows++;
      }
    if (rows === 0) throw new CsvError(localText('csv.noValidRows'));
    const dropped = this.rows - rows;
    if (dropped > 0) notes.push(localText('csv.droppedRows', { n: dropped }));
    return {
      keep,
      columns: chosen.map((j) => ({ name: this.names[j], type: this.columns[j].type, missing: 0 })),
      rows,
      blocks: [rows === this.rows ? out : out.slice(0, rows * width)],
      droppedRows: dropped,
      notes,
    };
  }

  private invalidCell(row: number, j: number, kind: Kind): CsvError {
    const where = { line: this.lines[row], column: this.names[j] };
    // A stray cell reaches here only made missing (numeric() refused it otherwise).
    return new CsvError(
      localText(kind === Kind.NonFinite ? 'csv.nonFiniteCell' : 'csv.missingCell', where),
    );
  }

  /** The label column's codes for the rows kept. */
  private labels(j: number, keep: Uint8Array): TableLabels | null {
    if (j < 0) return null;
    const c = this.columns[j];
    if (!c.dictionary || !c.codes)
      throw new CsvError(
        localText('csv.tooManyLabels', { column: this.names[j], max: MAX_LABELS }),
      );
    const all = c.codes.done();
    const codes = new Int32Array(keep.reduce((n, k) => n + k, 0));
    let r = 0;
    for (let i = 0; i < all.length; i++) if (keep[i]) codes[r++] = all[i];
    return { column: this.names[j], names: [...c.dictionary.keys()].map(String), codes };
  }
}

function strayNote(column: string, c: ColumnScan): LocalText | null {
  const type = c.type;
  if (c.other === 0 || (type !== 'number' && type !== 'integer')) return null;
  const first = c.examples[0];
  return localText(c.other === 1 ? 'csv.stray.one' : 'csv.stray.many', {
    column,
    numbers: c.numbers,
    count: c.other,
    value: first.value,
    line: first.line,
  });
}
