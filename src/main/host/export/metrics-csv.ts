/**
 * metrics.csv both ways, a line at a time: written from rows merged by step (from series in
 * memory, or from the store a page at a time — see metric-pages.ts), and read back into compact
 * columns with every cell checked and at most `MAX_IMPORTED_METRIC_POINTS` points.
 *
 * The format: one row per step (every step any metric has), one column per metric key, then
 * `wall_ms`, the milliseconds from the run's start of the first metric present at that step. An
 * empty cell is a step where that metric has no point; `NaN` a point whose value was not finite.
 * When a metric was reported at another time than the row's `wall_ms` (a sweep fits each
 * covariance type in turn at the same K), its own times follow in a `wall_ms:<key>` column.
 */
import Papa from 'papaparse';
import { ApiError, type MetricSeries } from '../../../shared/api';
import { localText, type LocalText, type MessageKey } from '../../../shared/i18n';
import type { MetricPoint } from '../store';

/**
 * Most metric points an imported run may have. A run made here stays far below it (samplers
 * thin their metrics, EM stops at maxIter), and a run's points travel whole to its page: a file
 * with more is refused, not silently thinned, so an imported run always has the numbers its
 * file has.
 */
export const MAX_IMPORTED_METRIC_POINTS = 2_000_000;

/** A metrics.csv line longer than this is refused (a real one is a few hundred bytes). */
export const MAX_LINE_CHARS = 1 << 20;

// ---------------------------------------------------------------- writing

/** One row of metrics.csv: for each metric (by index), whether it has a point and its numbers. */
export interface MetricRow {
  step: number;
  present: Uint8Array;
  values: Float64Array;
  wallMs: Float64Array;
}

/** The rows of a run's metrics in step order; called once per pass (the writer makes two). */
export type MetricRowSource = () => Iterable<MetricRow>;

/** One metric's points in step order, read forward (from memory, or from the store). */
export interface PointCursor {
  /** The current point's step; Infinity past the last point. */
  readonly step: number;
  readonly value: number;
  readonly wallMs: number;
  advance(): void;
}

/** Metrics merged by step: one row per step any of them has. */
export function* mergeByStep(cursors: PointCursor[]): Generator<MetricRow> {
  const k = cursors.length;
  const row: MetricRow = {
    step: 0,
    present: new Uint8Array(k),
    values: new Float64Array(k),
    wallMs: new Float64Array(k),
  };
  for (;;) {
    let step = Infinity;
    for (const c of cursors) step = Math.min(step, c.step);
    if (step === Infinity) return;
    row.step = step;
    cursors.forEach((c, j) => {
      row.present[j] = c.step === step ? 1 : 0;
      if (!row.present[j]) return;
      row.values[j] = c.value;
      row.wallMs[j] = c.wallMs;
      c.advance();
    });
    yield row;
  }
}

/** A series in memory as a cursor. */
function seriesCursor(s: MetricSeries): PointCursor {
  let i = 0;
  return {
    get step() {
      return i < s.steps.length ? s.steps[i] : Infinity;
    },
    get value() {
      return s.values[i];
    },
    get wallMs() {
      return s.wallMs[i];
    },
    advance: () => void i++,
  };
}

/** Series in memory merged by step (each series' steps ascending). */
export const seriesRows =
  (series: MetricSeries[]): MetricRowSource =>
  () =>
    mergeByStep(series.map(seriesCursor));

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Lines are handed on this many at a time. */
const LINES_PER_CHUNK = 2048;

/** metrics.csv as chunks of whole lines, from two passes over the rows (see the file's comment). */
export function* metricsCsvChunks(keys: string[], rows: MetricRowSource): Generator<string> {
  const k = keys.length;
  // First pass: which metrics were ever reported at another time than their row's wall_ms.
  const ownWall = new Uint8Array(k);
  // (With one metric every row's wall_ms is its own: no pass needed.)
  if (k > 1) {
    let n = 0;
    for (const row of rows()) {
      const first = row.present.indexOf(1);
      for (let j = first + 1; j < k; j++)
        if (row.present[j] && row.wallMs[j] !== row.wallMs[first]) ownWall[j] = 1;
      // An empty piece now and then: the writer awaits each, so the event loop turns during
      // this pass over millions of rows too.
      if (++n % LINES_PER_CHUNK === 0) yield '';
    }
  }
  const own = keys.map((_, j) => j).filter((j) => ownWall[j]);
  const header = ['step', ...keys, 'wall_ms', ...own.map((j) => `wall_ms:${keys[j]}`)];
  let lines = [header.map(csvCell).join(',')];
  for (const row of rows()) {
    const first = row.present.indexOf(1);
    const cells = [String(row.step)];
    for (let j = 0; j < k; j++) cells.push(row.present[j] ? String(row.values[j]) : '');
    cells.push(String(row.wallMs[first]));
    for (const j of own) cells.push(row.present[j] ? String(row.wallMs[j]) : '');
    lines.push(cells.join(','));
    if (lines.length >= LINES_PER_CHUNK) {
      yield lines.join('\n') + '\n';
      lines = [];
    }
  }
  if (lines.length) yield lines.join('\n') + '\n';
}

