/** Random CSV files of every kind of cell, and everything a scan of one gives, to compare readers. */
import type { ScannedTable } from '../../src/main/host/table-scan';

function randomCell(random: () => number, decimalComma: boolean): string {
  const r = random();
  const x = (random() - 0.5) * 10 ** Math.floor(random() * 12 - 4);
  let cell: string;
  if (r < 0.35) cell = x.toFixed(Math.floor(random() * 9));
  else if (r < 0.5) cell = String(x);
  else if (r < 0.58)
    cell = x.toExponential(Math.floor(random() * 6)).replace('e', random() < 0.5 ? 'e' : 'E');
  else if (r < 0.64) cell = String(Math.round(x * 1000));
  else if (r < 0.68)
    cell = [
      '-0',
      '+3',
      '.5',
      '5.',
      '007',
      '1e22',
      '1e23',
      '9007199254740993',
      '3.14159265358979323846',
      '1e-400',
      '1e400',
      '0.1e-21',
    ][Math.floor(random() * 12)];
  else if (r < 0.74)
    cell = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'None', '?', '-', '#N/A'][
      Math.floor(random() * 10)
    ];
  else if (r < 0.77)
    cell = ['inf', '-inf', 'Infinity', '-Infinity', 'INF'][Math.floor(random() * 5)];
  else if (r < 0.82)
    cell = ['five', '男', '1.2.3', '1,5', '0x1F', '1e', '.', '+', 'e5', '１２'][
      Math.floor(random() * 10)
    ];
  else if (r < 0.85) cell = `${' '.repeat(Math.floor(random() * 3))}${x.toFixed(2)}\t`;
  else cell = String(Math.floor(random() * 4)); // a label-like column value
  return decimalComma ? cell.replace('.', ',') : cell;
}

export function randomFile(seed: number, decimalComma: boolean): string {
  return randomTable(seed, decimalComma).text;
}

/** A random file and its delimiter; `rows` fixes the row count, and then no cell holds the delimiter. */
export function randomTable(
  seed: number,
  decimalComma: boolean,
  rows?: number,
): { text: string; delimiter: string } {
  let s = seed;
  const random = () => (s = (s * 48271) % 2147483647) / 2147483647;
  const width = 1 + Math.floor(random() * 5);
  const delimiter = decimalComma ? ';' : [',', '\t', '|'][Math.floor(random() * 3)];
  const lines = [Array.from({ length: width }, (_, j) => `c${j}`).join(delimiter)];
  const count = rows ?? 5 + Math.floor(random() * 60);
  for (let i = 0; i < count; i++) {
    if (random() < 0.05) {
      const blank = ['', ' ', '\t', '  \r'][Math.floor(random() * 4)]; // a blank line
      lines.push(rows !== undefined && blank.includes(delimiter) ? '' : blank);
    }
    lines.push(
      Array.from({ length: width }, () => {
        const cell = randomCell(random, decimalComma);
        return rows !== undefined && cell.includes(delimiter) ? 'five' : cell;
      }).join(delimiter),
    );
  }
  const crlf = random() < 0.3;
  const text = lines.map((l) => l + (crlf && random() < 0.7 ? '\r\n' : '\n')).join('');
  return {
    text: (random() < 0.2 ? '\uFEFF' : '') + (random() < 0.2 ? text.replace(/\n$/, '') : text),
    delimiter,
  };
}

/** Everything a scan gives: counts, heads, warnings, and the values under each import choice. */
export function outcome(t: ScannedTable) {
  const choices = [
    { columns: 'all' as const, strayCellsAsMissing: true, dropInvalidRows: true },
    { strayCellsAsMissing: true, dropInvalidRows: true },
    {},
  ];
  return {
    hasHeader: t.hasHeader,
    names: t.names,
    rows: t.rows,
    columns: t.previewColumns(),
    head: t.head,
    warnings: t.warnings(),
    tables: choices.map((c) => {
      try {
        const n = t.numeric(c);
        return {
          values: Array.from(n.values).map((v) => (Object.is(v, -0) ? '-0' : v)),
          notes: n.notes,
        };
      } catch (e) {
        return { refused: (e as Error).message };
      }
    }),
  };
}
