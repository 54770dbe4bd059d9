/**
 * A Gaussian mixture fitted by EM: the log-likelihood chart, the fitted mixture (model.json) and
 * the fit over the data; on import, model.json comes back as a `mixture` artifact so the
 * imported run's page can draw the fit.
 */
import { z } from 'zod';
import { covarianceTypes } from '../../../../shared/algorithms/gmm';
import { mixtureSchema, type Mixture } from '../../../../shared/artifacts';
import { metricLineOption, pairsOption } from '../../../../shared/charts';
import { ApiError } from '../../../../shared/api';
import { localText } from '../../../../shared/i18n';
import { squareChart } from '../bundle';
import { checkMixture } from './mixture-file';
import type { RunExporter } from '../exporter';
import { runTable } from '../../run-data';
import { mixtureCharts } from './shared-files';
import { keptStartingMixture, sklearnFiles } from './gmm-sklearn';

const gmmSummarySchema = mixtureSchema.extend({
  covarianceType: z.enum(covarianceTypes),
});

const gmmModelSchema = gmmSummarySchema.extend({ snapshotStep: z.number().int().optional() });

export const gmmExporter: RunExporter = {
  files(ctx) {
    const { store, run, series, bundle, notes, t } = ctx;
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
    const data = runTable(store, run);
    // Export as code: the same fit in scikit-learn, from the kept restart's starting mixture.
    const kept = typeof run.summary?.bestInit === 'number' ? run.summary.bestInit : 0;
    const noScript = sklearnFiles(bundle, run, data, keptStartingMixture(store, run.id, kept));
    if (noScript) notes.push(noScript);
    if (!mixture) return;
    if (!data) {
      notes.push(
        `No mixture chart: the data set "${run.datasetName}" is no longer in the library, so the fit cannot be drawn over its data.`,
      );
      return;
    }
    mixtureCharts(ctx, data, mixture, 'mixture', null);
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
  },

  async importArtifacts(folder, { lastStep, columns, summary }) {
    // A completed run's summary is its fitted mixture ("use the model" reads it).
    if (summary && 'weights' in summary) {
      const fitted = gmmSummarySchema.safeParse(summary);
      if (!fitted.success)
        throw ApiError.of(
          'bad-data',
          localText('import.badContent', {
            file: 'summary.json',
            issues: fitted.error.issues
              .slice(0, 3)
              .map((i) => `${i.path.join('.')}: ${i.message}`)
              .join('; '),
          }),
        );
      checkMixture('summary.json', fitted.data, columns);
    }
    const m = await folder.optionalJson('model.json', gmmModelSchema);
    if (!m) return [];
    checkMixture('model.json', m, columns);
    return [
      {
        kind: 'mixture',
        step: m.snapshotStep ?? lastStep,
        meta: { weights: m.weights, means: m.means, covariances: m.covariances },
      },
    ];
  },
};
