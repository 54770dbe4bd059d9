/**
 * Export of runs to a folder (or a zip) and import of a run folder back into the library.
 *
 * An export is built whole in memory first (a list of files: path relative to the folder,
 * content, one line saying what it is), then written. So a failure while drawing a chart writes
 * nothing, and the folder export and the zip hold exactly the same files.
 *
 * Safety: every name that comes from the user (run names, metric keys) is reduced to letters,
 * digits, `.`, `_` and `-` and never starts with a dot, and every file's resolved path is checked
 * to be inside the chosen folder (also after symbolic links) before anything is written.
 */
import { selectColumns } from '../../shared/columns';
import {
  lstat,
  mkdir,
  readFile,
  readdir,
  realpath,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { EChartsOption } from 'echarts';
import { strToU8, zipSync, type Zippable } from 'fflate';
import Papa from 'papaparse';
import { z } from 'zod';
import { algorithmSpecs, appliedParams } from '../../shared/algorithms';
import type { ParamValues } from '../../shared/algorithms/fields';
import { covarianceTypes } from '../../shared/algorithms/gmm';
import {
  ApiError,
  runStatuses,
  type ExportResult,
  type MetricSeries,
  type RunInfo,
  type RunStatus,
} from '../../shared/api';
import { mixtureSchema, type ArtifactKind, type Mixture } from '../../shared/artifacts';
import {
  colorOf,
  hasCurve,
  metricText,
  histogram1dOption,
  metricLineOption,
  mixture2dOption,
  pairsOption,
  type Label,
} from '../../shared/charts';
import { localText, optionLabel, translate } from '../../shared/i18n';
import { bestIndex, differingKeys, summaryDirections } from '../../shared/run-summary';
import {
  assembleDraws,
  drawsColumn,
  drawsCsv,
  parameterNames,
  parseDrawsCsv,
  samplerStats,
  type TargetFieldMeta,
} from '../../shared/draws';
import { diagnosticThresholds } from '../../shared/mcmc-diagnostics';
import type { GanFieldMeta, GanPointsMeta } from '../../shared/algorithms/gan';
import type { ImageGridMeta } from '../../shared/algorithms/vae';
import { ganViewOption } from '../../shared/gan-charts';
import { imageGridPng } from '../../shared/image-grid';
import { targetViewOption, traceOption } from '../../shared/sampling-charts';
import { chartSize, pngScale, renderSvg, svgToPngAsync, type ChartSize } from './chart-render';
import type { MetricPoint, Store } from './store';

/** Exports are in English: files are shared, and every common font covers Latin text. */
const t: Label = (key, vars) => translate('en', key, vars);

/** Pictures of a plane (pairs, a 2-D target or GAN) are drawn square, so circles stay round. */
const squareChart: ChartSize = { width: 800, height: 800 };

// ---------------------------------------------------------------- names and paths

/**
 * A user-given name as one safe path segment: letters (any script), digits, `.`, `_`, `-`;
 * everything else becomes `-`; no leading dots or dashes (so never `.` or `..`), at most `max`
 * characters. May be empty: callers always add a fixed prefix or a fallback.
 */
export function sanitizeName(name: string, max = 60): string {
  return name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, max)
    .replace(/[.-]+$/, '');
}

/** The folder of one run inside a comparison export. */
export function runFolderName(run: Pick<RunInfo, 'id' | 'name'>): string {
  const name = sanitizeName(run.name);
  return name ? `run-${run.id}-${name}` : `run-${run.id}`;
}

/** Whether `target` (absolute) is `root` itself or inside it. */
function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel.split(sep)[0] !== '..' && !isAbsolute(rel));
}

/** The absolute path of a file of the export, refused if it would leave the folder. */
function pathInside(root: string, rel: string): string {
  const target = resolve(root, ...rel.split('/'));
  if (!isInside(root, target) || target === root)
    throw new ApiError('internal', `refusing to write "${rel}": it is outside ${root}`);
  return target;
}

// ---------------------------------------------------------------- the files of an export

interface Entry {
  /** Relative to the export folder, `/`-separated. */
  path: string;
  data: string | Uint8Array;
  about: string;
}

/** While an export is built, a PNG may still be rasterising (off the main thread). */
type PendingEntry = Omit<Entry, 'data'> & { data: Entry['data'] | Promise<Uint8Array> };

class Bundle {
  readonly entries: PendingEntry[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly prefix = '') {}

  add(path: string, data: PendingEntry['data'], about: string): void {
    const full = this.prefix + path;
    if (this.used.has(full)) throw new ApiError('internal', `export wrote "${full}" twice`);
    this.used.add(full);
    this.entries.push({ path: full, data, about });
  }

  json(path: string, value: unknown, about: string): void {
    this.add(path, JSON.stringify(value, null, 2) + '\n', about);
  }

  /** A chart as `<base>.svg` and `<base>.png`. */
  chart(base: string, option: EChartsOption, about: string, size: ChartSize = chartSize): void {
    const svg = renderSvg(option, size);
    const png = svgToPngAsync(svg);
    png.catch(() => {}); // awaited with the others in buildExport
    this.add(`${base}.svg`, svg, `${about} (SVG, ${size.width}×${size.height})`);
    this.add(
      `${base}.png`,
      png,
      `${about} (PNG, ${size.width * pngScale}×${size.height * pngScale} px)`,
    );
  }

