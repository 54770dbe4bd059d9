import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetPreview, previewTable, readNumericTable } from '../../src/main/host/csv';
import { importCsv } from '../../src/main/host/datasets';
import { csvError } from './csv-refusal';
import { Store } from '../../src/main/host/store';

const text = (t: string) => ({ kind: 'text' as const, text: t });
const table = (t: string, options: Parameters<typeof readNumericTable>[1] = {}) =>
  readNumericTable(text(t), options);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latent-lab-csv-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CSV preview, then import of the previewed file', () => {
  it('imports the file the preview parsed, without sending or parsing it again', async () => {
    const file = join(dir, 'previewed.csv');
    writeFileSync(file, 'a,b\n1,2\n3,4\n5,6\n');
    const p = await previewTable({ kind: 'path', path: file });
    // The file changes after the preview: the import is of what was previewed.
    writeFileSync(file, 'a,b\n9,9\n');
    const t = await readNumericTable({ kind: 'preview', id: p.previewId }, {});
    expect(t.rows).toBe(3);
    expect(Array.from(t.values)).toEqual([1, 2, 3, 4, 5, 6]);
    // Let go once imported: a second import is refused, with a reason to read.
    forgetPreview(p.previewId);
    const gone = await csvError(readNumericTable({ kind: 'preview', id: p.previewId }, {}));
    expect(gone.text?.key).toBe('csv.previewGone');
  });

  it('keeps a preview whose import was refused, so it can be retried', async () => {
    const p = await previewTable(text('a,b\n1,2\n,4\n5,6\n'));
    const refused = await csvError(readNumericTable({ kind: 'preview', id: p.previewId }, {}));
    expect(refused.text?.key).toBe('csv.missingCell');
    const retried = await readNumericTable(
      { kind: 'preview', id: p.previewId },
      { dropInvalidRows: true },
    );
    expect(Array.from(retried.values)).toEqual([1, 2, 5, 6]);
  });

  it('keeps only the newest previews', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++)
      ids.push((await previewTable(text(`x\n${i}\n${i + 1}\n`))).previewId);
    expect(new Set(ids).size).toBe(4);
    await csvError(readNumericTable({ kind: 'preview', id: ids[0] }, {}));
    expect(
      Array.from((await readNumericTable({ kind: 'preview', id: ids[3] }, {})).values),
    ).toEqual([3, 4]);
  });
});

describe('CSV preview', () => {
  it.each([
    ['comma', ',', 'a,b,c\n1,2,3\n4,5,6\n'],
    ['semicolon', ';', 'a;b;c\n1,5;2;3\n4,5;5;6\n'],
    ['tab', '\t', 'a\tb\tc\n1\t2\t3\n4\t5\t6\n'],
    ['two-column semicolon', ';', 'x;y\n1;2\n3;4\n'],
  ])('detects the %s delimiter', async (_name, delimiter, csv) => {
    const p = await previewTable(text(csv));
    expect(p.delimiter).toBe(delimiter);
    expect(p.hasHeader).toBe(true);
    expect(p.columns.map((c) => c.name)).toEqual(
      csv.startsWith('x') ? ['x', 'y'] : ['a', 'b', 'c'],
    );
    expect(p.rowCount).toBe(2);
  });

  it('detects a header, or its absence', async () => {
    const withHeader = await previewTable(text('eruptions,waiting\n3.6,79\n1.8,54\n'));
    expect(withHeader.hasHeader).toBe(true);
    expect(withHeader.rowCount).toBe(2);
    expect(withHeader.head).toEqual([
      ['eruptions', 'waiting'],
      ['3.6', '79'],
      ['1.8', '54'],
    ]);
    const without = await previewTable(text('3.6,79\n1.8,54\n'));
    expect(without.hasHeader).toBe(false);
    expect(without.rowCount).toBe(2);
    expect(without.columns.map((c) => c.name)).toEqual(['column1', 'column2']);
    const oneColumn = await previewTable(text('5\n6\n7\n'));
    expect(oneColumn).toMatchObject({ hasHeader: false, rowCount: 3 });
  });

  it('reads quoted fields with delimiters, quotes and newlines inside', async () => {
    const p = await previewTable(text('name,x\n"Smith, J",1\n"two\nlines",2\n"say ""hi""",3\n'));
    expect(p.rowCount).toBe(3);
    expect(p.head.slice(1)).toEqual([
      ['Smith, J', '1'],
      ['two\nlines', '2'],
      ['say "hi"', '3'],
    ]);
    expect(p.columns).toMatchObject([
      { name: 'name', type: 'text', missing: 0 },
      { name: 'x', type: 'integer', missing: 0 },
    ]);
  });

  it('strips a byte-order mark and reads CRLF line ends', async () => {
    for (const csv of ['\uFEFFa,b\r\n1,2\r\n3,4\r\n', '\uFEFF"a","b"\r\n1,2\r\n3,4\r\n']) {
      const p = await previewTable(text(csv));
      expect(p.columns.map((c) => c.name)).toEqual(['a', 'b']);
      expect(p.head.slice(1)).toEqual([
        ['1', '2'],
        ['3', '4'],
      ]);
    }
    const file = join(dir, 'bom.csv');
    writeFileSync(file, '\uFEFF"x";"y"\r\n1,5;2\r\n3;4\r\n');
    // Semicolons and `1,5`: a decimal comma.
    const t = await readNumericTable({ kind: 'path', path: file }, {});
    expect(t.columns.map((c) => c.name)).toEqual(['x', 'y']);
    expect(Array.from(t.values)).toEqual([1.5, 2, 3, 4]);
    const y = await readNumericTable({ kind: 'path', path: file }, { columns: ['y'] });
    expect(Array.from(y.values)).toEqual([2, 4]);
  });

  it('types columns as number, integer, text or empty and counts missing cells', async () => {
    const p = await previewTable(text('n,i,t,e,m\n1.5,1,x,,1\n2,2,y,,Infinity\n-3e2,3,z,,\n'));
    expect(p.columns).toMatchObject([
      { name: 'n', type: 'number', missing: 0, numbers: 3 },
      { name: 'i', type: 'integer', missing: 0, numbers: 3 },
      { name: 't', type: 'text', missing: 0, numbers: 0, other: { count: 3 } },
      { name: 'e', type: 'empty', missing: 3, numbers: 0 },
      { name: 'm', type: 'integer', missing: 1, nonFinite: 1, numbers: 1 },
    ]);
  });
});

