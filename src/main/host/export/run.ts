/**
 * The export of one run (the files every run has, then its algorithm's own from the registry)
 * or of a comparison (comparison.json, the metrics overlaid, and each run's folder).
 *
 * An export is built first (a list of files: path relative to the folder, content, one line
 * saying what it is; every chart drawn), then written: a failure while drawing a chart writes
 * nothing, and the folder export and the zip hold exactly the same files. metrics.csv is the
 * exception that keeps memory bounded: it is read from the store a page at a time as it is
 * written, and charts draw each metric thinned to a few thousand points.
 */
import { resolve } from 'node:path';
import { appliedParams, madeFrom } from '../../../shared/algorithms';
import { ApiError, type ExportResult, type RunInfo } from '../../../shared/api';
import {
  colorOf,
  hasCurve,
  metricLineOption,
  metricText,
  type Label,
} from '../../../shared/charts';
import { localText, translate } from '../../../shared/i18n';
import { bestIndex, differingKeys, summaryDirections } from '../../../shared/run-summary';
import type { Store } from '../store';
import { genericFiles } from './algorithms/shared-files';
import { Bundle, readme, runFolderName, type Entry, type PendingEntry } from './bundle';
import { drawnSeries, storeRows, type DrawnSeries } from './metric-pages';
import { metricsCsvChunks } from './metrics-csv';
import { runExporterOf } from './registry';
import { checkExportFolder } from './target-folder';
import { writeEntries, writeZip, type ZipSink } from './write';

/** Exports are in English: files are shared, and every common font covers Latin text. */
const englishLabel: Label = (key, vars) => translate('en', key, vars);

export interface ExportContext {
  appVersion: string;
  exportedAt: string;
  /** Chart titles and axis names in the export's language. */
  t: Label;
  /** Each run's metrics as its charts draw them, read before the files are made. */
  drawn: ReadonlyMap<number, DrawnSeries[]>;
}

/** The README's line for a run without a data set: what it was made from, if anything. */
function noDataFact(run: RunInfo): string {
  const made = madeFrom(run.params);
  return made ? `${made.field}: ${made.value} (no data set)` : 'no data set';
}

function datasetOf(store: Store, run: RunInfo): { name: string; hash: string | null } {
  const d = run.datasetId === null ? null : store.getDataset(run.datasetId);
  return { name: run.datasetName, hash: d?.hash ?? null };
}

/** Every file of one run's export, under `prefix` (`''` or `run-…/`). */
export function runEntries(
  store: Store,
  run: RunInfo,
  ctx: ExportContext,
  prefix = '',
): PendingEntry[] {
  const bundle = new Bundle(prefix);
  const notes: string[] = [];
  const dataset = datasetOf(store, run);
  bundle.json(
    'params.json',
    {
      algorithm: run.algorithm,
      params: run.params,
      seed: run.seed,
      backend: run.backend,
      dataset,
      columns: run.columns,
      appVersion: ctx.appVersion,
      exportedAt: ctx.exportedAt,
      run: {
        id: run.id,
        name: run.name,
        status: run.status,
        createdAt: run.createdAt,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        tags: run.tags,
        note: run.note,
        notes: run.notes,
        error: run.error,
        progress: run.progress,
      },
    },
    'how the run was made: algorithm, parameters, seed, backend, data set (name and sha-256 of its values), columns, the run’s name, status, times, tags and notes, and the app version',
  );
  bundle.json(
    'summary.json',
    run.summary ?? null,
    'the run’s final results, as the app shows them',
  );
  const series = ctx.drawn.get(run.id)!;
  const keys = series.map((s) => s.key);
  bundle.add(
    'metrics.csv',
    { chunks: () => metricsCsvChunks(keys, storeRows(store, run.id, keys)) },
    `every metric point: one row per step, one column per metric (${series.map((s) => s.key).join(', ') || 'none'}), and wall_ms (milliseconds from the run’s start; wall_ms:<metric> columns follow for metrics reported at other times than the row’s first); an empty cell means no point at that step, NaN a point without a finite value`,
  );
  const filesContext = { store, run, series, bundle, notes, t: ctx.t };
  const exporter = runExporterOf(run.algorithm);
  if (exporter) exporter.files(filesContext);
  else {
    genericFiles(filesContext);
    notes.push(
      `No files of its own: this version of Latent Lab has no exporter for the algorithm "${run.algorithm}", so the export holds its parameters, summary and metrics, one line chart per metric that has a curve, and any gallery pictures and model weights it saved.`,
    );
  }
  const facts = [
    `algorithm: ${run.algorithm}`,
    run.datasetId === null && run.datasetName === ''
      ? noDataFact(run)
      : `data set: ${dataset.name} (columns ${run.columns.join(', ')})`,
    `seed: ${run.seed}; backend: ${run.backend ?? 'none'}; status: ${run.status}`,
    `exported ${ctx.exportedAt} by Latent Lab ${ctx.appVersion}`,
  ];
  bundle.add(
    'README.md',
    readme(`Run ${run.id}: ${run.name}`, facts, bundle.entries, notes, prefix),
    'what each file of this run is',
  );
  return bundle.entries;
}