  /** A base name for a chart file that no other chart of this bundle uses yet. */
  freeBase(wanted: string): string {
    const base = sanitizeName(wanted) || 'metric';
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? base : `${base}-${i}`;
      if (!this.used.has(`${this.prefix}${candidate}.svg`)) return candidate;
    }
  }
}

/** A number as text that reads back as exactly the same number; NaN for a point without a value. */
const numberText = (v: number): string => String(v);

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One row per step (every step any metric has), one column per metric key, then `wall_ms`: the
 * milliseconds from the run's start of the first metric present at that step. An empty cell is a
 * step where that metric has no point; `NaN` a point whose value was not finite. When a metric
 * was reported at another time than the row's `wall_ms` (a sweep fits each covariance type in
 * turn at the same K), its own times follow in a `wall_ms:<key>` column, so nothing is lost.
 */
export function metricsCsv(series: MetricSeries[]): string {
  const all = new Set<number>();
  for (const s of series) for (const step of s.steps) all.add(step);
  const steps = Float64Array.from(all).sort();
  // For each step, the index of each series' point there (-1: none).
  const at = series.map(() => new Int32Array(steps.length).fill(-1));
  series.forEach((s, j) => {
    let row = 0;
    for (let i = 0; i < s.steps.length; i++) {
      while (steps[row] !== s.steps[i]) row++;
      at[j][row] = i;
    }
  });
  const rowWall = Array.from(steps, (_, row) => {
    const j = at.findIndex((index) => index[row] >= 0);
    return series[j].wallMs[at[j][row]];
  });
  const ownWall = series
    .map((s, j) => j)
    .filter((j) => at[j].some((i, row) => i >= 0 && series[j].wallMs[i] !== rowWall[row]));
  const header = [
    'step',
    ...series.map((s) => s.key),
    'wall_ms',
    ...ownWall.map((j) => `wall_ms:${series[j].key}`),
  ];
  const lines = [header.map(csvCell).join(',')];
  steps.forEach((step, row) => {
    const cells = [numberText(step)];
    for (let j = 0; j < series.length; j++) {
      const i = at[j][row];
      cells.push(i >= 0 ? numberText(series[j].values[i]) : '');
    }
    cells.push(numberText(rowWall[row]));
    for (const j of ownWall) {
      const i = at[j][row];
      cells.push(i >= 0 ? numberText(series[j].wallMs[i]) : '');
    }
    lines.push(cells.join(','));
  });
  return lines.join('\n') + '\n';
}

/** The run's data in its own columns, or null when the data set (or a column) is gone. */
function runData(store: Store, run: RunInfo): { values: Float64Array; cols: number } | null {
  if (run.datasetId === null) return null;
  const all = store.datasetValues(run.datasetId);
  if (!all) return null;
  const { values, cols, missing } = selectColumns(all, run.columns);
  return missing === null ? { values, cols } : null;
}

/** The mixture chart(s) of a fitted mixture over the run's data: 1-D, 2-D, and pairs for > 2. */
function mixtureCharts(
  bundle: Bundle,
  run: RunInfo,
  data: { values: Float64Array; cols: number },
  mixture: Mixture,
  base: string,
  title: string | null,
  what = '',
): void {
  if (data.cols === 1) {
    bundle.chart(
      base,
      histogram1dOption({
        title: title ?? t('run.view.hist'),
        values: data.values,
        column: run.columns[0],
        mixture,
        label: t,
      }),
      `${what}histogram of the data with the fitted mixture density and each weighted component`,
    );
    return;
  }
  bundle.chart(
    base,
    mixture2dOption({
      title: title ?? t('run.view.components'),
      values: data.values,
      cols: data.cols,
      columns: run.columns,
      mixture,
      label: t,
      coloring: 'label',
    }),
    `${what}the data coloured by most likely component, with each component's 1σ and 2σ ellipses, means and density contours` +
      (data.cols > 2 ? ` (columns ${run.columns[0]} and ${run.columns[1]})` : ''),
  );
}

const gmmSummarySchema = mixtureSchema.extend({
  covarianceType: z.enum(covarianceTypes),
});

const sweepFitMetaSchema = mixtureSchema.extend({
  k: z.number(),
  covarianceType: z.string(),
  bic: z.number().nullable(),
  aic: z.number().nullable(),
  meanLogLikelihood: z.number().nullable(),
});

const sweepSummarySchema = z.object({
  best: z.object({ k: z.number(), covarianceType: z.string(), bic: z.number() }),
});

