import { useMemo, useState } from 'react';
import type { ImageGridMeta, Points2dMeta } from '../../../shared/algorithms/vae';
import { isActiveStatus, type StoredArtifact } from '../../../shared/api';
import type { ArtifactKind } from '../../../shared/artifacts';
import { metricLineOption, points2dOption } from '../../../shared/charts';
import { useRunArtifacts } from '../hooks/useRunData';
import { useI18n } from '../i18n';
import { ChartOrWaiting } from './ChartOrWaiting';
import { EChart } from './EChart';
import { ImageGrid } from './ImageGrid';
import type { RunPanelProps } from '../algorithms/types';

const KINDS: readonly ArtifactKind[] = ['image-grid', 'points2d'];
const ROLES = ['reconstructions', 'samples', 'manifold'] as const;

export function sortedSteps(series: Map<number, number> | undefined): number[] {
  return [...(series?.keys() ?? [])].sort((a, b) => a - b);
}

/** The newest artifact of a role at or before `step` (the newest of all without one). */
export function latestOf(
  list: StoredArtifact[],
  kind: ArtifactKind,
  role: string,
  step?: number,
): StoredArtifact | null {
  let found: StoredArtifact | null = null;
  for (const a of list)
    if (
      a.kind === kind &&
      (a.meta as { role?: string } | null)?.role === role &&
      a.data &&
      (step === undefined || a.step <= step)
    )
      found = a; // the list is in step order
  return found;
}

/**
 * The galleries of a run at one step: the steps that have one, the step shown (the newest until
 * the user picks one on the slider) and each role's picture there.
 */
export function useGalleries<R extends string>(artifacts: StoredArtifact[], roles: readonly R[]) {
  const gallerySteps = useMemo(
    () => [...new Set(artifacts.filter((a) => a.kind === 'image-grid').map((a) => a.step))],
    [artifacts],
  );
  const [chosen, setChosen] = useState<number | null>(null);
  const shownStep = chosen ?? gallerySteps.at(-1);
  const grids = roles
    .map((role) => ({
      role,
      artifact: shownStep === undefined ? null : latestOf(artifacts, 'image-grid', role, shownStep),
    }))
    .filter((g) => g.artifact !== null);
  return { gallerySteps, chosen, setChosen, shownStep, grids };
}

/**
 * A slider over the steps that have galleries; `chosen` null follows the newest. Shared by the
 * image models' panels.
 */
export function GalleryStepSlider({
  steps,
  chosen,
  onChoose,
}: {
  steps: number[];
  chosen: number | null;
  onChoose(step: number | null): void;
}) {
  const { t } = useI18n();
  if (steps.length < 2) return null;
  const shown = chosen ?? steps.at(-1)!;
  return (
    <div className="snapshot-bar">
      <input
        type="range"
        min={0}
        max={steps.length - 1}
        value={steps.indexOf(shown)}
        onChange={(e) => {
          const i = Number(e.target.value);
          onChoose(i === steps.length - 1 ? null : steps[i]);
        }}
        aria-label={t('vae.gallery.step')}
        data-testid="gallery-slider"
      />
      <span className="muted">
        {t('vae.gallery.step')} {shown}
        {chosen === null && ` (${t('run.view.latest')})`}
      </span>
    </div>
  );
}

