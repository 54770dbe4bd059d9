/** Data sets: CSV import into the store, and the bundled sets that need no import. */
import { join } from 'node:path';
import type { CsvSource, DatasetMeta } from '../../shared/api';
import { readNumericTable } from './csv';
import type { Store } from './store';

/** Shipped in resources/datasets; available in every new database. */
export const builtinDatasets = [
  { name: 'Old Faithful', file: 'old-faithful.csv' },
  { name: 'Seed 1-D mixture', file: 'seed-1d.csv' },
] as const;

export async function importCsv(
  store: Store,
  source: CsvSource,
  options: {
    name: string;
    columns?: string[];
    dropInvalidRows?: boolean;
    onProgress?: (fraction: number) => void;
  },
): Promise<DatasetMeta> {
  // Everything is parsed and checked before the single insert: a failed import stores nothing.
  const table = await readNumericTable(source, options);
  return store.insertDataset({ ...table, name: options.name });
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
}

/** Resolves `builtin:NAME` (by file stem or display name, case-insensitive) for the CLI. */
export function findBuiltinByKey(store: Store, key: string): DatasetMeta | null {
  const k = key.toLowerCase();
  const b = builtinDatasets.find(
    (d) => d.name.toLowerCase() === k || d.file.replace(/\.csv$/, '') === k,
  );
  return b ? store.findBuiltin(b.name) : null;
}