/** metrics.csv of series in memory, as one string. */
export function metricsCsv(series: MetricSeries[]): string {
  return [
    ...metricsCsvChunks(
      series.map((s) => s.key),
      seriesRows(series),
    ),
  ].join('');
}

// ---------------------------------------------------------------- reading

const numberPattern = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Values per chunk of a column. */
const CHUNK = 1 << 16;

/** A column of numbers that grows a chunk at a time (nothing is copied as it grows). */
class ChunkedColumn<T extends Float64Array | Int32Array> {
  length = 0;
  private readonly chunks: T[] = [];
  constructor(private readonly make: (n: number) => T) {}
  push(v: number): void {
    if (this.length % CHUNK === 0) this.chunks.push(this.make(CHUNK));
    this.chunks[this.chunks.length - 1][this.length++ % CHUNK] = v;
  }
  get(i: number): number {
    return this.chunks[Math.floor(i / CHUNK)][i % CHUNK];
  }
}
const floats = () => new ChunkedColumn((n) => new Float64Array(n));
const ints = () => new ChunkedColumn((n) => new Int32Array(n));

/** A metrics.csv read back: its metric keys and its points, kept as columns. */
export interface ParsedMetrics {
  keys: string[];
  count: number;
  /** The highest step of any point (0 when there are none). */
  lastStep: number;
  /** Each point in file order (one object at a time). */
  points(): Generator<MetricPoint>;
}

/**
 * metrics.csv fed a line at a time (without its line break); `finish` checks what needs the
 * whole file (a step twice) and hands the points over. Errors name the file and the line.
 */
export class MetricsCsvReader {
  private lineNo = 0;
  private headerText: string | null = null;
  private keys: string[] = [];
  private width = 0;
  private wallAt = 0;
  private ownWall = new Map<number, number>();
  private readonly key = ints();
  private readonly step = floats();
  private readonly value = floats();
  private readonly wall = floats();
  private readonly rowStep = floats();
  private readonly rowLine = ints();
  private ascending = true;

  constructor(
    private readonly name = 'metrics.csv',
    private readonly maxPoints = MAX_IMPORTED_METRIC_POINTS,
  ) {}

  private bad(line: number, key: MessageKey, vars: LocalText['vars'] = {}): ApiError {
    return ApiError.of('bad-data', localText(key, { file: this.name, line, ...vars }));
  }