/** A VAE's run: losses per step and per epoch, galleries with a step slider, latent means. */
export function VaePanel({ run, metrics, data }: RunPanelProps) {
  const { t } = useI18n();
  const streaming = run.status === 'running';
  const artifacts = useRunArtifacts(run.id, !isActiveStatus(run.status), KINDS);

  const loss = metrics.get('loss');
  const recon = metrics.get('recon');
  const kl = metrics.get('kl');
  const lossOption = useMemo(() => {
    // Each metric on its own steps (a long run's arrive thinned apart, each with its extremes).
    const line = (name: string, m: Map<number, number> | undefined) => {
      const steps = sortedSteps(m);
      return { name, steps, values: steps.map((s) => m!.get(s)!) };
    };
    return metricLineOption({
      title: t('vae.chart.loss'),
      xName: t('vae.chart.step'),
      yName: t('vae.chart.nats'),
      series: [
        line(t('vae.metric.loss'), loss),
        line(t('vae.metric.recon'), recon),
        line(t('vae.metric.kl'), kl),
      ],
    });
  }, [loss, recon, kl, t]);

  const epochLoss = metrics.get('epochLoss');
  const testLoss = metrics.get('testLoss');
  const epochOption = useMemo(() => {
    // Epoch metrics are stored at the epoch's last step; plot them against the epoch number.
    const steps = sortedSteps(epochLoss);
    const epochs = steps.map((_, i) => i + 1);
    const series = [
      {
        name: t('vae.metric.epochLoss'),
        steps: epochs,
        values: steps.map((s) => epochLoss!.get(s)!),
      },
    ];
    if (testLoss)
      series.unshift({
        name: t('vae.metric.testLoss'),
        steps: epochs,
        values: steps.map((s) => testLoss.get(s) ?? NaN),
      });
    return metricLineOption({
      title: t('vae.chart.epochs'),
      xName: t('vae.chart.epoch'),
      yName: t('vae.chart.nats'),
      series,
    });
  }, [epochLoss, testLoss, t]);

  const active = metrics.get('activeUnits');
  const activeNow = active ? active.get(sortedSteps(active).at(-1)!) : undefined;

  // Galleries: a slider over the steps that have one; null follows the newest.
  const { gallerySteps, chosen, setChosen, grids } = useGalleries(artifacts, ROLES);

  const latent = latestOf(artifacts, 'points2d', 'latent-means');
  const latentOption = useMemo(() => {
    if (!latent) return null;
    const meta = latent.meta as Points2dMeta;
    return points2dOption({
      title: t('vae.latent.title'),
      points: latent.data!,
      count: meta.count,
      stride: meta.stride,
      axisNames: meta.axisNames ?? ['z1', 'z2'],
      label: t,
      name: t('vae.latent.rows'),
    });
  }, [latent, t]);
  const latentMeta = latent?.meta as Points2dMeta | undefined;

  const samples = latestOf(artifacts, 'points2d', 'samples');
  const samplesOption = useMemo(() => {
    if (!samples) return null;
    const meta = samples.meta as Points2dMeta;
    return points2dOption({
      title: t('vae.samples.title'),
      points: samples.data!,
      count: meta.count,
      stride: meta.stride,
      axisNames: meta.axisNames ?? [run.columns[0] ?? 'x1', run.columns[1] ?? 'x2'],
      label: t,
      name: t('vae.samples.name'),
      under: data ? { name: t('run.view.data'), values: data.values, cols: data.cols } : null,
    });
  }, [samples, data, run.columns, t]);

  return (
    <>
      <div className="two-col">
        <section className="card">
          <EChart option={lossOption} testId="vae-loss-chart" minIntervalMs={streaming ? 250 : 0} />
          <p className="muted" data-testid="vae-steps">
            {t('vae.chart.step')} {sortedSteps(loss).at(-1) ?? 0}
          </p>
        </section>
        <section className="card">
          <ChartOrWaiting
            ready={Boolean(epochLoss?.size)}
            waiting={t('chart.waitingEpoch')}
            option={epochOption}
            testId="vae-epoch-chart"
          />
          {activeNow !== undefined && (
            <p className="muted" data-testid="active-units">
              {t('vae.activeUnits', { n: activeNow, total: Number(run.params.latentDim) })}
            </p>
          )}
        </section>
      </div>
      <div className="two-col">
        {grids.length > 0 && (
          <section className="card" data-testid="vae-galleries">
            {grids.map(({ role, artifact }) => (
              <figure key={role} className="gallery">
                <figcaption>{t(`vae.gallery.${role}`)}</figcaption>
                <ImageGrid
                  meta={artifact!.meta as ImageGridMeta}
                  data={artifact!.data as Uint8Array}
                  testId={`gallery-${role}`}
                />
              </figure>
            ))}
            <GalleryStepSlider steps={gallerySteps} chosen={chosen} onChoose={setChosen} />
          </section>
        )}
        {samplesOption && (
          <section className="card">
            <EChart
              option={samplesOption}
              testId="vae-samples-view"
              minIntervalMs={streaming ? 500 : 0}
            />
            <p className="muted">{t('vae.gallery.none')}</p>
          </section>
        )}
        {latentOption && (
          <section className="card">
            <EChart
              option={latentOption}
              height={420}
              testId="vae-latent-view"
              minIntervalMs={streaming ? 500 : 0}
            />
            {latentMeta?.projection === 'pca' && latentMeta.explained && (
              <p className="muted">
                {t('vae.latent.pca', {
                  dims: Number(run.params.latentDim),
                  a: (latentMeta.explained[0] * 100).toFixed(1),
                  b: (latentMeta.explained[1] * 100).toFixed(1),
                })}
              </p>
            )}
          </section>
        )}
      </div>
    </>
  );
}
