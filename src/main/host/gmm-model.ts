/**
 * A fitted Gaussian mixture put to use: scoring new rows (log-likelihood, responsibilities,
 * labels) and drawing samples. Float64 in JS: the mixture is small and this is not a hot loop
 * worth a worker process.
 */
import { ApiError, type SampleResult, type ScoreResult } from '../../shared/api';
import { mixtureSchema, type Mixture } from '../../shared/artifacts';
import { sampleMixture } from '../../shared/gmm-sampling';
import { logSumExp } from '../../shared/linalg';
import { weightedLogDensities } from '../../shared/mixture-view';
import { localText } from '../../shared/i18n';
import { createRng } from '../../shared/rng';
import { readNumericTable, type ReadableSource } from './csv';
import type { Store } from './store';

function fittedMixture(store: Store, runId: number): { mixture: Mixture; columns: string[] } {
  const run = store.getRun(runId);
  if (!run) throw ApiError.of('not-found', localText('refuse.noRun', { id: runId }));
  const parsed = mixtureSchema.safeParse(run.summary);
  if (run.algorithm !== 'gmm' || run.status !== 'completed' || !parsed.success)
    throw ApiError.of('conflict', localText('refuse.notGmmFit', { id: runId }));
  return { mixture: parsed.data, columns: run.columns };
}

export async function scoreRows(
  store: Store,
  runId: number,
  source: ReadableSource,
  dropInvalidRows: boolean,
): Promise<ScoreResult> {
  const { mixture, columns } = fittedMixture(store, runId);
  // The new file must have the model's columns, by name; other columns are ignored.
  const table = await readNumericTable(source, { columns, dropInvalidRows });
  const density = weightedLogDensities(mixture);
  if (!density) throw ApiError.of('conflict', localText('refuse.fittedNotPositiveDefinite'));
  const d = columns.length;
  const k = mixture.weights.length;
  const logLikelihood = new Float64Array(table.rows);
  const responsibilities = new Float64Array(table.rows * k);
  const labels = new Int32Array(table.rows);
  let total = 0;
  for (let i = 0; i < table.rows; i++) {
    const ld = density(Array.from(table.values.subarray(i * d, (i + 1) * d)));
    const norm = logSumExp(ld);
    logLikelihood[i] = norm;
    total += norm;
    let best = 0;
    for (let c = 0; c < k; c++) {
      responsibilities[i * k + c] = Math.exp(ld[c] - norm);
      if (ld[c] > ld[best]) best = c;
    }
    labels[i] = best;
  }
  return {
    columns,
    rows: table.rows,
    k,
    values: table.values,
    logLikelihood,
    responsibilities,
    labels,
    meanLogLikelihood: total / table.rows,
    droppedRows: table.droppedRows,
  };
}

export function drawSamples(store: Store, runId: number, n: number, seed: number): SampleResult {
  const { mixture, columns } = fittedMixture(store, runId);
  const { values, labels } = sampleMixture(mixture, n, createRng(seed));
  return { columns, values, labels };
}
