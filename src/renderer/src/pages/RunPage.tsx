import { useEffect, useMemo, useState } from 'react';
import { algorithmSpecs } from '../../../shared/algorithms';
import type { DatasetValues, RunInfo } from '../../../shared/api';
import { mixtureSchema, type Mixture } from '../../../shared/artifacts';
import { histogram1dOption, metricLineOption, mixture2dOption } from '../../../shared/charts';
import { isMessageKey } from '../../../shared/i18n';
import { EChart } from '../components/EChart';
import { useApi } from '../context';
import { useI18n } from '../i18n';

const fmt = (v: number, digits = 4) =>
  Number.isInteger(v)
    ? String(v)
    : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3
      ? v.toExponential(3)
      : v.toFixed(digits);

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

/** Keeps the rows of a data set's chosen columns, row-major. */
function selectColumns(d: DatasetValues, columns: string[]): Float64Array {
  const idx = columns.map((c) => d.columns.indexOf(c));
  const out = new Float64Array(d.rows * idx.length);
  for (let i = 0; i < d.rows; i++)
    for (let c = 0; c < idx.length; c++)
      out[i * idx.length + c] = d.values[i * d.columns.length + idx[c]];
  return out;
}

function MixtureTable({ mixture, columns }: { mixture: Mixture; columns: string[] }) {
  const { t } = useI18n();
  return (
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
                {mixture.covariances[k].map((row) => row.map((v) => fmt(v)).join('  ')).join('\n')}
              </code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunPage({ runId }: { runId: number }) {
  const api = useApi();
  const { t } = useI18n();
  const [run, setRun] = useState<RunInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [series, setSeries] = useState<Map<number, number>>(new Map());
  const [mixture, setMixture] = useState<{ step: number; m: Mixture } | null>(null);
  const [data, setData] = useState<{ values: Float64Array; cols: number } | null>(null);
  const [now, setNow] = useState(Date.now());
  const spec = run ? algorithmSpecs[run.algorithm] : undefined;
  const metricKey = spec?.mainMetric ?? 'meanLogLikelihood';

  useEffect(() => {
    setRun(null);
    setSeries(new Map());
    setMixture(null);
    setData(null);
    setError(null);
    // Subscribe before fetching so nothing streamed in between is lost; merging by step is idempotent.
    const offs = [
      api.on('run.updated', (r) => r.id === runId && setRun(r)),
      api.on('run.metrics', (e) => {
        if (e.runId !== runId) return;
        setSeries((prev) => {
          const next = new Map(prev);
          for (const p of e.points) if (p.key === metricKey) next.set(p.step, p.value);
          return next;
        });
      }),
      api.on('run.artifact', (e) => {
        if (e.runId !== runId || e.artifact.kind !== 'mixture') return;
        const m = mixtureSchema.safeParse(e.artifact.meta);
        if (m.success)
          setMixture((prev) =>
            prev && prev.step > e.artifact.step ? prev : { step: e.artifact.step, m: m.data },
          );
      }),
    ];
    (async () => {
      const r = await api.call('runs.get', { id: runId });
      setRun((prev) => prev ?? r);
      const [metrics, artifacts] = await Promise.all([
        api.call('runs.metrics', { id: runId }),
        api.call('runs.artifacts', { id: runId, kind: 'mixture', latestOnly: true }),
      ]);
      const s = metrics.find((m) => m.key === metricKey);
      if (s)
        setSeries((prev) => {
          const next = new Map(prev);
          s.steps.forEach((step, i) => next.has(step) || next.set(step, s.values[i]));
          return next;
        });
      const a = artifacts[0];
      const m = a ? mixtureSchema.safeParse(a.meta) : null;
      if (a && m?.success)
        setMixture((prev) => (prev && prev.step >= a.step ? prev : { step: a.step, m: m.data }));
      if (r.datasetId !== null) {
        const d = await api.call('datasets.values', { id: r.datasetId }).catch(() => null);
        if (d) setData({ values: selectColumns(d, r.columns), cols: r.columns.length });
      }
    })().catch((e: Error) => setError(e.message));
    return () => offs.forEach((off) => off());
  }, [api, runId, metricKey]);

  const active = run?.status === 'running' || run?.status === 'queued';
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);

  const lineOption = useMemo(() => {
    const steps = [...series.keys()].sort((a, b) => a - b);
    return metricLineOption({
      title: t('run.chart.loglik'),
      xName: t('run.chart.iteration'),
      yName: t('run.chart.meanLogLik'),
      series: [
        { name: t('run.chart.meanLogLik'), steps, values: steps.map((s) => series.get(s)!) },
      ],
    });
  }, [series, t]);

  const running = run?.status === 'running';
  const viewOption = useMemo(() => {
    if (!run || !data) return null;
    if (data.cols === 1)
      return histogram1dOption({
        title: t('run.view.hist'),
        values: data.values,
        column: run.columns[0],
        mixture: mixture?.m ?? null,
        label: t,
      });
    return mixture2dOption({
      title: t('run.view.components'),
      values: data.values,
      cols: data.cols,
      columns: run.columns,
      mixture: mixture?.m ?? null,
      label: t,
      colorPoints: !running,
    });
  }, [run, data, mixture, t, running]);

  if (error)
    return (
      <div className="page">
        <p className="error" role="alert">
          {error}
        </p>
      </div>
    );
  if (!run)
    return (
      <div className="page">
        <p>{t('common.loading')}</p>
      </div>
    );

  const pct = Math.round(run.progress * 100);
  const elapsed = run.startedAt ? (now - Date.parse(run.startedAt)) / 1000 : 0;
  const eta =
    run.progress > 0.02 && run.status === 'running'
      ? (elapsed * (1 - run.progress)) / run.progress
      : null;
  const summary = run.summary as Record<string, unknown> | null;
  const finalMixture = summary ? mixtureSchema.safeParse(summary) : null;
  const title = `algo.${run.algorithm}`;

  return (
    <div className="page">
      <header className="run-header">
        <h1>{run.name}</h1>
        <span className={`status status-${run.status}`} data-testid="run-status">
          {t(`run.status.${run.status}`)}
        </span>
        {active && (
          <button className="danger" onClick={() => void api.call('runs.cancel', { id: run.id })}>
            {t('run.cancel')}
          </button>
        )}
      </header>
      <p className="muted">
        {isMessageKey(title) ? t(title) : run.algorithm} · {t('run.dataset')}: {run.datasetName} [
        {run.columns.join(', ')}] · {t('run.seed')} {run.seed}
        {run.backend && (
          <>
            {' '}
            · {t('run.backend')}: {run.backend}
          </>
        )}
      </p>
      {(active || run.status === 'completed') && (
        <div className="progress" aria-label="progress">
          <div className="progress-bar" style={{ width: `${pct}%` }} />
          <span>
            {eta !== null
              ? t('run.progress', { pct, eta: formatDuration(eta) })
              : t('run.progressNoEta', { pct })}
          </span>
        </div>
      )}
      {run.error && (
        <div className="error" role="alert">
          <strong>{t('run.error')}:</strong> {run.error}
        </div>
      )}
      <div className="two-col">
        <section className="card">
          <EChart option={lineOption} testId="loglik-chart" />
          <p className="muted" data-testid="point-count">
            {t('run.iteration', { n: series.size })}
          </p>
        </section>
        <section className="card">
          {viewOption && (
            <EChart option={viewOption} testId="mixture-view" minIntervalMs={active ? 250 : 0} />
          )}
          {data && data.cols > 2 && (
            <p className="muted">{t('run.view.projected', { n: data.cols })}</p>
          )}
        </section>
      </div>
      {isMessageKey(`algo.${run.algorithm}.about`) && (
        <p className="explain">{t(`algo.${run.algorithm}.about` as 'algo.gmm.about')}</p>
      )}
      <div className="two-col">
        <section className="card">
          <h2>{t('run.params')}</h2>
          <table className="data-table">
            <tbody>
              {Object.entries(run.params).map(([k, v]) => {
                const label = `param.${run.algorithm}.${k}`;
                return (
                  <tr key={k}>
                    <th>{isMessageKey(label) ? t(label) : k}</th>
                    <td>{v}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {run.notes.length > 0 && (
            <>
              <h3>{t('run.notes')}</h3>
              <ul>
                {run.notes.map((n, i) => (
                  <li key={i} className="muted">
                    {n}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
        {summary && (
          <section className="card" data-testid="run-result">
            <h2>{t('run.result')}</h2>
            <table className="data-table">
              <tbody>
                {(['meanLogLikelihood', 'bic', 'aic', 'iterations', 'converged'] as const).map(
                  (k) =>
                    k in summary ? (
                      <tr key={k}>
                        <th>{t(`summary.${k}`)}</th>
                        <td>
                          {typeof summary[k] === 'boolean'
                            ? t(summary[k] ? 'summary.yes' : 'summary.no')
                            : typeof summary[k] === 'number'
                              ? fmt(summary[k] as number)
                              : String(summary[k])}
                        </td>
                      </tr>
                    ) : null,
                )}
              </tbody>
            </table>
            {finalMixture?.success && (
              <MixtureTable mixture={finalMixture.data} columns={run.columns} />
            )}
          </section>
        )}
      </div>
    </div>
  );
}
