import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatKind,
  readSheet,
  readSheetNames,
  serialDateText,
  XlsxError,
} from '../../src/main/host/xlsx';
import { translate } from '../../src/shared/i18n';
import { buildWorkbook, workbookParts, zipParts } from '../fixtures/xlsx/build';

const fixture = (name: string) => join(import.meta.dirname, '../fixtures/xlsx', name);

async function xlsxError(p: Promise<unknown>): Promise<XlsxError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(XlsxError);
  return e as XlsxError;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latent-lab-xlsx-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const oneSheet = (body: string) => buildWorkbook({ sheets: [{ name: 'S', body }] });

describe('readSheet: cells as a CSV export holds them (basic.xlsx, written with fflate)', () => {
  it('reads the first sheet, every cell type as text, rows padded to the width', async () => {
    const { sheets, sheet, rows } = await readSheet(fixture('basic.xlsx'));
    expect(sheets).toEqual(['数据', 'Second']);
    expect(sheet).toBe('数据');
    expect(rows).toEqual([
      ['列名', '温度', '日期', 'flag', 'formula', 'error'],
      // 0.1 stored as Excel does (0.10000000000000001) and styled 0.00; 1e-300; a date;
      // a boolean; a formula's cached value; #N/A.
      ['0.1', '1e-300', '2024-01-15', 'TRUE', '0.2', '#N/A'],
      ['-2.5', '42', '2024-01-15T18:00:00', 'FALSE', 'xy', '#DIV/0!'],
      // a styled empty cell, a missing cell, a time of day, an inline string, a formula never
      // calculated, #VALUE!
      ['', '', '18:00:00', 'inline 文本', '', '#VALUE!'],
      // rich text without its phonetic guide, an _x000D_ escape, elapsed hours and a scientific
      // format stay numbers, a Chinese date format
      ['東京', 'a\rb', '1.5', '1234.5', '2024-02-29', ''],
      // merged A6:B6: the value in the first cell only; a ragged row padded
      ['merged', '', '', '', '', ''],
      // row 7 is absent from the file: kept, empty, so rows[i] is Excel row i + 1
      ['', '', '', '', '', ''],
      ['1e+21', ' spaced ', '', '', '', ''],
      // rows 9 (styled empty cells) and 10 (empty) are dropped
    ]);
  });

  it('reads a sheet chosen by name', async () => {
    const result = await readSheet(fixture('basic.xlsx'), { sheet: 'Second' });
    expect(result.sheet).toBe('Second');
    expect(result.rows).toEqual([
      ['x', 'y'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('lists the sheets without reading cells', async () => {
    expect(await readSheetNames(fixture('basic.xlsx'))).toEqual(['数据', 'Second']);
  });

  it('refuses a missing sheet, listing the sheets, in English and Chinese', async () => {
    const e = await xlsxError(readSheet(fixture('basic.xlsx'), { sheet: 'Third' }));
    expect(e.message).toBe('no sheet named "Third" (sheets: "数据", "Second")');
    expect(e.text?.key).toBe('xlsx.noSheet');
    expect(translate('zh', e.text!.key, e.text!.vars)).toBe(
      '没有名为“Third”的工作表（现有工作表："数据", "Second"）',
    );
  });

  it('honours the 1904 date system', async () => {
    const { rows } = await readSheet(fixture('date1904.xlsx'));
    expect(rows).toEqual([['1904-01-01'], ['2024-01-15']]);
  });
});

describe('readSheet: workbooks from other writers', () => {
  it('reads a workbook written by LibreOffice Calc', async () => {
    const { sheets, rows } = await readSheet(fixture('libreoffice.xlsx'));
    expect(sheets).toEqual(['第一页', 'Sheet 二']);
    expect(rows).toEqual([
      ['列名', '日期', '布尔', '公式', '错误'],
      // LibreOffice stores these booleans as the numbers 1 and 0 in a General cell (t="n"), so
      // that is what the file holds.
      ['0.1', '2024-02-29', '1', '1', '#N/A'],
      ['1e-300', '2024-01-15T06:30:00', '0', '#DIV/0!', ''],
      ['-7', '', '文本', '', ''],
    ]);
    const second = await readSheet(fixture('libreoffice.xlsx'), { sheet: 'Sheet 二' });
    expect(second.rows).toEqual([['123456789012']]);
  });

  it("reads a minimal workbook assembled by hand with Python's zipfile", async () => {
    const { sheets, rows } = await readSheet(fixture('python-minimal.xlsx'));
    expect(sheets).toEqual(['表 1']);
    expect(rows).toEqual([
      ['名称', '值', ''],
      ['a & b <c>', '3.14159', ''],
      ['中', '-0.000001', 'TRUE'],
    ]);
  });
});

describe('readSheet: refusals', () => {
  it('refuses a truncated file', async () => {
    const e = await xlsxError(readSheet(fixture('truncated.xlsx')));
    expect(e.text?.key).toBe('xlsx.corrupt');
  });

  it('refuses a file cut anywhere, never hanging', async () => {
    const bytes = readFileSync(fixture('basic.xlsx'));
    for (let n = 0; n < bytes.length; n += 97) {
      const path = write('cut.xlsx', bytes.subarray(0, n));
      const e = await xlsxError(readSheet(path));
      expect(['xlsx.corrupt', 'xlsx.notAWorkbook']).toContain(e.text?.key);
    }
  });

  it('refuses damaged compressed data', async () => {
    const bytes = Buffer.from(readFileSync(fixture('basic.xlsx')));
    // Overwrite the sheet's deflated data (its local header is followed by the name).
    const at = bytes.indexOf('xl/worksheets/sheet1.xml') + 'xl/worksheets/sheet1.xml'.length;
    bytes.fill(0xff, at + 10, at + 60);
    const e = await xlsxError(readSheet(write('damaged.xlsx', bytes)));
    expect(e.text?.key).toBe('xlsx.corrupt');
    expect(e.message).toContain('xl/worksheets/sheet1.xml');
  });

  it('refuses a CSV renamed .xlsx', async () => {
    const e = await xlsxError(readSheet(fixture('not-a-workbook.xlsx')));
    expect(e.text?.key).toBe('xlsx.notAWorkbook');
  });

  it('refuses a zip that holds no workbook', async () => {
    const e = await xlsxError(readSheet(write('other.xlsx', zipParts({ 'a.txt': 'hello' }))));
    expect(e.text?.key).toBe('xlsx.notAWorkbook');
  });

  it('refuses a password-protected workbook, and an old .xls, saying which', async () => {
    expect((await xlsxError(readSheet(fixture('encrypted.xlsx')))).text?.key).toBe(
      'xlsx.encrypted',
    );
    expect((await xlsxError(readSheet(fixture('legacy.xls.xlsx')))).text?.key).toBe('xlsx.legacy');
  });

  it('refuses a missing file and a folder', async () => {
    expect((await xlsxError(readSheet(join(dir, 'nope.xlsx')))).text?.key).toBe('xlsx.unreadable');
    expect((await xlsxError(readSheet(dir))).text?.key).toBe('xlsx.notAFile');
  });

  it('refuses XML with a DOCTYPE (no entity expansion)', async () => {
    const parts = workbookParts({ sheets: [{ name: 'S', body: '<sheetData/>' }] });
    parts['xl/worksheets/sheet1.xml'] =
      '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]><worksheet><sheetData><row><c t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>';
    const e = await xlsxError(readSheet(write('doctype.xlsx', zipParts(parts))));
    expect(e.text?.key).toBe('xlsx.corrupt');
    expect(e.message).toContain('has a DOCTYPE');
  });
});

describe('readSheet: bounded work on hostile or huge workbooks', () => {
  it('refuses a declared extent over the cell limit before reading any row', async () => {
    const path = write(
      'extent.xlsx',
      oneSheet(
        '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>',
      ),
    );
    const e = await xlsxError(readSheet(path));
    expect(e.text?.key).toBe('xlsx.tooManyCells');
    expect(e.text?.vars).toMatchObject({ rows: 1048576, columns: 16384 });
  });

  it('refuses one far cell that would pad the table past the limit, allocating nothing', async () => {
    // No dimension: only the cell at XFD1048576 says how big the padded table would be.
    const path = write(
      'far.xlsx',
      oneSheet('<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'),
    );
    const e = await xlsxError(readSheet(path));
    expect(e.text?.key).toBe('xlsx.tooManyCells');
    expect(e.message).toContain('1048576 rows × 16384 columns');
  });

  it('counts cells against a limit the caller chooses', async () => {
    const rows = Array.from(
      { length: 50 },
      (_, i) =>
        `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c><c r="B${i + 1}"><v>${i}</v></c></row>`,
    ).join('');
    const path = write('fifty.xlsx', oneSheet(`<sheetData>${rows}</sheetData>`));
    expect((await readSheet(path, { maxCells: 100 })).rows).toHaveLength(50);
    const e = await xlsxError(readSheet(path, { maxCells: 99 }));
    expect(e.text?.key).toBe('xlsx.tooManyCells');
  });

  it('stops inflating a zip bomb at the unpacked limit', async () => {
    // 20 MB of whitespace inside the sheet deflates to ~20 KB (ratio ~1000:1).
    const padding = ' '.repeat(20_000_000);
    const path = write(
      'bomb.xlsx',
      oneSheet(`<sheetData>${padding}<row r="1"><c r="A1"><v>1</v></c></row></sheetData>`),
    );
    // Under the default limits it is a legitimate, if odd, file.
    expect((await readSheet(path)).rows).toEqual([['1']]);
    const e = await xlsxError(readSheet(path, { maxUnpackedBytes: 5_000_000 }));
    expect(e.text?.key).toBe('xlsx.tooBig');
    expect(e.message).toContain('xl/worksheets/sheet1.xml');
  });

  it('refuses before inflating when a part declares more than the limit', async () => {
    const bytes = Buffer.from(oneSheet('<sheetData/>'));
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    // The central directory's copy of the name is the last one; its uncompressed size sits 22
    // bytes before the name (offset 24 of the 46-byte entry header).
    const at = bytes.lastIndexOf(name) - 46 + 24;
    bytes.writeUInt32LE(0xfffffffe, at);
    const e = await xlsxError(readSheet(write('declared.xlsx', bytes)));
    expect(e.text?.key).toBe('xlsx.tooBig');
  });

  it('stops an entry that inflates past the size it declares', async () => {
    const bytes = Buffer.from(oneSheet(`<sheetData>${' '.repeat(100_000)}</sheetData>`));
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    bytes.writeUInt32LE(1000, bytes.lastIndexOf(name) - 46 + 24);
    const e = await xlsxError(readSheet(write('liar.xlsx', bytes)));
    expect(e.text?.key).toBe('xlsx.corrupt');
    expect(e.message).toContain('more than the 1000 bytes it declares');
  });

  it('refuses a file over the file-size limit without reading it', async () => {
    const e = await xlsxError(readSheet(fixture('basic.xlsx'), { maxFileBytes: 1000 }));
    expect(e.text?.key).toBe('xlsx.fileTooBig');
  });
});

describe('dates', () => {
  it('turns serials into ISO 8601 text in both date systems', () => {
    expect(serialDateText(45306, 'date')).toBe('2024-01-15');
    expect(serialDateText(45306.5, 'date')).toBe('2024-01-15T12:00:00');
    expect(serialDateText(45306.5 + 0.001 / 86400, 'date')).toBe('2024-01-15T12:00:00.001');
    expect(serialDateText(0.25, 'time')).toBe('06:00:00');
    expect(serialDateText(1, 'date')).toBe('1900-01-01');
    expect(serialDateText(59, 'date')).toBe('1900-02-28');
    expect(serialDateText(60, 'date')).toBe('1900-02-29'); // Excel's fictitious leap day
    expect(serialDateText(61, 'date')).toBe('1900-03-01');
    expect(serialDateText(2958465, 'date')).toBe('9999-12-31');
    expect(serialDateText(2958466, 'date')).toBeNull();
    expect(serialDateText(-1, 'date')).toBeNull();
    expect(serialDateText(0, 'date', true)).toBe('1904-01-01');
  });

  it('tells date and time formats from number formats', () => {
    expect(formatKind('yyyy-mm-dd')).toBe('date');
    expect(formatKind('yyyy"年"m"月"d"日"')).toBe('date');
    expect(formatKind('[$-804]yyyy/m/d')).toBe('date');
    expect(formatKind('mmm')).toBe('date');
    expect(formatKind('h:mm AM/PM')).toBe('time');
    expect(formatKind('[h]:mm:ss')).toBeUndefined();
    expect(formatKind('0.00E+00')).toBeUndefined();
    expect(formatKind('#,##0.00 "days"')).toBeUndefined();
    expect(formatKind('[Red]0.00')).toBeUndefined();
    expect(formatKind('General')).toBeUndefined();
  });

  it('reads t="d" cells (ISO dates stored as text)', async () => {
    const path = write(
      'iso.xlsx',
      oneSheet(
        '<sheetData><row r="1"><c r="A1" t="d"><v>2024-01-15T00:00:00</v></c><c r="B1" t="d"><v>2024-01-15T08:30:00.000Z</v></c></row></sheetData>',
      ),
    );
    expect((await readSheet(path)).rows).toEqual([['2024-01-15', '2024-01-15T08:30:00']]);
  });
});