  line(raw: string): void {
    this.lineNo++;
    if (raw.length > MAX_LINE_CHARS)
      throw this.bad(this.lineNo, 'import.lineTooLong', { max: MAX_LINE_CHARS });
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.lineNo === 1) text = text.replace(/^\uFEFF/, '');
    if (this.width === 0) {
      // The header: a quoted metric name may hold a line break, so gather lines until its
      // quotes close.
      this.headerText = this.headerText === null ? text : `${this.headerText}\n${text}`;
      if ((this.headerText.match(/"/g)?.length ?? 0) % 2 === 1) return;
      if (this.headerText === '') {
        this.headerText = null;
        return;
      }
      this.readHeader(this.headerText);
      return;
    }
    if (text === '') return;
    this.readRow(text.split(','));
  }

  private readHeader(text: string): void {
    const parsed = Papa.parse<string[]>(text, { delimiter: ',' });
    if (parsed.errors.length)
      throw this.bad(1, 'import.metricsUnreadable', { reason: parsed.errors[0].message });
    const header = parsed.data[0] ?? [];
    // step, <metric>…, wall_ms, then optionally wall_ms:<metric>… (see the writer).
    let wallAt = header.length - 1;
    while (wallAt > 0 && header[wallAt].startsWith('wall_ms:')) wallAt--;
    if (header[0] !== 'step' || header[wallAt] !== 'wall_ms' || wallAt < 1)
      throw this.bad(1, 'import.metricsHeader');
    const keys = header.slice(1, wallAt);
    if (keys.some((k) => k === '')) throw this.bad(1, 'import.metricsUnnamedColumn');
    if (new Set(keys).size !== keys.length) throw this.bad(1, 'import.metricsColumnTwice');
    header.slice(wallAt + 1).forEach((column, j) => {
      const at = keys.indexOf(column.slice('wall_ms:'.length));
      if (at < 0 || this.ownWall.has(at)) throw this.bad(1, 'import.metricsWallColumn', { column });
      this.ownWall.set(at, wallAt + 1 + j);
    });
    this.keys = keys;
    this.wallAt = wallAt;
    this.width = header.length;
  }

  private readRow(row: string[]): void {
    const line = this.lineNo;
    if (row.length !== this.width)
      throw this.bad(line, 'import.metricsFieldCount', { fields: row.length, width: this.width });
    const num = (cell: string, what: string): number => {
      if (!numberPattern.test(cell))
        throw this.bad(line, 'import.metricsNotANumber', { what, value: cell.slice(0, 40) });
      return Number(cell);
    };
    const step = num(row[0], 'step');
    if (!Number.isSafeInteger(step))
      throw this.bad(line, 'import.metricsStepNotInteger', { value: row[0] });
    const last = this.rowStep.length ? this.rowStep.get(this.rowStep.length - 1) : -Infinity;
    if (step === last) throw this.bad(line, 'import.metricsStepTwice', { step });
    if (step < last) this.ascending = false;
    this.rowStep.push(step);
    this.rowLine.push(line);
    const present = this.keys.filter((_, j) => row[j + 1] !== '').length;
    if (present === 0) return; // a step with no point
    if (this.step.length + present > this.maxPoints)
      throw this.bad(line, 'import.metricsTooMany', { max: this.maxPoints.toLocaleString('en') });
    const rowWall = row[this.wallAt] === '' ? 0 : num(row[this.wallAt], 'wall_ms');
    this.keys.forEach((key, j) => {
      const cell = row[j + 1];
      if (cell === '') return;
      const value = cell === 'NaN' ? NaN : num(cell, `"${key}"`);
      const own = this.ownWall.get(j);
      const wallMs =
        own === undefined || row[own] === '' ? rowWall : num(row[own], `wall_ms:${key}`);
      this.key.push(j);
      this.step.push(step);
      this.value.push(value);
      this.wall.push(wallMs);
    });
  }

  /** The file is read: checks that no step appears twice and hands over the points. */
  finish(): ParsedMetrics {
    if (this.width === 0) throw this.bad(1, 'import.metricsHeader');
    if (!this.ascending) this.refuseStepTwice();
    const { keys, key, step, value, wall } = this;
    let lastStep = 0;
    for (let i = 0; i < step.length; i++) lastStep = Math.max(lastStep, step.get(i));
    return {
      keys,
      count: step.length,
      lastStep,
      *points() {
        for (let i = 0; i < step.length; i++)
          yield {
            key: keys[key.get(i)],
            step: step.get(i),
            value: value.get(i),
            wallMs: wall.get(i),
          };
      },
    };
  }

  /** Steps out of order: sorted, a step twice is found next to itself (named at its second line). */
  private refuseStepTwice(): void {
    const steps = Float64Array.from({ length: this.rowStep.length }, (_, i) => this.rowStep.get(i));
    const sorted = Float64Array.from(steps).sort();
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] !== sorted[i - 1]) continue;
      const twice = sorted[i];
      const second = steps.indexOf(twice, steps.indexOf(twice) + 1);
      throw this.bad(this.rowLine.get(second), 'import.metricsStepTwice', { step: twice });
    }
  }
}

/** metrics.csv text back into points; every cell checked, errors name the line. */
export function parseMetricsCsv(
  text: string,
  name = 'metrics.csv',
  maxPoints = MAX_IMPORTED_METRIC_POINTS,
): MetricPoint[] {
  const reader = new MetricsCsvReader(name, maxPoints);
  const lines = text.split('\n');
  // A final line break ends the last line; it does not start another.
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) reader.line(line);
  return [...reader.finish().points()];
}
