/**
 * The corpus of odd files in test/fixtures/data (written by its make.ts), each with what reading
 * it must give: the encoding found, the names read right, missing and stray cells counted and
 * reported, nothing lost without a sentence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { previewTable, readNumericTable } from '../../src/main/host/csv';
import { csvError } from './csv-refusal';
import { inEnglish, type LocalText } from '../../src/shared/i18n';

const fixture = (name: string) => ({
  kind: 'path' as const,
  path: join(import.meta.dirname, '../fixtures/data', name),
});
const english = (texts: LocalText[]) => texts.map(inEnglish);

describe('encodings', () => {
  it.each([
    [
      'gbk-chinese.csv',
      'gb18030',
      ['身高（厘米）', '体重（公斤）', '性别'],
      ['173.0', '68.0', '男'],
    ],
    ['gb18030.csv', 'gb18030', ['温度㐀', '湿度'], ['20.0', '40']],
    ['big5.csv', 'big5', ['身高', '體重', '性別'], ['170', '60', '女']],
    ['shift-jis.csv', 'shift_jis', ['身長', '体重', '名前'], ['160', '50', 'カエデ']],
    ['utf16le-bom.tsv', 'utf-16le', ['x', 'y', '名前'], ['0', '0', '点0']],
    ['utf16be-bom.csv', 'utf-16be', ['x', 'y'], ['0', '0']],
    ['utf8-bom.csv', 'utf-8', ['名称', '值'], ['项0', '0.5']],
    [
      'windows-1252.csv',
      'windows-1252',
      ['Name', 'Größe (cm)', 'Gewicht'],
      ['Müller', '180.5', '75'],
    ],
  ])('%s is read as %s', async (file, encoding, names, firstRow) => {
    const p = await previewTable(fixture(file));
    expect(p).toMatchObject({ encoding, encodingDetected: true, hasHeader: true });
    expect(p.columns.map((c) => c.name)).toEqual(names);
    expect(p.head[1]).toEqual(firstRow);
    expect(p.warnings).toEqual([]);
  });

  it('reads a file again in the encoding chosen, and says when characters could not be read', async () => {
    const p = await previewTable(fixture('gbk-chinese.csv'), { encoding: 'utf-8' });
    expect(p).toMatchObject({ encoding: 'utf-8', encodingDetected: false });
    expect(p.columns[0].name).toContain('\uFFFD');
    expect(english(p.warnings)).toContainEqual(
      expect.stringMatching(/could not be read as utf-8 \(the first on line 2\)/),
    );
    const again = await previewTable({ kind: 'preview', id: p.previewId }, { encoding: 'gb18030' });
    expect(again.columns[0].name).toBe('身高（厘米）');
  });

  it('imports the GBK file with its Chinese label column kept as labels', async () => {
    const t = await readNumericTable(fixture('gbk-chinese.csv'), { labelColumn: '性别' });
    expect(t.columns.map((c) => c.name)).toEqual(['身高（厘米）', '体重（公斤）']);
    expect(t.rows).toBe(60);
    expect(t.labels?.names).toEqual(['男', '女']);
    expect(Array.from(t.labels!.codes.subarray(0, 4))).toEqual([0, 1, 0, 1]);
  });
});

describe('locales', () => {
  it('reads semicolons with a decimal comma, and a comma file as decimal points', async () => {
    const p = await previewTable(fixture('decimal-comma.csv'));
    expect(p).toMatchObject({ delimiter: ';', decimal: ',' });
    expect(p.columns.map((c) => [c.name, c.type])).toEqual([
      ['Länge', 'number'],
      ['Breite', 'number'],
      ['Anzahl', 'integer'],
    ]);
    const t = await readNumericTable({ kind: 'preview', id: p.previewId }, {});
    expect(Array.from(t.values.subarray(3, 6))).toEqual([10.1, 0.25, 1]);
    // Overridden: with a decimal point, `10,1` is not a number.
    const point = await previewTable({ kind: 'preview', id: p.previewId }, { decimal: '.' });
    expect(point.columns[0].type).toBe('text');
  });

  it('reads a tab-separated paste with its label column', async () => {
    const text = readFileSync(fixture('pasted.tsv').path, 'utf8');
    const p = await previewTable({ kind: 'text', text });
    expect(p).toMatchObject({ delimiter: '\t', encoding: null, rowCount: 12 });
    expect(p.columns[0]).toMatchObject({ name: '花', type: 'text', distinct: 2 });
    const t = await readNumericTable({ kind: 'preview', id: p.previewId }, { labelColumn: '花' });
    expect(t.columns.map((c) => c.name)).toEqual(['萼长', '萼宽']);
    expect(t.labels?.names).toEqual(['virginica', 'setosa']);
  });

  it('refuses a comma as both delimiter and decimal mark', async () => {
    const e = await csvError(
      previewTable(fixture('stray-cell.csv'), { decimal: ',', delimiter: ',' }),
    );
    expect(e.text?.key).toBe('csv.decimalIsDelimiter');
  });

  it('gives every column its own name, even where the file repeats one', async () => {
    const p = await previewTable({ kind: 'text', text: 'a,a,a_2,,column4\n1,2,3,4,5\n' });
    expect(p.columns.map((c) => c.name)).toEqual(['a', 'a_2', 'a_2_2', 'column4', 'column4_2']);
  });

  it('reads 0x10, 0b1 and 0o7 as text, not as the numbers JavaScript would make of them', async () => {
    const p = await previewTable({
      kind: 'text',
      text: 'x,y\n0x10,1\n0b1,2\n0o7,3\n4,4\n5,5\n6,6\n7,7\n',
    });
    expect(p.columns[0]).toMatchObject({ numbers: 4, other: { count: 3 } });
    expect(p.columns[0].other.examples.map((e) => e.value)).toEqual(['0x10', '0b1', '0o7']);
  });

  it('keeps every line of a file mixing CRLF and LF', async () => {
    const t = await readNumericTable(fixture('crlf-mixed.csv'), {});
    expect(t.rows).toBe(10);
    expect(Array.from(t.values.subarray(-2))).toEqual([9, 27]);
  });
});

describe('missing and non-finite values', () => {
  it('counts every spelling of missing, and inf as non-finite', async () => {
    const p = await previewTable(fixture('missing-values.csv'));
    expect(p.columns.map((c) => [c.name, c.type, c.missing, c.nonFinite, c.other.count])).toEqual([
      ['a', 'integer', 0, 0, 0],
      ['b', 'integer', 12, 0, 0],
      ['c', 'number', 0, 5, 0],
    ]);
  });

  it('refuses them naming the line and column, or drops their rows and says how many', async () => {
    const refused = await csvError(readNumericTable(fixture('missing-values.csv'), {}));
    expect(refused.message).toMatch(/^line 2, column "b": a missing value/);
    const inf = await csvError(readNumericTable(fixture('missing-values.csv'), { columns: ['c'] }));
    expect(inf.message).toMatch(/^line 22, column "c": not a finite number/);
    const t = await readNumericTable(fixture('missing-values.csv'), { dropInvalidRows: true });
    expect(t.rows).toBe(30 - 12 - 5);
    expect(english(t.notes)).toEqual([
      '17 rows dropped: missing or non-finite values in the kept columns',
    ]);
  });

  it('takes a missing-value list of the user’s own', async () => {
    const p = await previewTable(fixture('missing-values.csv'), { naValues: ['', 'NA'] });
    // The other ten spellings are text now: ten strays beside 18 numbers make a text column.
    expect(p.columns[1]).toMatchObject({ type: 'text', missing: 2, numbers: 18 });
    expect(p.columns[1].other.count).toBe(10);
  });
});

describe('no silent loss', () => {
  it('reports a stray cell in a numeric column, in the preview', async () => {
    const p = await previewTable(fixture('stray-cell.csv'));
    expect(p.columns[0]).toMatchObject({
      name: 'x',
      type: 'number',
      numbers: 299,
      other: { count: 1, examples: [{ value: 'five', line: 4 }] },
    });
    expect(english(p.warnings)).toEqual(['x: 299 numbers, 1 other value: “five” on line 4']);
  });

  it('leaves such a column out saying why, or keeps it with the cell missing', async () => {
    const left = await readNumericTable(fixture('stray-cell.csv'), {});
    expect(left.columns.map((c) => c.name)).toEqual(['y']);
    expect(english(left.notes)).toEqual([
      'x: 299 numbers, 1 other value: “five” on line 4',
      'x: not imported (1 non-numeric cells; import it with them treated as missing to keep it)',
    ]);
    const chosen = await csvError(readNumericTable(fixture('stray-cell.csv'), { columns: ['x'] }));
    expect(chosen.message).toMatch(/^line 4, column "x": "five" is not a number/);
    const missing = await csvError(
      readNumericTable(fixture('stray-cell.csv'), { strayCellsAsMissing: true }),
    );
    expect(missing.message).toMatch(/^line 4, column "x": a missing value/);
    const kept = await readNumericTable(fixture('stray-cell.csv'), {
      strayCellsAsMissing: true,
      dropInvalidRows: true,
    });
    expect(kept.columns.map((c) => c.name)).toEqual(['x', 'y']);
    expect(kept.rows).toBe(299);
    expect(english(kept.notes).slice(1)).toEqual([
      'x: 1 non-numeric cells treated as missing',
      '1 rows dropped: missing or non-finite values in the kept columns',
    ]);
  });

  it('shows a NUL byte in a cell instead of dropping its column', async () => {
    const p = await previewTable(fixture('nul-byte.csv'));
    expect(p.columns[1]).toMatchObject({ name: 'q', type: 'integer', other: { count: 1 } });
    expect(english(p.warnings)).toEqual(['q: 11 numbers, 1 other value: “7␀2” on line 7']);
  });

  it('says where a quote opens and never closes', async () => {
    const e = await csvError(previewTable(fixture('open-quote.csv')));
    expect(e.message).toBe('line 3: a quote opens here and never closes');
  });

  it('reads 10,000 columns', async () => {
    const t = await readNumericTable(fixture('wide-10000.csv'), {});
    expect(t.columns.length).toBe(10_000);
    expect(t.rows).toBe(5);
    expect(t.values[4 * 10_000 + 9_999]).toBe((4 * 10_000 + 9_999) % 97);
  });
});

describe('Excel workbooks', () => {
  const workbook = (name: string) => ({
    kind: 'path' as const,
    path: join(import.meta.dirname, '../fixtures/xlsx', name),
  });

  it('reads the first sheet, or the one chosen, through the same preview and import', async () => {
    const p = await previewTable(workbook('basic.xlsx'));
    expect(p).toMatchObject({ format: 'xlsx', encoding: null, sheets: ['数据', 'Second'] });
    expect(p.sheet).toBe('数据');
    expect(p.columns.map((c) => c.name)).toEqual([
      '列名',
      '温度',
      '日期',
      'flag',
      'formula',
      'error',
    ]);
    const second = await previewTable({ kind: 'preview', id: p.previewId }, { sheet: 'Second' });
    expect(second).toMatchObject({ sheet: 'Second', rowCount: 2, hasHeader: true });
    const t = await readNumericTable({ kind: 'preview', id: second.previewId }, {});
    expect(Array.from(t.values)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a missing sheet and a file that is no workbook with a reason', async () => {
    const missing = await csvError(previewTable(workbook('basic.xlsx'), { sheet: 'Sheet9' }));
    expect(missing.text?.key).toBe('xlsx.noSheet');
    expect(missing.message).toMatch(/数据/);
    const truncated = await csvError(previewTable(workbook('truncated.xlsx')));
    expect(truncated.text?.key).toMatch(/^xlsx\./);
  });
});