// ---------------------------------------------------------------- comparison

function comparisonJson(store: Store, runs: RunInfo[], folders: string[], ctx: ExportContext) {
  const setupOf = (r: RunInfo): Record<string, unknown> => ({
    algorithm: r.algorithm,
    dataset: datasetOf(store, r),
    columns: r.columns,
    seed: r.seed,
    backend: r.backend,
  });
  // "Differs" and "best" as the compare page defines them.
  const rows = (objects: Record<string, unknown>[], keys: string[]) => {
    const differing = differingKeys(objects);
    return keys.map((name) => ({
      name,
      values: objects.map((o) => o[name] ?? null),
      differs: differing.has(name),
    }));
  };
  const setup = rows(runs.map(setupOf), ['algorithm', 'dataset', 'columns', 'seed', 'backend']);
  const parameters = rows(
    runs.map((r) => appliedParams(r.algorithm, r.params)),
    [...new Set(runs.flatMap((r) => Object.keys(appliedParams(r.algorithm, r.params))))].sort(),
  );
  const summaryKeys = [
    ...new Set(
      runs.flatMap((r) =>
        Object.entries(r.summary ?? {})
          .filter(([, v]) => typeof v === 'number' || typeof v === 'boolean')
          .map(([k]) => k),
      ),
    ),
  ];
  const summary = summaryKeys.map((k) => {
    const values = runs.map((r) => {
      const v = r.summary?.[k];
      return typeof v === 'number' || typeof v === 'boolean' ? v : null;
    });
    const better = summaryDirections[k] ?? null;
    const best = better ? bestIndex(values, better) : -1;
    return { name: k, values, better, best: best < 0 ? null : runs[best].id };
  });
  return {
    appVersion: ctx.appVersion,
    exportedAt: ctx.exportedAt,
    runs: runs.map((r, i) => ({
      id: r.id,
      name: r.name,
      label: `#${r.id} ${r.name}`,
      color: colorOf(i),
      status: r.status,
      folder: folders[i],
    })),
    setup,
    parameters,
    differingParameters: [...setup, ...parameters].filter((p) => p.differs).map((p) => p.name),
    summary,
  };
}

