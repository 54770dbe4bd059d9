/**
 * MCMC and HMC (one sampling module, one exporter): every draw, the diagnostics, trace plots and
 * for a 2-D target its density with the draws, then the generic files; on import, the draws (and the 2-D target's
 * density) come back, so the imported run's page shows traces and diagnostics again.
 */
import { z } from 'zod';
import { ApiError } from '../../../../shared/api';
import {
  assembleDraws,
  drawsColumn,
  drawsCsvLines,
  parameterNames,
  parseDrawsCsv,
  samplerStats,
  type TargetFieldMeta,
} from '../../../../shared/draws';
import { localText } from '../../../../shared/i18n';
import { diagnosticThresholds } from '../../../../shared/mcmc-diagnostics';
import { targetViewOption, traceOption } from '../../../../shared/sampling-charts';
import { squareChart } from '../bundle';
import type { ImportedArtifact, RunExporter, RunFilesContext } from '../exporter';
import { genericFiles } from './shared-files';

/** Trace plots drawn for at most this many parameters (the CSV has them all). */
const MAX_TRACE_CHARTS = 6;

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

function samplingFiles({ store, run, bundle, t }: RunFilesContext): void {
  const draws = assembleDraws(store.listArtifacts(run.id, 'draws'));
  if (!draws) return;
  bundle.add(
    'draws.csv',
    { chunks: () => drawsCsvLines(draws) },
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

/** Draws and their statistics are finite; energy__ is NaN for samplers without an energy. */
function refuseNonFiniteDraws(names: string[], data: Float64Array): void {
  const stride = names.length;
  const energy = names.indexOf('energy__');
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isFinite(v) || (Number.isNaN(v) && i % stride === energy)) continue;
    throw ApiError.of(
      'bad-data',
      localText('import.drawsNotFinite', {
        line: Math.floor(i / stride) + 2,
        name: names[i % stride],
        value: String(v),
      }),
    );
  }
}

export const samplingExporter: RunExporter = {
  files(ctx) {
    samplingFiles(ctx);
    genericFiles(ctx);
  },

  async importArtifacts(folder) {
    const drawsText = await folder.optionalText('draws.csv');
    if (drawsText === null) return [];
    let parsed: ReturnType<typeof parseDrawsCsv>;
    try {
      parsed = parseDrawsCsv(drawsText);
    } catch (e) {
      throw ApiError.of(
        'bad-data',
        localText('import.badFile', { file: 'draws.csv', reason: (e as Error).message }),
      );
    }
    refuseNonFiniteDraws(parsed.meta.names, parsed.data);
    const artifacts: ImportedArtifact[] = [
      { kind: 'draws', step: parsed.meta.count - 1, ...parsed },
    ];
    const density = await folder.optionalJson('target-density.json', targetDensitySchema);
    if (density !== null) {
      const { logDensity, ...fieldMeta } = density;
      // The density of these draws: the same two parameters, by name.
      const drawn = parsed.meta.names.slice(samplerStats.length);
      if (drawn.length !== 2 || drawn.some((n, i) => n !== fieldMeta.names[i]))
        throw ApiError.of(
          'bad-data',
          localText('import.densityNotOfDraws', {
            names: fieldMeta.names.join(', '),
            drawn: drawn.join(', '),
          }),
        );
      artifacts.push({
        kind: 'field2d',
        step: 0,
        meta: fieldMeta,
        data: Float64Array.from(logDensity, (v) => v ?? -Infinity),
      });
    }
    return artifacts;
  },
};
