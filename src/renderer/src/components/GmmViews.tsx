import { useEffect, useMemo, useState } from 'react';
import { datasetGone, type StoredArtifact } from '../../../shared/api';
import { mixtureSchema, type Mixture } from '../../../shared/artifacts';
import {
  histogram1dOption,
  metricLineOption,
  mixture2dOption,
  pairsOption,
  type PointColoring,
} from '../../../shared/charts';
import type { RunPanelProps } from '../algorithms/types';
import { useI18n } from '../i18n';
import { EChart } from './EChart';

type View = 'components' | 'uncertainty' | 'pairs';

export function mixtureOf(a: StoredArtifact | undefined): Mixture | null {
  const m = a ? mixtureSchema.safeParse(a.meta) : null;
  return m?.success ? m.data : null;
}

/** The fitted mixture drawn over the data: 1-D histogram, 2-D scatter, uncertainty or pairs. */
export function MixtureView(props: {
  data: { values: Float64Array; cols: number };
  columns: string[];
  mixture: Mixture | null;
  coloring: PointColoring;
  /** Redraw at most this often (while a run streams). */
  minIntervalMs?: number;
  title?: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const [view, setView] = useState<View>('components');
  const [dims, setDims] = useState<[number, number]>([0, 1]);
  const { data, columns, mixture } = props;
  const option = useMemo(() => {
    if (data.cols === 1)
      return histogram1dOption({
        title: props.title ?? t('run.view.hist'),
        values: data.values,
        column: columns[0],
        mixture,
        label: t,
      });
    if (view === 'pairs' && data.cols > 2)
      return pairsOption({
        title: t('run.view.pairs'),
        values: data.values,
        cols: data.cols,
        columns,
        mixture,
        label: t,
      });
    return mixture2dOption({
      title:
        view === 'uncertainty'
          ? t('run.view.uncertaintyTitle')
          : (props.title ?? t('run.view.components')),
      values: data.values,
      cols: data.cols,
      columns,
      mixture,
      label: t,
      dims,
      coloring: view === 'uncertainty' ? 'uncertainty' : props.coloring,
    });
  }, [data, columns, mixture, view, dims, props.coloring, props.title, t]);
  return (
    <div>
      {data.cols > 1 && (
        <div className="view-tabs" role="tablist">
          {(['components', 'uncertainty', ...(data.cols > 2 ? ['pairs'] : [])] as View[]).map(
            (v) => (
              <button
                key={v}
                role="tab"
                aria-selected={view === v}
                className={view === v ? 'tab active' : 'tab'}
                onClick={() => setView(v)}
              >
                {t(`run.view.tab.${v}`)}
              </button>
            ),
          )}
          {data.cols > 2 && view !== 'pairs' && (
            <span className="pair-pick">
              {t('run.view.pair')}{' '}
              {[0, 1].map((axis) => (
                <select
                  key={axis}
                  value={dims[axis]}
                  onChange={(e) =>
                    setDims((d) =>
                      axis === 0 ? [Number(e.target.value), d[1]] : [d[0], Number(e.target.value)],
                    )
                  }
                >
                  {columns.map((c, i) => (
                    <option key={c} value={i}>
                      {c}
                    </option>
                  ))}
                </select>
              ))}
            </span>
          )}
        </div>
      )}
      <EChart
        option={option}
        height={view === 'pairs' ? 520 : 380}
        testId={props.testId}
        minIntervalMs={props.minIntervalMs}
      />
    </div>
  );
}

/** The live log-likelihood curve and the mixture over the data, with a slider over iterations. */
export function GmmPanel({ run, metrics, artifacts, data }: RunPanelProps) {
  const { t } = useI18n();
  const series = metrics.get('meanLogLikelihood');
  const lineOption = useMemo(() => {
    const steps = [...(series?.keys() ?? [])].sort((a, b) => a - b);
    return metricLineOption({
      title: t('run.chart.loglik'),
      xName: t('run.chart.iteration'),
      yName: t('run.chart.meanLogLik'),
      series: [
        { name: t('run.chart.meanLogLik'), steps, values: steps.map((s) => series!.get(s)!) },
      ],
    });
  }, [series, t]);

  // Snapshots of the mixture after each M-step (step 0: the start); null follows the newest.
  const steps = useMemo(() => [...artifacts.keys()].sort((a, b) => a - b), [artifacts]);
  const [chosen, setChosen] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const shownStep = chosen ?? steps.at(-1);
  const mixture = mixtureOf(shownStep === undefined ? undefined : artifacts.get(shownStep));
  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      setChosen((c) => {
        const i = c === null ? steps.length : steps.indexOf(c) + 1;
        if (i >= steps.length) {
          setPlaying(false);
          return null;
        }
        return steps[i];
      });
    }, 120);
    return () => clearInterval(timer);
  }, [playing, steps]);

  const streaming = run.status === 'running';
  const coloring: PointColoring = streaming
    ? 'none'
    : run.status === 'paused' && run.phase?.name === 'e-step' && chosen === null
      ? 'responsibility'
      : 'label';

  return (
    <>
      <div className="two-col">
        <section className="card">
          <EChart option={lineOption} testId="loglik-chart" />
          <p className="muted" data-testid="point-count">
            {t('run.iteration', { n: series?.size ?? 0 })}
          </p>
        </section>
        <section className="card">
          {data ? (
            <MixtureView
              data={data}
              columns={run.columns}
              mixture={mixture}
              coloring={coloring}
              minIntervalMs={streaming ? 250 : 0}
              testId="mixture-view"
            />
          ) : (
            datasetGone(run) && (
              <p className="muted" data-testid="view-data-gone">
                {t('run.datasetGoneView')}
              </p>
            )
          )}
          {steps.length > 1 && (
            <div className="snapshot-bar">
              <button
                onClick={() =>
                  playing ? setPlaying(false) : (setChosen(steps[0]), setPlaying(true))
                }
              >
                {playing ? '❚❚' : `▶ ${t('run.view.play')}`}
              </button>
              <input
                type="range"
                min={0}
                max={steps.length - 1}
                value={shownStep === undefined ? 0 : steps.indexOf(shownStep)}
                onChange={(e) => {
                  setPlaying(false);
                  const i = Number(e.target.value);
                  setChosen(i === steps.length - 1 ? null : steps[i]);
                }}
                aria-label={t('run.view.snapshot')}
                data-testid="snapshot-slider"
              />
              <span className="muted">
                {t('run.view.snapshot')} {shownStep}
                {chosen === null && ` (${t('run.view.latest')})`}
              </span>
            </div>
          )}
        </section>
      </div>
    </>
  );
}
