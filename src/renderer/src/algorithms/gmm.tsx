import { mixtureSchema, type Mixture } from '../../../shared/artifacts';
import { GmmPanel, MixtureView, mixtureOf } from '../components/GmmViews';
import { UseModel } from '../components/UseModel';
import { fmt } from '../format';
import { useI18n } from '../i18n';
import type { AlgorithmView, CompareViewProps, RunTable } from './types';
import type { RunInfo } from '../../../shared/api';

function MixtureTable({ mixture, columns }: { mixture: Mixture; columns: string[] }) {
  const { t } = useI18n();
  return (
    <div className="table-wide">
      <table className="data-table params-table" data-testid="mixture-table">
        <thead>
          <tr>
            <th>{t('summary.component')}</th>
            <th>{t('summary.weight')}</th>
            <th>
              {t('summary.mean')} ({columns.join(', ')})
            </th>
            <th>{t('summary.covariance')}</th>
          </tr>
        </thead>
        <tbody>
          {mixture.weights.map((w, k) => (
            <tr key={k}>
              <td>{k + 1}</td>
              <td>{fmt(w)}</td>
              <td>{mixture.means[k].map((v) => fmt(v)).join(', ')}</td>
              <td>
                <code className="matrix">
                  {mixture.covariances[k]
                    .map((row) => row.map((v) => fmt(v)).join('  '))
                    .join('\n')}
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The final mixture's components, under the result table. */
function FittedComponents({ run }: { run: RunInfo }) {
  const fitted = mixtureSchema.safeParse(run.summary);
  return fitted.success ? <MixtureTable mixture={fitted.data} columns={run.columns} /> : null;
}

/** A completed fit: score a CSV, draw samples, or sample its density with NUTS. */
function GmmUseModel({ run, data }: { run: RunInfo; data: RunTable }) {
  const { t } = useI18n();
  if (run.status !== 'completed') return null;
  return (
    <>
      <UseModel run={run} data={data} />
      <p>
        <a href={`#/new?sampleGmm=${run.id}`} data-testid="sample-fit">
          {t('run.sampleFit')}
        </a>
      </p>
    </>
  );
}

function MixtureSnapshot({ run, artifact, data, title }: CompareViewProps) {
  return (
    <MixtureView
      // needsData: the page hands this view only runs whose data set is there.
      data={data!}
      columns={run.columns}
      mixture={mixtureOf(artifact)}
      coloring="label"
      title={title}
    />
  );
}

export const gmmView: AlgorithmView = {
  stepArtifactKind: 'mixture',
  Panel: GmmPanel,
  UseModel: GmmUseModel,
  summaryRows: ['covarianceType', 'meanLogLikelihood', 'bic', 'aic', 'iterations', 'converged'],
  // The engine counts restarts from 0; people count them from 1.
  summaryFormats: { bestInit: (v) => String(Number(v) + 1) },
  summaryExtras(summary, t) {
    const restarts = summary.initLogLikelihoods as number[] | undefined;
    if (!restarts || restarts.length <= 1) return null;
    return (
      <tr>
        <th>{t('summary.restarts')}</th>
        <td>
          {restarts.length} ({Number(summary.bestInit) + 1})
        </td>
      </tr>
    );
  },
  ResultDetail: FittedComponents,
  phases: { init: 'run.phase.init', 'e-step': 'run.phase.e-step', 'm-step': 'run.phase.m-step' },
  compare: { kind: 'mixture', View: MixtureSnapshot, needsData: true, title: 'compare.visuals' },
};