describe('CSV cells too long to show or to name a column', () => {
  it('shortens a huge header cell to a name of 200 characters, saying so, and shows long cells cut', async () => {
    const file = join(dir, 'huge-cells.csv');
    const hugeName = '名'.repeat(5_000_000);
    const hugeCell = 'z'.repeat(5_000_000);
    writeFileSync(file, `${hugeName},y\n1,2\n${hugeCell},3\n4,5\n`);
    const p = await previewTable({ kind: 'path', path: file });
    // The whole answer stays small: nothing of a 15 MB cell goes to the page but its start.
    expect(JSON.stringify(p).length).toBeLessThan(10_000);
    const name = p.columns[0].name;
    expect(name).toHaveLength(200);
    expect(name.endsWith('…')).toBe(true);
    expect(p.warnings[0]).toEqual({
      key: 'csv.longName',
      vars: { column: 1, length: 5_000_000, max: 200 },
    });
    expect(p.head[2][0]).toBe(`${'z'.repeat(199)}…`);
    // The shortened name is the column's name from then on: an import may name it.
    const t = await readNumericTable(
      { kind: 'preview', id: p.previewId },
      {
        columns: [name, 'y'],
        strayCellsAsMissing: true,
        dropInvalidRows: true,
      },
    );
    expect(t.columns.map((c) => c.name)).toEqual([name, 'y']);
    expect(t.rows).toBe(2);
  });
});