function gmmFiles(
  store: Store,
  run: RunInfo,
  series: MetricSeries[],
  bundle: Bundle,
  notes: string[],
) {
  const loglik = series.find((s) => s.key === 'meanLogLikelihood');
  if (loglik)
    bundle.chart(
      'loglik',
      metricLineOption({
        title: t('run.chart.loglik'),
        xName: t('run.chart.iteration'),
        yName: t('run.chart.meanLogLik'),
        series: [{ name: t('run.chart.meanLogLik'), steps: loglik.steps, values: loglik.values }],
      }),
      'mean log-likelihood per EM iteration',
    );
  else notes.push('No log-likelihood chart: the run reported no log-likelihood.');

  // The fitted mixture: the summary of a completed run, else the last snapshot.
  const fitted = gmmSummarySchema.safeParse(run.summary);
  let mixture: Mixture | null = null;
  if (fitted.success) {
    const { covarianceType, weights, means, covariances } = fitted.data;
    mixture = { weights, means, covariances };
    bundle.json(
      'model.json',
      { covarianceType, weights, means, covariances },
      'the fitted mixture: covariance type, weights, means (K × columns) and full covariance matrices (K × columns × columns), in the data’s units',
    );
  } else {
    const last = store.listArtifacts(run.id, 'mixture', true)[0];
    const snapshot = last ? mixtureSchema.safeParse(last.meta) : null;
    if (snapshot?.success) {
      mixture = snapshot.data;
      bundle.json(
        'model.json',
        {
          covarianceType: run.params.covarianceType,
          ...snapshot.data,
          snapshotStep: last!.step,
        },
        `the run's last mixture snapshot (step ${last!.step}; the run did not complete): weights, means and covariances`,
      );
    } else notes.push('No model.json: the run has no fitted mixture.');
  }
  if (!mixture) return;
  const data = runData(store, run);
  if (!data) {
    notes.push(
      `No mixture chart: the data set "${run.datasetName}" is no longer in the library, so the fit cannot be drawn over its data.`,
    );
    return;
  }
  mixtureCharts(bundle, run, data, mixture, 'mixture', null);
  if (data.cols > 2)
    bundle.chart(
      'pairs',
      pairsOption({
        title: t('run.view.pairs'),
        values: data.values,
        cols: data.cols,
        columns: run.columns,
        mixture,
        label: t,
      }),
      'every pair of columns, points coloured by most likely component, with each component’s projected 1σ ellipse',
      squareChart,
    );
}

function sweepFiles(
  store: Store,
  run: RunInfo,
  series: MetricSeries[],
  bundle: Bundle,
  notes: string[],
) {
  const summary = sweepSummarySchema.safeParse(run.summary);
  const best = summary.success ? summary.data.best : null;
  for (const criterion of ['bic', 'aic'] as const) {
    const lines = series
      .filter((s) => s.key.startsWith(`${criterion}:`))
      .map((s) => ({
        name: optionLabel(t, 'covarianceType', s.key.slice(criterion.length + 1)),
        steps: s.steps,
        values: s.values,
      }));
    if (lines.length === 0) {
      notes.push(`No ${criterion.toUpperCase()} chart: the run reported no ${criterion} values.`);
      continue;
    }
    bundle.chart(
      criterion,
      metricLineOption({
        title: t(criterion === 'bic' ? 'sweep.bicTitle' : 'sweep.aicTitle'),
        xName: t('sweep.kAxis'),
        yName: t(criterion === 'bic' ? 'sweep.bicAxis' : 'sweep.aicAxis'),
        series: lines,
        // As on the run page: the best model (by BIC) is marked on the BIC chart.
        mark:
          best && criterion === 'bic'
            ? {
                series: optionLabel(t, 'covarianceType', best.covarianceType),
                x: best.k,
                y: best.bic,
                label: t('sweep.best'),
              }
            : null,
      }),
      `${criterion.toUpperCase()} against K, one line per covariance type` +
        (best && criterion === 'bic' ? ', the best model marked' : ''),
    );
  }
  const fits = store
    .listArtifacts(run.id, 'mixture')
    .map((a) => ({ step: a.step, parsed: sweepFitMetaSchema.safeParse(a.meta) }))
    .filter((f) => f.parsed.success)
    .map((f) => ({ fit: f.step, ...f.parsed.data! }));
  if (fits.length === 0) {
    notes.push('No model.json: the run has no fitted mixtures.');
    return;
  }
  bundle.json(
    'model.json',
    { best, fits },
    'every fitted mixture of the sweep: K, covariance type, BIC, AIC, mean log-likelihood, weights, means and covariances; and which is best by BIC',
  );
  const bestFit = best
    ? fits.find((f) => f.k === best.k && f.covarianceType === best.covarianceType)
    : undefined;
  if (!bestFit) return;
  const data = runData(store, run);
  if (!data) {
    notes.push(
      `No chart of the best fit: the data set "${run.datasetName}" is no longer in the library.`,
    );
    return;
  }
  mixtureCharts(
    bundle,
    run,
    data,
    bestFit,
    'best-fit',
    `${t('sweep.fitTitle', { k: bestFit.k, type: optionLabel(t, 'covarianceType', bestFit.covarianceType) })} (${t('sweep.best')})`,
    `the best fit by BIC (K = ${bestFit.k}, ${bestFit.covarianceType}): `,
  );
}