function comparisonEntries(store: Store, runs: RunInfo[], ctx: ExportContext): PendingEntry[] {
  const bundle = new Bundle();
  const folders = runs.map(runFolderName);
  const seriesOf = runs.map((r) => ctx.drawn.get(r.id)!);
  const keys = [...new Set(seriesOf.flatMap((list) => list.map((s) => s.key)))].sort();
  bundle.json(
    'comparison.json',
    comparisonJson(store, runs, folders, ctx),
    'the runs side by side: their setup (algorithm, data set, columns, seed, backend) and parameters with `differs` marking what is not the same in every run (`differingParameters` lists them), and their summary numbers with the best run marked (`best`, a run id) where higher or lower is better',
  );
  for (const key of keys) {
    // One colour per run across every chart: by the run's place in the comparison, not by the
    // series' place in this chart (a run without this metric leaves its colour unused).
    const lines = runs.flatMap((r, i) => {
      const s = seriesOf[i].find((x) => x.key === key);
      return s
        ? [{ name: `#${r.id} ${r.name}`, steps: s.steps, values: s.values, color: colorOf(i) }]
        : [];
    });
    if (!hasCurve(lines)) continue; // one value per run: in each run's metrics.csv
    const option = metricLineOption({ ...metricText(ctx.t, key), series: lines });
    bundle.chart(
      bundle.freeBase(key),
      option,
      `"${key}" of every run that has it, one line per run`,
    );
  }
  const entries = [...bundle.entries];
  runs.forEach((r) => entries.push(...runEntries(store, r, ctx, `${runFolderName(r)}/`)));
  const facts = runs.map(
    (r, i) =>
      `\`${folders[i]}/\`: run ${r.id} “${r.name}” (${r.algorithm} on ${r.datasetName || madeFrom(r.params)?.value || 'no data set'}, seed ${r.seed}, ${r.status}; colour ${colorOf(i)})`,
  );
  facts.push(`exported ${ctx.exportedAt} by Latent Lab ${ctx.appVersion}`);
  entries.push({
    path: 'README.md',
    data: readme(`Comparison of runs ${runs.map((r) => r.id).join(', ')}`, facts, entries, []),
    about: 'what each file of this comparison is',
  });
  return entries;
}

/** Every file of an export, with its content, sorted by path; nothing is written here. */
async function buildExport(store: Store, ids: number[], appVersion: string): Promise<Entry[]> {
  if (ids.length === 0) throw ApiError.of('invalid-input', localText('export.chooseRun'));
  if (new Set(ids).size !== ids.length)
    throw ApiError.of('invalid-input', localText('export.runTwice'));
  const runs = ids.map((id) => {
    const run = store.getRun(id);
    if (!run) throw ApiError.of('not-found', localText('refuse.noRun', { id }));
    return run;
  });
  const drawn = new Map<number, DrawnSeries[]>();
  for (const run of runs) drawn.set(run.id, await drawnSeries(store, run.id));
  const ctx = { appVersion, exportedAt: new Date().toISOString(), t: englishLabel, drawn };
  const pending =
    runs.length === 1 ? runEntries(store, runs[0], ctx) : comparisonEntries(store, runs, ctx);
  const entries = await Promise.all(
    pending.map(async (e): Promise<Entry> => ({ ...e, data: await e.data })),
  );
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Runs exported into a folder: one run's files, or a comparison of several. */
export async function exportRuns(
  store: Store,
  ids: number[],
  dir: string,
  options: { overwrite: boolean; appVersion: string },
): Promise<ExportResult> {
  // Refuse an occupied folder before drawing anything (and create nothing yet).
  await checkExportFolder(resolve(dir), options.overwrite);
  const entries = await buildExport(store, ids, options.appVersion);
  return writeEntries(dir, entries, options.overwrite);
}

/** What a zip of the export of `ids` is called. */
export const zipFileName = (ids: number[]): string =>
  ids.length === 1 ? `latent-lab-run-${ids[0]}.zip` : `latent-lab-compare-${ids.join('-')}.zip`;

/**
 * The same files as `exportRuns`, made now (a failure throws here), and a writer that hands
 * them as a zip to a sink a piece at a time (an HTTP response, a file): nothing but the pieces
 * in flight is held.
 */
export async function prepareZip(
  store: Store,
  ids: number[],
  options: { appVersion: string },
): Promise<(sink: ZipSink) => Promise<void>> {
  const entries = await buildExport(store, ids, options.appVersion);
  return (sink) => writeZip(entries, sink);
}