describe('CSV numeric tables', () => {
  it('reads the numeric columns row-major, or the chosen ones in the chosen order', async () => {
    const csv = 'id,label,x,y\n1,a,0.5,10\n2,b,-1.25,20\n';
    const all = await table(csv);
    expect(all.columns.map((c) => c.name)).toEqual(['id', 'x', 'y']);
    expect(all.rows).toBe(2);
    expect(Array.from(all.values)).toEqual([1, 0.5, 10, 2, -1.25, 20]);
    const chosen = await table(csv, { columns: ['y', 'x'] });
    expect(Array.from(chosen.values)).toEqual([10, 0.5, 20, -1.25]);
    expect(chosen.columns).toEqual([
      { name: 'y', type: 'integer', missing: 0 },
      { name: 'x', type: 'number', missing: 0 },
    ]);
    expect((await csvError(table(csv, { columns: ['x', 'nope'] }))).message).toMatch(
      /no column named "nope"/,
    );
  });

  it('refuses ragged rows naming the line', async () => {
    const e = await csvError(table('a,b\n1,2\n3,4\n5\n6,7\n'));
    expect(e.message).toMatch(/line 4 has 1 fields where the first row has 2/);
    const noHeader = await csvError(table('1,2\n3,4,5\n'));
    expect(noHeader.message).toMatch(/line 2 /);
  });

  it('refuses text in a chosen numeric column naming line and column, even with dropInvalidRows', async () => {
    const csv = 'a,b\n1,2\n3,4\n5,oops\n';
    const e = await csvError(table(csv, { columns: ['a', 'b'] }));
    expect(e.message).toMatch(/line 4, column "b": "oops" is not a number/);
    const dropping = await csvError(table(csv, { columns: ['a', 'b'], dropInvalidRows: true }));
    expect(dropping.message).toMatch(/line 4, column "b"/);
  });

  it('refuses missing or non-finite values unless asked to drop such rows', async () => {
    const csv = 'a,b\n1,2\n3,\n5,6\n7,Infinity\n8,-Infinity\n9,10\n';
    const e = await csvError(table(csv));
    expect(e.message).toMatch(/line 3, column "b": a missing value/);
    const inf = await csvError(table('a,b\n1,2\n3,Infinity\n'));
    expect(inf.message).toMatch(/line 3, column "b": not a finite number/);
    const dropped = await table(csv, { dropInvalidRows: true });
    expect(dropped.droppedRows).toBe(3);
    expect(dropped.rows).toBe(3);
    expect(Array.from(dropped.values)).toEqual([1, 2, 5, 6, 9, 10]);
    expect(dropped.columns.every((c) => c.missing === 0)).toBe(true);
    const none = await csvError(
      table('a,b\n1,\n,2\n', { columns: ['a', 'b'], dropInvalidRows: true }),
    );
    expect(none.message).toMatch(/no rows left/);
  });

  it('refuses empty, text-only and unreadable sources', async () => {
    expect((await csvError(table(''))).message).toMatch(/no rows/);
    expect((await csvError(table('a,b\nx,y\n'))).message).toMatch(/no numeric column/);
    const missing = await csvError(
      readNumericTable({ kind: 'path', path: join(dir, 'absent.csv') }, {}),
    );
    expect(missing.message).toMatch(/cannot read .*absent\.csv: ENOENT/);
    const folder = await csvError(readNumericTable({ kind: 'path', path: dir }, {}));
    expect(folder.message).toMatch(/cannot read .*: not a file/);
  });
});

describe('CSV import into the store', () => {
  it('stores nothing when an import fails', async () => {
    const store = new Store(join(dir, 'import.db'));
    try {
      await importCsv(store, text('a,b\n1,2\n3,4\n'), { name: 'good' });
      const before = store.listDatasets().length;
      expect(before).toBe(1);
      await csvError(importCsv(store, text('a,b\n1,2\n3\n'), { name: 'ragged' }));
      await csvError(
        importCsv(store, text('a,b\n1,2\n3,x\n'), { name: 'text', columns: ['a', 'b'] }),
      );
      await csvError(importCsv(store, text('a,b\n1,2\n3,\n'), { name: 'missing' }));
      expect(store.listDatasets().map((d) => d.name)).toEqual(['good']);
      const { dataset: ok } = await importCsv(store, text('a,b\n1,2\n3,\n'), {
        name: 'dropped',
        dropInvalidRows: true,
      });
      expect(ok.rows).toBe(1);
      expect(Array.from(store.datasetValues(ok.id)!.values)).toEqual([1, 2]);
    } finally {
      store.close();
    }
  });

  it('streams a large file with progress that reaches 1', async () => {
    const rows = 200_000;
    const lines = ['x,y,z'];
    for (let i = 0; i < rows; i++) lines.push(`${i},${(i * 0.001).toFixed(3)},${i % 7}`);
    const file = join(dir, 'large.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const store = new Store(join(dir, 'large.db'));
    try {
      const progress: number[] = [];
      const { dataset: meta } = await importCsv(
        store,
        { kind: 'path', path: file },
        { name: 'large', onProgress: (f) => progress.push(f) },
      );
      expect(meta.rows).toBe(rows);
      expect(meta.columns.map((c) => [c.name, c.type])).toEqual([
        ['x', 'integer'],
        ['y', 'number'],
        ['z', 'integer'],
      ]);
      // The file is read in 1 MiB chunks: a few reports for ~3.4 MB, then 1 when parsed.
      expect(progress.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < progress.length; i++)
        expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
      expect(progress.slice(0, -1).every((f) => f > 0 && f < 1)).toBe(true);
      expect(progress.at(-1)).toBe(1);
      const values = store.datasetValues(meta.id)!.values;
      expect(values.length).toBe(rows * 3);
      expect(Array.from(values.subarray(-3))).toEqual([
        rows - 1,
        Number(((rows - 1) * 0.001).toFixed(3)),
        (rows - 1) % 7,
      ]);
    } finally {
      store.close();
    }
  });
});