/** Of a run's artifacts of one kind, the latest of each role (meta.role) that has data. */
function latestPerRole(store: Store, run: RunInfo, kind: ArtifactKind) {
  const latest = new Map<string, { step: number; meta: unknown; data: ArrayBufferView }>();
  for (const a of store.listArtifacts(run.id, kind)) {
    const role = (a.meta as { role?: unknown } | null)?.role;
    if (!a.data || typeof role !== 'string') continue;
    const seen = latest.get(role);
    if (!seen || a.step >= seen.step)
      latest.set(role, { step: a.step, meta: a.meta, data: a.data });
  }
  return latest;
}

/** Each gallery's latest picture (VAE, GAN, RBM), pixel for pixel as the run page draws it. */
function galleryFiles(store: Store, run: RunInfo, bundle: Bundle) {
  for (const [role, g] of latestPerRole(store, run, 'image-grid')) {
    const meta = g.meta as ImageGridMeta;
    if (!(g.data instanceof Uint8Array)) continue;
    bundle.add(
      `gallery-${sanitizeName(role)}.png`,
      imageGridPng(meta, g.data),
      `the ${role} gallery at step ${g.step}: ${meta.count} images of ${meta.width} × ${meta.height}, ${meta.columns} to a row`,
    );
  }
}

/**
 * A 2-D GAN: its last view as the run page draws it (the discriminator's heat map, the real
 * sample, the generated one) and the generated points as CSV.
 */
function ganFiles(store: Store, run: RunInfo, bundle: Bundle) {
  const points = latestPerRole(store, run, 'points2d');
  const generated = points.get('generated');
  const real = points.get('real');
  const field = latestPerRole(store, run, 'field2d').get('discriminator');
  if (!generated && !field) return;
  const meta = (generated?.meta ?? real?.meta) as GanPointsMeta | undefined;
  const axisNames = meta?.axisNames ?? ['x', 'y'];
  const step = generated?.step ?? field!.step;
  const values = (v: ArrayBufferView | undefined) => v as Float32Array | undefined;
  bundle.chart(
    'gan-view',
    ganViewOption({
      title: `${t('gan.view.title')} (${t('gan.view.step')} ${step})`,
      axisNames,
      field: field ? { meta: field.meta as GanFieldMeta, values: values(field.data)! } : null,
      real: values(real?.data) ?? null,
      generated: values(generated?.data) ?? null,
      arrows: false,
      names: {
        field: t('gan.view.field'),
        real: t('gan.view.real'),
        generated: t('gan.view.generated'),
        arrows: t('gan.view.arrows'),
      },
    }),
    `the last view, at step ${step}: the discriminator’s output over the plane (purple: judged fake, green: judged real), the real sample (grey) and the generated one`,
    squareChart,
  );
  if (!generated) return;
  const g = values(generated.data)!;
  const stride = (generated.meta as GanPointsMeta).stride;
  const rows = Array.from({ length: Math.floor(g.length / stride) }, (_, i) => [
    g[i * stride],
    g[i * stride + 1],
  ]);
  bundle.add(
    'generated.csv',
    Papa.unparse({ fields: axisNames, data: rows }, { newline: '\n' }) + '\n',
    `the ${rows.length} points the generator made from its fixed noise at step ${step} (${axisNames.join(', ')})`,
  );
}

/** A trained network's weights (VAE, GAN, RBM): float32 values and the table that names them. */
function weightFiles(store: Store, run: RunInfo, bundle: Bundle) {
  const model = store.listArtifacts(run.id, 'model', true)[0];
  if (!model || !(model.data instanceof Float32Array)) return;
  bundle.add(
    'weights.bin',
    new Uint8Array(model.data.buffer, model.data.byteOffset, model.data.byteLength),
    `every weight of the trained model, ${model.data.length} float32 values, little-endian, back to back in the order weights.json lists them`,
  );
  bundle.json(
    'weights.json',
    model.meta,
    'the model’s layout: each tensor’s name, shape and offset into weights.bin, and what the app needs to rebuild it (layer sizes, activations, scaling)',
  );
}

/** Trace plots drawn for at most this many parameters (the CSV has them all). */
const MAX_TRACE_CHARTS = 6;

