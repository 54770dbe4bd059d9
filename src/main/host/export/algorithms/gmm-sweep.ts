/**
 * A model-selection sweep of Gaussian mixtures: BIC and AIC against K, every fitted mixture
 * (model.json) and the best fit over the data; on import, every fit comes back as a `mixture`
 * artifact so each stays openable.
 */
import { z } from 'zod';
import { mixtureSchema } from '../../../../shared/artifacts';
import { metricLineOption } from '../../../../shared/charts';
import { optionLabel } from '../../../../shared/i18n';
import type { RunExporter } from '../exporter';
import { runTable } from '../../run-data';
import { checkMixture } from './mixture-file';
import { mixtureCharts } from './shared-files';

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

const sweepModelSchema = z.object({
  best: z.unknown(),
  fits: z.array(sweepFitMetaSchema.extend({ fit: z.number().int().min(0) })),
});

export const gmmSweepExporter: RunExporter = {
  files(ctx) {
    const { store, run, series, bundle, notes, t } = ctx;
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
    const data = runTable(store, run);
    if (!data) {
      notes.push(
        `No chart of the best fit: the data set "${run.datasetName}" is no longer in the library.`,
      );
      return;
    }
    mixtureCharts(
      ctx,
      data,
      bestFit,
      'best-fit',
      `${t('sweep.fitTitle', { k: bestFit.k, type: optionLabel(t, 'covarianceType', bestFit.covarianceType) })} (${t('sweep.best')})`,
      `the best fit by BIC (K = ${bestFit.k}, ${bestFit.covarianceType}): `,
    );
  },

  async importArtifacts(folder, { columns }) {
    const m = await folder.optionalJson('model.json', sweepModelSchema);
    for (const fit of m?.fits ?? []) checkMixture('model.json', fit, columns);
    return (m?.fits ?? []).map(({ fit, ...fitMeta }) => ({
      kind: 'mixture' as const,
      step: fit,
      meta: fitMeta,
    }));
  },
};
