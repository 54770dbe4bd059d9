import { useMemo, useState } from 'react';
import type { GanFieldMeta, GanPointsMeta } from '../../../shared/algorithms/gan';
import type { ImageGridMeta } from '../../../shared/algorithms/vae';
import { isActiveStatus, type RunInfo } from '../../../shared/api';
import type { ArtifactKind } from '../../../shared/artifacts';
import { metricLineOption, points2dOption } from '../../../shared/charts';
import { ganViewOption } from '../../../shared/gan-charts';
import { readGanModel } from '../../../shared/gan-model';
import { toImageGrid } from '../../../shared/image-grid';
import { downloadCsv } from '../download';
import { useRunArtifacts } from '../hooks/useRunData';
import { useSavedModel } from '../hooks/useSavedModel';
import { useI18n } from '../i18n';
import { ChartOrWaiting } from './ChartOrWaiting';
import { EChart } from './EChart';
import type { RunPanelProps } from '../algorithms/types';
import { ImageGrid } from './ImageGrid';
import { NumberInput } from './NumberInput';
import { latestOf, sortedSteps } from './VaePanel';

const KINDS: readonly ArtifactKind[] = ['field2d', 'points2d', 'image-grid'];
const GENERATED_COUNT = 64;
/** Points drawn by a saved 2-D generator. */
const GENERATED_POINTS = 1000;

type Metrics = RunPanelProps['metrics'];

/**
 * Each metric on its own steps: a long run's metrics arrive thinned apart (each keeps its own
 * extremes), so one metric's steps looked up in another would be mostly gaps.
 */
function lines(metrics: Metrics, keys: { key: string; name: string }[]) {
  return keys.map(({ key, name }) => {
    const m = metrics.get(key);
    const steps = sortedSteps(m);
    return { name, steps, values: steps.map((s) => m!.get(s)!) };
  });
}