/** MCMC and HMC: every draw, the diagnostics, traces and (2-D) the target with its draws. */
function samplingFiles(store: Store, run: RunInfo, bundle: Bundle) {
  const draws = assembleDraws(store.listArtifacts(run.id, 'draws'));
  if (!draws) return;
  bundle.add(
    'draws.csv',
    drawsCsv(draws),
    `every draw of every chain, warm-up included: chain, draw (from 1), warmup (1 for warm-up draws), Stan’s sampler columns (${samplerStats.join(', ')}) and the parameters`,
  );
  const summary = run.summary ?? {};
  bundle.json(
    'diagnostics.json',
    {
      thresholds: diagnosticThresholds,
      parameters: summary.parameters ?? null,
      flagged: summary.flagged ?? null,
      sampler: Object.fromEntries(
        Object.entries(summary).filter(([k]) => k !== 'parameters' && k !== 'flagged'),
      ),
    },
    'per parameter after warm-up: mean, sd, MCSE of the mean, 5/50/95 % quantiles, rank-normalised split R-hat, bulk and tail ESS; the parameters flagged (R-hat ≥ 1.01 or ESS ≤ 400); and the sampler’s figures (acceptance, divergences, step sizes, E-BFMI, evaluations, seconds)',
  );
  const names = parameterNames(draws);
  for (const name of names.slice(0, MAX_TRACE_CHARTS))
    bundle.chart(
      bundle.freeBase(`trace-${name}`),
      traceOption({
        title: t('mcmc.view.trace', { p: name }),
        chains: drawsColumn(draws, name, 0),
        warmup: draws.warmup,
        label: t,
      }),
      `trace plot of ${name}: one line per chain, warm-up shaded`,
    );
  const field = store.listArtifacts(run.id, 'field2d', true)[0];
  const meta = field?.meta as TargetFieldMeta | undefined;
  if (meta?.role === 'target' && field.data) {
    // JSON has no −∞ (outside a target’s support) or NaN: such cells are written as null.
    bundle.json(
      'target-density.json',
      { ...meta, logDensity: Array.from(field.data as Float64Array) },
      `the target’s log density on a ${meta.size} × ${meta.size} grid over its drawing box (row j is ${meta.names[1]}, column i is ${meta.names[0]}; null where it is not finite, i.e. outside the support), with the true moments where known and each chain’s start — read back on import for the contours`,
    );
  }
  if (meta?.role === 'target' && field.data && names.length === 2) {
    const xs = drawsColumn(draws, names[0], 0);
    const ys = drawsColumn(draws, names[1], 0);
    bundle.chart(
      'target',
      targetViewOption({
        title: t('mcmc.view.targetDraws'),
        names: [names[0], names[1]],
        grid: { size: meta.size, bounds: meta.bounds, logDensity: field.data },
        points: xs.map((x, c) => ({
          xy: Float64Array.from({ length: 2 * x.length }, (_, i) =>
            i % 2 === 0 ? x[i >> 1] : ys[c][i >> 1],
          ),
          warmupCount: draws.warmup,
        })),
        label: t,
      }),
      'the target’s density contours with every chain’s draws (warm-up faint)',
      squareChart,
    );
  }
}

/** Any other algorithm: one line chart per metric that has a curve (the rest are in summary.json). */
function genericFiles(series: MetricSeries[], bundle: Bundle) {
  for (const s of series) {
    if (!hasCurve([s])) continue;
    const text = metricText(t, s.key);
    bundle.chart(
      bundle.freeBase(s.key),
      metricLineOption({ ...text, series: [{ name: s.key, steps: s.steps, values: s.values }] }),
      `metric "${s.key}" against step`,
    );
  }
}

function datasetOf(store: Store, run: RunInfo): { name: string; hash: string | null } {
  const d = run.datasetId === null ? null : store.getDataset(run.datasetId);
  return { name: run.datasetName, hash: d?.hash ?? null };
}

interface ExportContext {
  appVersion: string;
  exportedAt: string;
}

