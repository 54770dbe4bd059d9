/** What a run's engine sees of its data set: the chosen columns of a table, or every pixel. */
import { IMAGE_COLUMN, type DatasetMeta, type RunInfo } from '../../shared/api';
import { runColumns, selectColumns } from '../../shared/columns';
import { localText, type LocalText } from '../../shared/i18n';
import type { EngineData } from '../engine/algorithm';
import { pixelColumnNames, pixelValues, type Store } from './store';

/**
 * The EngineData of `columns` of a data set, or a refusal naming what is wrong. A table gives the
 * named columns; an image set takes exactly [IMAGE_COLUMN] and gives every pixel / 255 in
 * columns p0 … p{n−1}, with its image shape and its labels (if any).
 */
export function runEngineData(
  store: Store,
  dataset: DatasetMeta,
  columns: readonly string[],
): { data: EngineData } | { refusal: LocalText } {
  if (dataset.image) {
    if (columns.length !== 1 || columns[0] !== IMAGE_COLUMN)
      return {
        refusal: localText('refuse.imageColumns', {
          name: dataset.name,
          column: IMAGE_COLUMN,
          got: columns.map((c) => `"${c}"`).join(', '),
        }),
      };
    const d = store.datasetImageData(dataset.id)!;
    return {
      data: {
        values: pixelValues(d.pixels),
        rows: d.rows,
        cols: d.pixels.length / Math.max(1, d.rows),
        columns: pixelColumnNames(d.image),
        image: d.image,
        ...(d.labels ? { labels: d.labels } : {}),
      },
    };
  }
  const all = store.datasetValues(dataset.id)!;
  const { values, cols, missing } = selectColumns(all, columns);
  if (missing !== null)
    return { refusal: localText('refuse.noSuchColumn', { name: dataset.name, column: missing }) };
  return { data: { values, rows: all.rows, cols, columns: [...columns] } };
}

/**
 * A run's columns of its data set as it was run on (what exports draw the fit over), or null when
 * it took none, or the data set or one of its columns is gone.
 */
export function runTable(
  store: Store,
  run: Pick<RunInfo, 'datasetId' | 'columns'>,
): { values: Float64Array; cols: number } | null {
  const all = run.datasetId === null ? null : store.datasetValues(run.datasetId);
  return all ? runColumns(all, run.columns) : null;
}
