import { useMemo } from 'react';
import type { HistogramMeta } from '../../../shared/algorithms/rbm';
import type { ImageGridMeta } from '../../../shared/algorithms/vae';
import { isActiveStatus } from '../../../shared/api';
import type { ArtifactKind } from '../../../shared/artifacts';
import { histogramOption, metricLineOption } from '../../../shared/charts';
import { useRunArtifacts } from '../hooks/useRunData';
import { useI18n } from '../i18n';
import { fmt } from '../format';
import { ChartOrWaiting } from './ChartOrWaiting';
import { EChart } from './EChart';
import { ImageGrid } from './ImageGrid';
import { GalleryStepSlider, latestOf, sortedSteps, useGalleries } from './VaePanel';
import type { RunPanelProps } from '../algorithms/types';

const KINDS: readonly ArtifactKind[] = ['image-grid', 'histogram'];
const ROLES = ['filters', 'fantasy', 'reconstructions'] as const;

type T = ReturnType<typeof useI18n>['t'];

/**
 * Training and test curves of one monitor. Epoch monitors are stored at the epoch's last step;
 * they are plotted against the epoch number.
 */
function epochOption(
  t: T,
  title: string,
  yName: string,
  train: Map<number, number> | undefined,
  test: Map<number, number> | undefined,
) {
  const steps = sortedSteps(train);
  const epochs = steps.map((_, i) => i + 1);
  const series = [
    { name: t('rbm.metric.train'), steps: epochs, values: steps.map((s) => train!.get(s)!) },
  ];
  if (test)
    series.push({
      name: t('rbm.metric.test'),
      steps: epochs,
      values: steps.map((s) => test.get(s) ?? NaN),
    });
  return metricLineOption({ title, xName: t('rbm.chart.epoch'), yName, series });
}

/**
 * An RBM's run: per-epoch monitors (reconstruction error, exact pseudo-log-likelihood, free
 * energy of training versus test rows), galleries with a step slider, the hidden-probability
 * histogram, the AIS log-likelihood, and the saved model's Gibbs chains once it has ended.
 */
export function RbmPanel({ run, metrics }: RunPanelProps) {
  const { t } = useI18n();
  const artifacts = useRunArtifacts(run.id, !isActiveStatus(run.status), KINDS);

  const recon = metrics.get('reconError');
  const testRecon = metrics.get('testReconError');
  const pll = metrics.get('trainPll');
  const testPll = metrics.get('testPll');
  const fe = metrics.get('trainFreeEnergy');
  const testFe = metrics.get('testFreeEnergy');
  const reconOption = useMemo(
    () => epochOption(t, t('rbm.chart.recon'), '', recon, testRecon),
    [recon, testRecon, t],
  );
  const pllOption = useMemo(
    () => (pll ? epochOption(t, t('rbm.chart.pll'), t('rbm.chart.nats'), pll, testPll) : null),
    [pll, testPll, t],
  );
  const feOption = useMemo(
    () => epochOption(t, t('rbm.chart.freeEnergy'), '', fe, testFe),
    [fe, testFe, t],
  );

  const { gallerySteps, chosen, setChosen, shownStep, grids } = useGalleries(artifacts, ROLES);

  const histogram = latestOf(artifacts, 'histogram', 'hidden-activations', shownStep);
  const histogramChart = useMemo(() => {
    if (!histogram) return null;
    const meta = histogram.meta as HistogramMeta;
    return histogramOption({
      title: t('rbm.histogram'),
      xName: 'p(h=1|v)',
      yName: t('rbm.histogram.count'),
      counts: histogram.data as Float64Array,
      range: meta.range,
    });
  }, [histogram, t]);

  const logZ = metrics.get('logZ');
  const aisStep = logZ ? sortedSteps(logZ).at(-1) : undefined;
  const ll = aisStep !== undefined ? metrics.get('testLogLikelihood')?.get(aisStep) : undefined;

  return (
    <>
      <div className="two-col">
        {pllOption && (
          <section className="card">
            <EChart option={pllOption} testId="rbm-pll-chart" />
          </section>
        )}
        <section className="card">
          <ChartOrWaiting
            ready={Boolean(fe?.size)}
            waiting={t('chart.waitingEpoch')}
            option={feOption}
            testId="rbm-free-energy-chart"
          />
        </section>
        <section className="card">
          <ChartOrWaiting
            ready={Boolean(recon?.size)}
            waiting={t('chart.waitingEpoch')}
            option={reconOption}
            testId="rbm-recon-chart"
          />
          {aisStep !== undefined && (
            <p data-testid="rbm-ais">
              {t('rbm.ais', {
                logZ: fmt(logZ!.get(aisStep)!),
                std: fmt(metrics.get('logZStd')?.get(aisStep) ?? NaN, 2),
                ll: ll === undefined ? '—' : fmt(ll),
              })}
            </p>
          )}
        </section>
        {histogramChart && (
          <section className="card">
            <EChart option={histogramChart} testId="rbm-histogram" />
          </section>
        )}
      </div>
      {grids.length > 0 && (
        <section className="card" data-testid="rbm-galleries">
          <div className="two-col">
            {grids.map(({ role, artifact }) => (
              <figure key={role} className="gallery">
                <figcaption>{t(`rbm.gallery.${role}`)}</figcaption>
                <ImageGrid
                  meta={artifact!.meta as ImageGridMeta}
                  data={artifact!.data as Uint8Array}
                  testId={`gallery-${role}`}
                />
              </figure>
            ))}
          </div>
          <GalleryStepSlider steps={gallerySteps} chosen={chosen} onChoose={setChosen} />
        </section>
      )}
    </>
  );
}