function readme(
  title: string,
  facts: string[],
  entries: PendingEntry[],
  notes: string[],
  from = '',
): string {
  const lines = [`# ${title}`, '', ...facts.map((f) => `- ${f}`), '', '## Files', ''];
  const listed = [
    ...entries.map((e) => ({ path: e.path.slice(from.length), about: e.about })),
    { path: 'README.md', about: 'this file' },
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const e of listed) lines.push(`- \`${e.path}\`: ${e.about}`);
  if (notes.length) lines.push('', '## Notes', '', ...notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}

/** Every file of one run's export, under `prefix` (`''` or `run-…/`). */
function runEntries(store: Store, run: RunInfo, ctx: ExportContext, prefix = ''): PendingEntry[] {
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
  const series = store.metricSeries(run.id);
  bundle.add(
    'metrics.csv',
    metricsCsv(series),
    `every metric point: one row per step, one column per metric (${series.map((s) => s.key).join(', ') || 'none'}), and wall_ms (milliseconds from the run’s start; wall_ms:<metric> columns follow for metrics reported at other times than the row’s first); an empty cell means no point at that step, NaN a point without a finite value`,
  );
  if (run.algorithm === 'gmm') gmmFiles(store, run, series, bundle, notes);
  else if (run.algorithm === 'gmm-sweep') sweepFiles(store, run, series, bundle, notes);
  else {
    if (run.algorithm === 'mcmc' || run.algorithm === 'hmc') samplingFiles(store, run, bundle);
    if (run.algorithm === 'gan') ganFiles(store, run, bundle);
    galleryFiles(store, run, bundle);
    weightFiles(store, run, bundle);
    genericFiles(series, bundle);
  }
  const facts = [
    `algorithm: ${run.algorithm}`,
    run.datasetId === null && run.datasetName === ''
      ? `target: ${String(run.params.target)} (no data set)`
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
  const seriesOf = runs.map((r) => store.metricSeries(r.id));
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
    const option = metricLineOption({ ...metricText(t, key), series: lines });
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
      `\`${folders[i]}/\`: run ${r.id} “${r.name}” (${r.algorithm} on ${r.datasetName}, seed ${r.seed}, ${r.status}; colour ${colorOf(i)})`,
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
    throw new ApiError('invalid-input', 'a run is listed twice in the comparison');
  const runs = ids.map((id) => {
    const run = store.getRun(id);
    if (!run) throw ApiError.of('not-found', localText('refuse.noRun', { id }));
    return run;
  });
  const ctx = { appVersion, exportedAt: new Date().toISOString() };
  const pending =
    runs.length === 1 ? runEntries(store, runs[0], ctx) : comparisonEntries(store, runs, ctx);
  const entries = await Promise.all(
    pending.map(async (e): Promise<Entry> => ({ ...e, data: await e.data })),
  );
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// ---------------------------------------------------------------- writing

/** File-system refusals that are the folder's fault, not the app's. */
const userErrors = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'ENAMETOOLONG',
  'ENOSPC',
]);

function fsError(e: unknown, what: string): ApiError {
  if (e instanceof ApiError) return e;
  const err = e as NodeJS.ErrnoException;
  return new ApiError(
    err.code && userErrors.has(err.code) ? 'conflict' : 'internal',
    `${what}: ${err.code ?? err.message}`,
  );
}

/** Refuses a folder that is a file, or is not empty (unless overwriting); creates it if asked. */
async function prepareFolder(root: string, overwrite: boolean, create: boolean): Promise<void> {
  let info;
  try {
    info = await stat(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(e, `cannot use ${root}`);
  }
  if (info) {
    if (!info.isDirectory())
      throw ApiError.of('conflict', localText('export.notAFolder', { path: root }));
    const inside = await readdir(root).catch((e: unknown) => {
      throw fsError(e, `cannot read ${root}`);
    });
    if (inside.length > 0 && !overwrite)
      throw ApiError.of('exists', localText('export.notEmpty', { path: root }));
  } else if (create) {
    await mkdir(root, { recursive: true }).catch((e: unknown) => {
      throw fsError(e, `cannot create ${root}`);
    });
  }
}

async function writeEntries(
  dir: string,
  entries: Entry[],
  overwrite: boolean,
): Promise<ExportResult> {
  const root = resolve(dir);
  // Every path is checked before the first byte is written.
  const targets = entries.map((e) => pathInside(root, e.path));
  await prepareFolder(root, overwrite, true);
  const realRoot = await realpath(root);
  // A symbolic link already in the folder must not carry a write outside it: checked for every
  // folder before the first file is written, and again as each file is written.
  const leadsOutside = async (folder: string): Promise<boolean> => {
    const real = await realpath(folder).catch(() => null);
    return real !== null && !isInside(realRoot, real);
  };
  for (const folder of new Set(targets.map((target) => resolve(target, '..'))))
    if (await leadsOutside(folder))
      throw new ApiError(
        'conflict',
        `refusing to export into ${root}: ${relative(root, folder)} is a link that leads outside it; nothing was written`,
      );
  const written: string[] = [];
  try {
    for (const [i, entry] of entries.entries()) {
      const target = targets[i];
      const parent = resolve(target, '..');
      await mkdir(parent, { recursive: true });
      if (await leadsOutside(parent))
        throw new ApiError(
          'conflict',
          `refusing to write "${entry.path}": it leads outside ${root}`,
        );
      const existing = await lstat(target).catch(() => null);
      if (existing?.isSymbolicLink()) await unlink(target);
      else if (existing?.isDirectory())
        throw new ApiError(
          'conflict',
          `cannot write "${entry.path}": a folder of that name exists`,
        );
      await writeFile(target, entry.data);
      written.push(entry.path);
    }
  } catch (e) {
    const err = fsError(e, 'write failed');
    throw new ApiError(
      err.code,
      `export to ${root} stopped after ${written.length} of ${entries.length} files` +
        (written.length ? ` (written: ${written.join(', ')})` : ' (nothing written)') +
        `: ${err.message}`,
    );
  }
  return { dir: root, files: entries.map((e) => e.path).sort() };
}

export async function exportRuns(
  store: Store,
  ids: number[],
  dir: string,
  options: { overwrite: boolean; appVersion: string },
): Promise<ExportResult> {
  // Refuse an occupied folder before drawing anything (and create nothing yet).
  await prepareFolder(resolve(dir), options.overwrite, false);
  const entries = await buildExport(store, ids, options.appVersion);
  return writeEntries(dir, entries, options.overwrite);
}

export async function exportRunsZip(
  store: Store,
  ids: number[],
  options: { appVersion: string },
): Promise<{ fileName: string; data: Uint8Array }> {
  const entries = await buildExport(store, ids, options.appVersion);
  const files: Zippable = {};
  for (const e of entries)
    files[e.path] = [
      typeof e.data === 'string' ? strToU8(e.data) : e.data,
      // PNGs are compressed already.
      { level: e.path.endsWith('.png') ? 0 : 6 },
    ];
  const fileName =
    ids.length === 1 ? `latent-lab-run-${ids[0]}.zip` : `latent-lab-compare-${ids.join('-')}.zip`;
  return { fileName, data: zipSync(files) };
}

// ---------------------------------------------------------------- import

const endedStatuses = ['completed', 'failed', 'cancelled', 'interrupted'] as const;
type EndedStatus = (typeof endedStatuses)[number];

const paramsFileSchema = z.object({
  algorithm: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  seed: z.number().int().min(0),
  backend: z.string().nullable(),
  dataset: z.object({ name: z.string(), hash: z.string().nullable() }),
  // Empty for a run that took no data set (a sampler of a fixed target).
  columns: z.array(z.string()),
  appVersion: z.string(),
  exportedAt: z.string(),
  run: z.object({
    id: z.number().int(),
    name: z.string().min(1).max(200),
    status: z.enum(runStatuses),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    tags: z.array(z.string().max(40)).max(20),
    note: z.string().max(10_000),
    notes: z.array(z.string()),
    error: z.string().nullable().optional(),
    progress: z.number().min(0).max(1).optional(),
  }),
});

const summaryFileSchema = z.record(z.string(), z.unknown()).nullable();

const gmmModelSchema = gmmSummarySchema.extend({ snapshotStep: z.number().int().optional() });
const sweepModelSchema = z.object({
  best: z.unknown(),
  fits: z.array(sweepFitMetaSchema.extend({ fit: z.number().int().min(0) })),
});

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'value'}: ${i.message}`)
    .join('; ');
}

async function readText(root: string, name: string, optional = false): Promise<string | null> {
  try {
    return await readFile(pathInside(root, name), 'utf8');
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ApiError(
      'bad-data',
      `${name}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
}