/** A GAN's run: losses and D's outputs, 2-D quality, the animated 2-D view or image galleries. */
export function GanPanel({ run, metrics }: RunPanelProps) {
  const { t } = useI18n();
  const streaming = run.status === 'running';
  const artifacts = useRunArtifacts(run.id, !isActiveStatus(run.status), KINDS);
  const dLoss = metrics.get('dLoss');
  const gLoss = metrics.get('gLoss');
  const dReal = metrics.get('dReal');
  const dFake = metrics.get('dFake');
  const modes = metrics.get('modesCovered');
  const js = metrics.get('js');
  // Losses are read back from the device every viewEvery steps (or at the last one, or a pause).
  const waiting = t('chart.waitingSteps', {
    n: Math.min(Number(run.params.viewEvery), Number(run.params.steps)),
  });

  const lossOption = useMemo(
    () =>
      metricLineOption({
        title: t('gan.chart.losses'),
        xName: t('gan.chart.step'),
        yName: t('gan.chart.loss'),
        series: lines(metrics, [
          { key: 'dLoss', name: t('gan.metric.dLoss') },
          { key: 'gLoss', name: t('gan.metric.gLoss') },
        ]),
      }),
    // The maps of these series change identity when they grow.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dLoss, gLoss, t],
  );
  const outputOption = useMemo(
    () =>
      metricLineOption({
        title: t('gan.chart.outputs'),
        xName: t('gan.chart.step'),
        yName: t('gan.chart.output'),
        series: lines(metrics, [
          { key: 'dReal', name: t('gan.metric.dReal') },
          { key: 'dFake', name: t('gan.metric.dFake') },
        ]),
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [dReal, dFake, t],
  );
  const qualityOption = useMemo(() => {
    if (!js) return null;
    const keys = [
      { key: 'js', name: t('gan.metric.js') },
      { key: 'kl', name: t('gan.metric.kl') },
    ];
    if (modes) keys.push({ key: 'highQuality', name: t('gan.metric.highQuality') });
    return metricLineOption({
      title: t('gan.chart.quality'),
      xName: t('gan.chart.step'),
      yName: t('gan.chart.quality.y'),
      series: lines(metrics, keys),
    });
  }, [js, modes, metrics, t]);
  const modesNow = modes ? modes.get(sortedSteps(modes).at(-1)!) : undefined;
  const modesTotal = run.params.source === 'grid25' ? 25 : 8;

  // Views and galleries: a slider over the steps that have one; null follows the newest.
  const viewSteps = useMemo(
    () =>
      [
        ...new Set(
          artifacts
            .filter((a) => a.kind === 'field2d' || a.kind === 'image-grid')
            .map((a) => a.step),
        ),
      ].sort((a, b) => a - b),
    [artifacts],
  );
  const [chosen, setChosen] = useState<number | null>(null);
  const [arrows, setArrows] = useState(false);
  const shownStep = chosen ?? viewSteps.at(-1);
  const field = latestOf(artifacts, 'field2d', 'discriminator', shownStep);
  const generated = latestOf(artifacts, 'points2d', 'generated', shownStep);
  const real = latestOf(artifacts, 'points2d', 'real');
  const gallery = latestOf(artifacts, 'image-grid', 'samples', shownStep);

  const viewOption = useMemo(() => {
    if (!field && !generated) return null;
    const meta = (generated?.meta ?? real?.meta) as GanPointsMeta | undefined;
    return ganViewOption({
      title: t('gan.view.title'),
      axisNames: meta?.axisNames ?? ['x', 'y'],
      field: field ? { meta: field.meta as GanFieldMeta, values: field.data! } : null,
      real: real?.data ?? null,
      generated: generated?.data ?? null,
      arrows,
      names: {
        field: t('gan.view.field'),
        real: t('gan.view.real'),
        generated: t('gan.view.generated'),
        arrows: t('gan.view.arrows'),
      },
    });
  }, [field, generated, real, arrows, t]);
  const fieldMeta = field?.meta as GanFieldMeta | undefined;

  const slider = viewSteps.length > 1 && (
    <div className="snapshot-bar">
      <input
        type="range"
        min={0}
        max={viewSteps.length - 1}
        value={shownStep === undefined ? 0 : viewSteps.indexOf(shownStep)}
        onChange={(e) => {
          const i = Number(e.target.value);
          setChosen(i === viewSteps.length - 1 ? null : viewSteps[i]);
        }}
        aria-label={t('gan.view.step')}
        data-testid="gan-view-slider"
      />
      <span className="muted">
        {t('gan.view.step')} {shownStep}
        {chosen === null && ` (${t('run.view.latest')})`}
      </span>
    </div>
  );

  return (
    <>
      <div className="two-col">
        {viewOption && (
          <section className="card" data-testid="gan-view">
            <EChart
              option={viewOption}
              height={440}
              testId="gan-view-chart"
              minIntervalMs={streaming ? 200 : 0}
            />
            <label className="inline">
              <input
                type="checkbox"
                checked={arrows}
                onChange={(e) => setArrows(e.target.checked)}
                data-testid="gan-arrows"
              />{' '}
              {t('gan.view.showArrows')}
            </label>
            <p className="explain">
              {t(fieldMeta?.scale === 'critic' ? 'gan.view.explainCritic' : 'gan.view.explain')}
            </p>
            {slider}
          </section>
        )}
        {gallery && (
          <section className="card" data-testid="gan-gallery">
            <figure className="gallery">
              <figcaption>{t('gan.gallery.caption')}</figcaption>
              <ImageGrid
                meta={gallery.meta as ImageGridMeta}
                data={gallery.data as Uint8Array}
                testId="gan-gallery-grid"
              />
            </figure>
            {slider}
          </section>
        )}
        <section className="card">
          <ChartOrWaiting
            ready={Boolean(dLoss?.size)}
            waiting={waiting}
            option={lossOption}
            testId="gan-loss-chart"
            minIntervalMs={streaming ? 250 : 0}
          />
          <p className="muted" data-testid="gan-steps">
            {t('gan.chart.step')} {sortedSteps(dLoss).at(-1) ?? 0}
            {modesNow !== undefined && (
              <>
                {' · '}
                <span data-testid="gan-modes">
                  {t('gan.modesCovered', { n: modesNow, total: modesTotal })}
                </span>
              </>
            )}
          </p>
        </section>
        <section className="card">
          <ChartOrWaiting
            ready={Boolean(dReal?.size)}
            waiting={waiting}
            option={outputOption}
            testId="gan-output-chart"
            minIntervalMs={streaming ? 250 : 0}
          />
        </section>
        {qualityOption && (
          <section className="card">
            <EChart
              option={qualityOption}
              testId="gan-quality-chart"
              minIntervalMs={streaming ? 250 : 0}
            />
          </section>
        )}
      </div>
    </>
  );
}

/** A finished run's saved generator, used in the page: new images or points from fresh noise. */
export function GanUseModel({ run }: { run: RunInfo }) {
  const { t } = useI18n();
  const { model, error } = useSavedModel(run.id, readGanModel);
  const [seed, setSeed] = useState('1');
  const [made, setMade] = useState<ReturnType<typeof toImageGrid> | null>(null);
  const [points, setPoints] = useState<Float64Array | null>(null);

  if (error)
    return (
      <section className="card">
        <p className="error" role="alert">
          {error}
        </p>
      </section>
    );
  if (!model) return null;
  const image = model.meta.image;
  const axisNames = (model.meta.axisNames ?? ['x', 'y']) as [string, string];
  const seedOk = /^\d+$/.test(seed.trim());
  return (
    <section className="card" data-testid="gan-use-model">
      <h2>{t('ganUse.title')}</h2>
      <p className="explain">{t('ganUse.explain')}</p>
      <div className="form-row">
        <NumberInput
          label={t('newRun.seed')}
          name="gan-seed"
          value={seed}
          onChange={setSeed}
          min={0}
        />
        <button
          className="primary"
          disabled={!seedOk}
          onClick={() => {
            if (image) {
              const { x } = model.sample(GENERATED_COUNT, Number(seed));
              setMade(toImageGrid(x, image, { role: 'samples', columns: 8, range: model.range }));
            } else setPoints(model.sample(GENERATED_POINTS, Number(seed)).x);
          }}
          data-testid="gan-generate"
        >
          {t('ganUse.generate')}
        </button>
      </div>
      {made && <ImageGrid meta={made.meta} data={made.data} testId="gan-generated" />}
      {points && model.meta.outputDim === 2 && (
        <>
          <EChart
            option={points2dOption({
              title: t('ganUse.pointsTitle', { n: GENERATED_POINTS }),
              points,
              count: GENERATED_POINTS,
              stride: 2,
              axisNames,
              label: t,
              name: t('gan.view.generated'),
            })}
            testId="gan-generated-points"
          />
          <button
            onClick={() =>
              downloadCsv(
                'gan-samples.csv',
                axisNames,
                Array.from({ length: GENERATED_POINTS }, (_, i) => [
                  points[2 * i],
                  points[2 * i + 1],
                ]),
              )
            }
          >
            {t('model.downloadCsv')}
          </button>
        </>
      )}
    </section>
  );
}
