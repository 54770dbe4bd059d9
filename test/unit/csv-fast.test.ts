/**
 * The fast reader of unquoted UTF-8 files (csv-fast.ts) against papaparse's path on the same
 * content: random files of every kind of cell (numbers written every way, spaces, missing
 * spellings, inf, words, Chinese, empty lines, CRLF, a BOM, decimal commas) must read the same,
 * bit for bit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFile } from '../../src/main/host/csv';
import { outcome, randomFile } from './csv-random';

const dir = mkdtempSync(join(tmpdir(), 'latent-lab-csv-fast-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the fast reader of unquoted files', () => {
  it.each(Array.from({ length: 150 }, (_, i) => [i + 1, i % 4 === 3]))(
    'reads random file %i as papaparse does (decimal comma: %s)',
    async (seed, decimalComma) => {
      const text = randomFile(seed as number, decimalComma as boolean);
      const path = join(dir, `f${seed}.csv`);
      writeFileSync(path, text);
      const read = decimalComma ? { decimal: ',' as const, delimiter: ';' as const } : {};
      const viaPapa = await scanFile({ kind: 'text', text }, read).then(outcome, (e: Error) => ({
        refused: e.message,
      }));
      const fast = await scanFile({ kind: 'path', path }, read).then(outcome, (e: Error) => ({
        refused: e.message,
      }));
      expect(fast).toEqual(viaPapa);
    },
  );

  it('reads every number as Number() does, bit for bit', async () => {
    let seed = 11;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const texts = [
      '9007199254740991',
      '9007199254740992',
      '9007199254740993',
      '9007199254740993e-5',
      '123456789012345678',
      '0.1',
      '0.3',
      '4.35',
      '1e22',
      '1e-22',
      '1.7976931348623157e308',
      '5e-324',
      '2.2250738585072014e-308',
      '0.000001',
      '-0.000',
      '00000000000000000000012.5',
      '1.00000000000000000001',
      '999999999999999.9',
      '8.98846567431158e307',
    ];
    for (let i = 0; i < 20_000; i++) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      texts.push(
        x.toFixed(Math.floor(random() * 12)),
        String(x),
        x.toExponential(Math.floor(random() * 17)),
      );
    }
    const path = join(dir, 'numbers.csv');
    writeFileSync(path, ['x', ...texts].join('\n'));
    const t = await scanFile({ kind: 'path', path }, {});
    const values = t.numeric({}).values;
    const wrong = texts.filter((text, i) => !Object.is(values[i], Number(text)));
    expect(wrong).toEqual([]);
  });

  it('skips a line of spaces, but not a line of tabs in a tab-separated file', async () => {
    // Past the first rows, which are read as text to judge the header.
    const tsv = 'a\tb\n' + '1\t2\n'.repeat(30);
    const csv = 'a,b\n' + '1,2\n'.repeat(30);
    for (const [text, rows] of [
      [tsv + '\t\n  \n3\t4\n', 32],
      [csv + '\t \n3,4\n', 31],
    ] as const) {
      const path = join(dir, 'blank.csv');
      writeFileSync(path, text);
      const fast = await scanFile({ kind: 'path', path }, {});
      const viaPapa = await scanFile({ kind: 'text', text }, {});
      expect([fast.rows, viaPapa.rows]).toEqual([rows, rows]);
    }
  });

  it('reads a one-column file of text cells', async () => {
    // Each text cell's end is looked for in its own line (the whole rest of the chunk was
    // searched before: 1,000,000 such rows took 9.6 s; `npm run bench -- import` is the place to
    // time it, not here).
    const path = join(dir, 'one-column.csv');
    writeFileSync(path, 'x\n' + 'NA\n'.repeat(200_000) + '1\n');
    const t = await scanFile({ kind: 'path', path }, {});
    expect(t.previewColumns()[0]).toMatchObject({ missing: 200_000, numbers: 1 });
  });

  it('refuses a line longer than 64 MB instead of joining it forever', async () => {
    const path = join(dir, 'no-newline.csv');
    writeFileSync(path, 'x\n' + '1'.repeat(65 * 2 ** 20));
    await expect(scanFile({ kind: 'path', path }, {})).rejects.toThrow(
      /line 2 is longer than 64 MB/,
    );
  });

  it('reads cells of no-break or ideographic spaces as missing, on both paths', async () => {
    const text = 'a,b\n' + '1,2\n'.repeat(30) + '3,\u00a0\n4,\u3000\n\u00a0 \n5,6\n';
    const path = join(dir, 'nbsp.csv');
    writeFileSync(path, text);
    for (const t of [
      await scanFile({ kind: 'path', path }, {}).catch((e: Error) => e.message),
      await scanFile({ kind: 'text', text }, {}).catch((e: Error) => e.message),
    ])
      expect(t).toMatch(/^line 34 has 1 fields where the first row has 2$/);
    const kept = text.replace('\u00a0 \n', '');
    writeFileSync(path, kept);
    const fast = await scanFile({ kind: 'path', path }, {});
    expect(fast.previewColumns()[1]).toMatchObject({ missing: 2, numbers: 31 });
  });

  it('names a ragged line with its real width, as papaparse does', async () => {
    const text = 'a,b\n' + '1,2\n'.repeat(30) + '3,4,5,6\n7\n';
    const path = join(dir, 'ragged.csv');
    writeFileSync(path, text);
    for (const lines of ['3,4,5,6\n', '7\n']) {
      const file = text.replace('3,4,5,6\n7\n', lines);
      writeFileSync(path, file);
      const fast = await scanFile({ kind: 'path', path }, {}).catch((e: Error) => e.message);
      const viaPapa = await scanFile({ kind: 'text', text: file }, {}).catch(
        (e: Error) => e.message,
      );
      expect(fast).toBe(viaPapa);
      expect(fast).toMatch(/^line 32 has (4|1) fields where the first row has 2$/);
    }
  });

  it('leaves a file with a quote to papaparse', async () => {
    const path = join(dir, 'quoted.csv');
    writeFileSync(path, 'a,b\n' + '1,2\n'.repeat(300_000) + '"3,5",4\n');
    const t = await scanFile({ kind: 'path', path }, {});
    expect(t.rows).toBe(300_001);
    expect(t.previewColumns()[0]).toMatchObject({ type: 'integer', other: { count: 1 } });
  });
});