/** target-density.json: a 2-D sampler target's log density on its grid (see samplingFiles). */
const targetDensitySchema = z
  .object({
    role: z.literal('target'),
    names: z.array(z.string()).length(2),
    size: z.number().int().min(2).max(1000),
    bounds: z
      .array(z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo < hi, 'low < high'))
      .length(2),
    truth: z
      .object({ mean: z.array(z.number()).length(2), variance: z.array(z.number()).length(2) })
      .nullable(),
    starts: z.array(z.array(z.number()).length(2)),
    logDensity: z.array(z.number().nullable()),
  })
  .refine((d) => d.logDensity.length === d.size * d.size, {
    message: 'logDensity must hold size × size values',
    path: ['logDensity'],
  });

function parseJsonFile<T>(name: string, text: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ApiError('bad-data', `${name}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError('bad-data', `${name}: ${issuesText(parsed.error)}`);
  return parsed.data;
}

const numberPattern = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** metrics.csv back into points; every cell checked, errors name the line. */
export function parseMetricsCsv(text: string, name = 'metrics.csv'): MetricPoint[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), {
    delimiter: ',',
    skipEmptyLines: true,
  });
  const bad = (line: number, why: string) =>
    new ApiError('bad-data', `${name}, line ${line}: ${why}`);
  if (parsed.errors.length) throw bad((parsed.errors[0].row ?? 0) + 1, parsed.errors[0].message);
  const [header, ...rows] = parsed.data;
  // step, <metric>…, wall_ms, then optionally wall_ms:<metric>… (see metricsCsv).
  let wallAt = (header?.length ?? 0) - 1;
  while (wallAt > 0 && header[wallAt].startsWith('wall_ms:')) wallAt--;
  if (!header || header[0] !== 'step' || header[wallAt] !== 'wall_ms' || wallAt < 1)
    throw bad(1, 'the header must be step,<metric>,…,wall_ms');
  const keys = header.slice(1, wallAt);
  if (keys.some((k) => k === '')) throw bad(1, 'a metric column has no name');
  if (new Set(keys).size !== keys.length) throw bad(1, 'a metric column appears twice');
  const ownWall = new Map<string, number>();
  header.slice(wallAt + 1).forEach((name, j) => {
    const key = name.slice('wall_ms:'.length);
    if (!keys.includes(key) || ownWall.has(key))
      throw bad(1, `column "${name}" does not name a metric of this file once`);
    ownWall.set(key, wallAt + 1 + j);
  });
  const points: MetricPoint[] = [];
  const seen = new Set<number>();
  rows.forEach((row, r) => {
    const line = r + 2;
    if (row.length !== header.length)
      throw bad(line, `${row.length} fields where the header has ${header.length}`);
    const num = (cell: string, what: string): number => {
      if (!numberPattern.test(cell)) throw bad(line, `${what} "${cell}" is not a number`);
      return Number(cell);
    };
    const step = num(row[0], 'step');
    if (!Number.isSafeInteger(step)) throw bad(line, `step "${row[0]}" is not an integer`);
    if (seen.has(step)) throw bad(line, `step ${step} appears twice`);
    seen.add(step);
    const values = keys.map((key, j) => {
      const cell = row[j + 1];
      if (cell === '') return null;
      return { key, value: cell === 'NaN' ? NaN : num(cell, `"${key}"`) };
    });
    if (values.every((v) => v === null)) return;
    const rowWall = row[wallAt] === '' ? 0 : num(row[wallAt], 'wall_ms');
    for (const v of values) {
      if (!v) continue;
      const own = ownWall.get(v.key);
      const wallMs = own === undefined || row[own] === '' ? rowWall : num(row[own], header[own]);
      points.push({ step, key: v.key, value: v.value, wallMs });
    }
  });
  return points;
}

export async function importRunFolder(store: Store, dir: string): Promise<RunInfo> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory())
    throw ApiError.of('bad-data', localText('import.notAFolder', { path: root }));
  const paramsText = await readText(root, 'params.json', true);
  if (paramsText === null) {
    const comparison = await readText(root, 'comparison.json', true);
    throw ApiError.of(
      'bad-data',
      localText(comparison === null ? 'import.notARunFolder' : 'import.comparisonFolder', {
        path: root,
      }),
    );
  }
  const meta = parseJsonFile('params.json', paramsText, paramsFileSchema);
  const spec = algorithmSpecs[meta.algorithm];
  if (!spec) throw new ApiError('bad-data', `params.json: unknown algorithm "${meta.algorithm}"`);
  const params = spec.params.safeParse(meta.params);
  if (!params.success)
    throw new ApiError('bad-data', `params.json: params: ${issuesText(params.error)}`);
  const summary = parseJsonFile(
    'summary.json',
    (await readText(root, 'summary.json'))!,
    summaryFileSchema,
  );
  const points = parseMetricsCsv((await readText(root, 'metrics.csv'))!);

  // model.json is validated (a folder with a broken one is refused) and, for mixtures, kept as
  // `mixture` artifacts so the imported run's page can draw the fit.
  const modelText = await readText(root, 'model.json', true);
  const artifacts: { kind: ArtifactKind; step: number; meta: unknown; data?: Float64Array }[] = [];
  if (modelText !== null) {
    if (meta.algorithm === 'gmm') {
      const m = parseJsonFile('model.json', modelText, gmmModelSchema);
      const lastStep = points.reduce((s, p) => Math.max(s, p.step), 0);
      artifacts.push({
        kind: 'mixture',
        step: m.snapshotStep ?? lastStep,
        meta: { weights: m.weights, means: m.means, covariances: m.covariances },
      });
    } else if (meta.algorithm === 'gmm-sweep') {
      const m = parseJsonFile('model.json', modelText, sweepModelSchema);
      for (const { fit, ...fitMeta } of m.fits)
        artifacts.push({ kind: 'mixture', step: fit, meta: fitMeta });
    } else parseJsonFile('model.json', modelText, z.unknown());
  }

  // A sampler's draws come back as one chunk, so its page shows traces and diagnostics again.
  const drawsText =
    meta.algorithm === 'mcmc' || meta.algorithm === 'hmc'
      ? await readText(root, 'draws.csv', true)
      : null;
  if (drawsText !== null) {
    let parsed: ReturnType<typeof parseDrawsCsv>;
    try {
      parsed = parseDrawsCsv(drawsText);
    } catch (e) {
      throw new ApiError('bad-data', `draws.csv: ${(e as Error).message}`);
    }
    artifacts.push({ kind: 'draws', step: parsed.meta.count - 1, ...parsed });
    const densityText = await readText(root, 'target-density.json', true);
    if (densityText !== null) {
      const { logDensity, ...fieldMeta } = parseJsonFile(
        'target-density.json',
        densityText,
        targetDensitySchema,
      );
      // The density of these draws: the same two parameters, by name.
      const drawn = parsed.meta.names.slice(samplerStats.length);
      if (drawn.length !== 2 || drawn.some((n, i) => n !== fieldMeta.names[i]))
        throw new ApiError(
          'bad-data',
          `target-density.json: its parameters (${fieldMeta.names.join(', ')}) are not those of draws.csv (${drawn.join(', ')})`,
        );
      artifacts.push({
        kind: 'field2d',
        step: 0,
        meta: fieldMeta,
        data: Float64Array.from(logDensity, (v) => v ?? -Infinity),
      });
    }
  }

  const status: EndedStatus = (endedStatuses as readonly RunStatus[]).includes(meta.run.status)
    ? (meta.run.status as EndedStatus)
    : 'interrupted';
  const dataset = meta.dataset.hash
    ? (store.listDatasets().find((d) => d.hash === meta.dataset.hash) ?? null)
    : null;
  try {
    return store.insertImportedRun(
      {
        name: meta.run.name,
        algorithm: meta.algorithm,
        datasetId: dataset?.id ?? null,
        datasetName: meta.dataset.name,
        columns: meta.columns,
        params: params.data as ParamValues,
        seed: meta.seed,
        backend: meta.backend,
        status,
        progress: status === 'completed' ? 1 : (meta.run.progress ?? 0),
        error:
          meta.run.error ??
          (status !== meta.run.status ? `exported while ${meta.run.status}` : null),
        notes: [...meta.run.notes, `imported from ${root}`],
        tags: meta.run.tags,
        note: meta.run.note,
        summary,
        startedAt: meta.run.startedAt,
        finishedAt: meta.run.finishedAt,
      },
      points,
      artifacts,
    );
  } catch (e) {
    throw new ApiError('internal', `import failed, nothing was stored: ${(e as Error).message}`);
  }
}
