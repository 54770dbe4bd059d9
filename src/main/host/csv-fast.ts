/**
 * The big numeric CSV, read fast: a UTF-8 file with no quote character anywhere, so that every
 * line is a row and every delimiter ends a cell. Numbers are read straight from the bytes (no
 * string is made for them); any other cell is decoded and read as papaparse's path reads it. A
 * file with a quote is not for this reader: it stops at the first chunk holding one and the file
 * goes to papaparse. test/unit/csv-fast.test.ts checks it gives what the papaparse path gives.
 *
 * Numbers: digits summing to less than 2^53 with a power of ten up to 22 are exact as one
 * multiplication or division of two exactly representable doubles, correctly rounded by IEEE
 * arithmetic (Clinger's fast path), so they equal JavaScript's Number(text) bit for bit; anything
 * longer or odder is decoded and handed to Number().
 */
import { createReadStream } from 'node:fs';
import { localText } from '../../shared/i18n';
import { CsvError, type TableScan } from './table-scan';

/** A chunk held a quote: the file needs papaparse. */
export class QuotedFile extends Error {}

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT = 2 ** 53;
/** A line longer than this is no table's row (and re-joining it chunk by chunk would be slow). */
const MAX_LINE_BYTES = 64 * 2 ** 20;

/**
 * Reads the file, or the bytes [start, end) of it (a stretch that starts at a line's start and
 * ends after a line break or at the file's end), into `scan`; returns the lines it held.
 */
export async function scanUnquoted(
  path: string,
  delimiter: string,
  decimalComma: boolean,
  scan: TableScan,
  onBytes: (bytes: number) => void,
  stretch: { start: number; end?: number } = { start: 0 },
): Promise<number> {
  const delim = delimiter.charCodeAt(0);
  const point = decimalComma ? 0x2c : 0x2e;
  let carry: Buffer | null = null;
  let line = 0;
  let first = stretch.start === 0; // only the file's start may hold a byte-order mark
  const stream = createReadStream(path, {
    highWaterMark: 1 << 20,
    start: stretch.start,
    end: stretch.end === undefined ? undefined : stretch.end - 1, // inclusive
  });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      onBytes(chunk.length);
      if (chunk.indexOf(QUOTE) >= 0) throw new QuotedFile();
      if (carry && carry.length > MAX_LINE_BYTES)
        throw new CsvError(
          localText('csv.lineTooLong', { line: line + 1, mb: MAX_LINE_BYTES >> 20 }),
        );
      let buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      if (first && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      first = false;
      let start = 0;
      for (let end = buf.indexOf(NEWLINE, start); end >= 0; end = buf.indexOf(NEWLINE, start)) {
        readLine(buf, start, end, ++line);
        start = end + 1;
      }
      carry = start < buf.length ? buf.subarray(start) : null;
    }
    if (carry) readLine(carry, 0, carry.length, ++line);
  } finally {
    stream.destroy();
  }
  return line;

  function readLine(buf: Buffer, start: number, end: number, line: number): void {
    if (!scan.decided) {
      // The header is judged on text: the first rows go through as strings.
      scan.addRow(buf.toString('utf8', start, end).split(delimiter), line);
      return;
    }
    if (blank(buf, start, end, delim)) return; // an empty line, or only spaces (papaparse's one empty cell)
    let j = 0;
    let cell = start;
    for (;;) {
      if (j === scan.width) {
        // One cell too many: count them all, so the refusal names the row's real width.
        let cells = j + 1;
        for (let i = cell; i < end; i++) if (buf[i] === delim) cells++;
        scan.endRow(cells, line);
      }
      // One pass: the number is read up to the delimiter; a cell that is not simply a number is
      // found whole (the next delimiter) and decoded.
      const v = readNumber(buf, cell, end, delim, point);
      let next = cellEnd;
      if (v === v) scan.addNumber(j, v, line);
      else {
        next = cell;
        while (next < end && buf[next] !== delim) next++;
        scan.addText(j, buf.toString('utf8', cell, next), line);
      }
      j++;
      if (next >= end) break;
      cell = next + 1;
    }
    scan.endRow(j, line);
  }
}

/** Whether a line holds no delimiter and only spaces (as isSpace counts them), or nothing. */
function blank(buf: Buffer, start: number, end: number, delim: number): boolean {
  for (let i = start; i < end; i++) if (!isSpace(buf[i], delim)) return false;
  return true;
}

/** Where the last number read by readNumber ended (its delimiter, or the line's end). */
let cellEnd = 0;

/** Space, carriage return, and a tab unless tabs are the delimiter. */
const isSpace = (b: number, delim: number) =>
  b === 0x20 || b === 0x0d || (b === 0x09 && delim !== 0x09);

/**
 * The finite number that starts at byte a and ends at the delimiter or at b (spaces around it
 * allowed), setting `cellEnd` to where it ended; NaN when the cell is not simply such a number.
 */
function readNumber(buf: Buffer, a: number, b: number, delim: number, point: number): number {
  let i = a;
  while (i < b && isSpace(buf[i], delim)) i++;
  let negative = false;
  if (buf[i] === 0x2d) {
    negative = true;
    i++;
  } else if (buf[i] === 0x2b) i++;
  // The digits are summed as a double: exact while the sum stays below 2^53 (checked below; a
  // sum past it may have been rounded, even down to 2^53 itself).
  let mantissa = 0;
  const whole = i;
  for (; i < b; i++) {
    const d = buf[i] - 0x30;
    if (d >>> 0 > 9) break;
    mantissa = mantissa * 10 + d;
  }
  let digits = i - whole;
  let exponent = 0;
  if (i < b && buf[i] === point) {
    const fraction = ++i;
    for (; i < b; i++) {
      const d = buf[i] - 0x30;
      if (d >>> 0 > 9) break;
      mantissa = mantissa * 10 + d;
    }
    digits += i - fraction;
    exponent = fraction - i;
  }
  if (i < b && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    let sign = 1;
    if (buf[i] === 0x2d) {
      sign = -1;
      i++;
    } else if (buf[i] === 0x2b) i++;
    let e = 0;
    const from = i;
    for (; i < b && e < 1000; i++) {
      const d = buf[i] - 0x30;
      if (d >>> 0 > 9) break;
      e = e * 10 + d;
    }
    if (i === from) return NaN;
    exponent += sign * e;
  }
  while (i < b && isSpace(buf[i], delim)) i++;
  if ((i < b && buf[i] !== delim) || digits === 0 || mantissa >= MAX_EXACT) return NaN;
  cellEnd = i;
  let v: number;
  if (exponent === 0) v = mantissa;
  else if (exponent > 0 && exponent <= 22) v = mantissa * POW10[exponent];
  else if (exponent < 0 && exponent >= -22) v = mantissa / POW10[-exponent];
  else return NaN;
  return negative ? -v : v;
}
