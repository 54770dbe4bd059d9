/** Data sets: CSV import into the store, and the bundled sets that need no import. */
import { join } from 'node:path';
import type { DatasetMeta, ImportResult, ReadOptions } from '../../shared/api';
import { localText } from '../../shared/i18n';
import { CsvError, readNumericTable, type ReadableSource } from './csv';
import { loadMnist } from './mnist';
import type { Store } from './store';

/** Shipped in resources/datasets; available in every new database. */
export const builtinDatasets = [
  { name: 'Old Faithful', file: 'old-faithful.csv' },
  { name: 'Seed 1-D mixture', file: 'seed-1d.csv' },
] as const;

/** The bundled image set: the 10,000 digits of the `mnist` package (see mnist.ts). */
export const MNIST_DATASET = { name: 'MNIST digits', key: 'mnist' } as const;

export async function importCsv(
  store: Store,
  source: ReadableSource,
  options: {
    name: string;
    read?: ReadOptions;
    columns?: string[];
    dropInvalidRows?: boolean;
    strayCellsAsMissing?: boolean;
    labelColumn?: string;
    onProgress?: (fraction: number) => void;
  },
): Promise<ImportResult> {
  // Everything is parsed and checked before the single insert: a failed import stores nothing.
  const table = await readNumericTable(source, options);
  const columns = table.columns.map((c) => c.name);
  const dataset = store.insertDataset({
    name: options.name,
    columns: table.columns,
    rows: table.rows,
    values: table.blocks,
    stored: await store.storeValues(table.blocks, columns),
    labels: table.labels,
  });
  return { dataset, notes: table.notes };
}

/**
 * An image set from a CSV: one row per image, every column but `labelColumn` a pixel (row-major,
 * one channel), width × height of them. Values 0–255, non-integers rounded; when every value lies
 * in [0, 1] the file is read as intensities and scaled by 255. Labels must be integers. Any other
 * file is refused (CsvError) before anything is stored.
 */
export async function importImageCsv(
  store: Store,
  source: ReadableSource,
  options: {
    name: string;
    read?: ReadOptions;
    strayCellsAsMissing?: boolean;
    width: number;
    height: number;
    labelColumn?: string;
    dropInvalidRows?: boolean;
    onProgress?: (fraction: number) => void;
  },
): Promise<ImportResult> {
  const table = await readNumericTable(source, {
    columns: 'all',
    read: options.read,
    dropInvalidRows: options.dropInvalidRows,
    strayCellsAsMissing: options.strayCellsAsMissing,
    onProgress: options.onProgress,
  });
  const names = table.columns.map((c) => c.name);
  const labelAt = options.labelColumn === undefined ? -1 : names.indexOf(options.labelColumn);
  if (options.labelColumn !== undefined && labelAt < 0)
    throw new CsvError(
      localText('csv.noLabelColumn', {
        name: options.labelColumn,
        columns: names.slice(0, 8).join(', ') + (names.length > 8 ? ', …' : ''),
      }),
    );
  const cols = names.length;
  const pixelCount = cols - (labelAt < 0 ? 0 : 1);
  const n = options.width * options.height;
  if (pixelCount !== n)
    throw new CsvError(
      localText(labelAt < 0 ? 'csv.pixelCount' : 'csv.pixelCountWithLabel', {
        pixels: pixelCount,
        w: options.width,
        h: options.height,
        n,
      }),
    );
  const rows = table.rows;
  const v = table.values;
  // Which scale: 0–1 only when every pixel lies in [0, 1].
  let max = -Infinity;
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < cols; c++) if (c !== labelAt) max = Math.max(max, v[i * cols + c]);
  const scale = max <= 1 ? 255 : 1;
  const pixels = new Uint8Array(rows * n);
  const labels = labelAt < 0 ? null : new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let p = 0;
    for (let c = 0; c < cols; c++) {
      const x = v[i * cols + c];
      if (c === labelAt) {
        if (!Number.isInteger(x) || Math.abs(x) > 2 ** 31 - 1)
          throw new CsvError(
            localText('csv.notALabel', { row: i + 1, column: names[c], value: x }),
          );
        labels![i] = x;
        continue;
      }
      if (x < 0 || x > 255)
        throw new CsvError(localText('csv.notAPixel', { row: i + 1, column: names[c], value: x }));
      pixels[i * n + p++] = Math.round(x * scale);
    }
  }
  const dataset = store.insertImageDataset({
    name: options.name,
    rows,
    image: { width: options.width, height: options.height, channels: 1 },
    pixels,
    labels,
  });
  return { dataset, notes: table.notes };
}

export async function ensureBuiltinDatasets(store: Store, resourcesDir: string): Promise<void> {
  for (const b of builtinDatasets) {
    if (store.findBuiltin(b.name)) continue;
    const table = await readNumericTable(
      { kind: 'path', path: join(resourcesDir, 'datasets', b.file) },
      {},
    );
    // Check again under the write lock: another process may have just added it.
    store.db
      .transaction(() => {
        if (!store.findBuiltin(b.name))
          store.insertDataset({ ...table, name: b.name, builtin: true });
      })
      .immediate();
  }
  // MNIST is read only when a database does not have it yet (once per new database).
  if (!store.findBuiltin(MNIST_DATASET.name)) {
    const digits = loadMnist(resourcesDir);
    store.db
      .transaction(() => {
        if (!store.findBuiltin(MNIST_DATASET.name))
          store.insertImageDataset({
            name: MNIST_DATASET.name,
            builtin: true,
            rows: digits.count,
            image: { width: digits.width, height: digits.height, channels: 1 },
            pixels: digits.pixels,
            labels: Int32Array.from(digits.labels),
          });
      })
      .immediate();
  }
}

/** Resolves `builtin:NAME` (by file stem, key or display name, case-insensitive) for the CLI. */
export function findBuiltinByKey(store: Store, key: string): DatasetMeta | null {
  const k = key.toLowerCase();
  if (k === MNIST_DATASET.key || k === MNIST_DATASET.name.toLowerCase())
    return store.findBuiltin(MNIST_DATASET.name);
  const b = builtinDatasets.find(
    (d) => d.name.toLowerCase() === k || d.file.replace(/\.csv$/, '') === k,
  );
  return b ? store.findBuiltin(b.name) : null;
}
