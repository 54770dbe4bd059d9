import { useEffect, useMemo, useState } from 'react';
import {
  datasetGone,
  isActiveStatus,
  type MetricSeries,
  type RunInfo,
  type StoredArtifact,
} from '../../../shared/api';
import { colorOf, hasCurve, metricLineOption, metricText } from '../../../shared/charts';
import { isMessageKey, type MessageKey } from '../../../shared/i18n';
import { bestIndex, differingKeys, ema, summaryDirections } from '../../../shared/run-summary';
import { viewOf } from '../algorithms';
import type { RunTable } from '../algorithms/types';
import { EChart } from '../components/EChart';
import { fetchRunTable } from '../hooks/useRunData';
import { labelKey } from '../components/ParamForm';
import { useApi } from '../context';
import { algorithmName, useI18n } from '../i18n';
import { PageMessage } from '../components/PageMessage';
import { fmt, formatParam } from '../format';
import type { ParamValue } from '../../../shared/algorithms/fields';
import { appliedParams } from '../../../shared/algorithms';
import { ExportPanel } from '../components/ExportPanel';

interface Loaded {
  run: RunInfo;
  metrics: MetricSeries[];
  /** The artifacts its view draws on this page, by step (none when it has no compare view). */
  pictures: StoredArtifact[];
  data: RunTable;
}

/** Everything the comparison shows, for each run (saved runs: fetched once, refreshed when one ends). */
function useCompared(idList: number[]): { loaded: Loaded[] | null; error: string | null } {
  const api = useApi();
  const key = idList.join(',');
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the ids, by value
  const ids = useMemo(() => idList, [key]);
  const [loaded, setLoaded] = useState<Loaded[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(
    () =>
      api.on('run.updated', (r) => {
        if (ids.includes(r.id) && !isActiveStatus(r.status)) setVersion((v) => v + 1);
      }),
    [api, ids],
  );
  useEffect(() => {
    let current = true;
    Promise.all(
      ids.map(async (id): Promise<Loaded> => {
        const run = await api.call('runs.get', { id });
        const compare = viewOf(run.algorithm)?.compare;
        const [metrics, pictures, data] = await Promise.all([
          api.call('runs.metrics', { id }),
          compare ? api.call('runs.artifacts', { id, kind: compare.kind }) : [],
          compare?.needsData ? fetchRunTable(api, run) : null,
        ]);
        return { run, metrics, pictures, data };
      }),
    ).then(
      (all) => current && setLoaded(all),
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [api, ids, version]);
  return { loaded, error };
}

/** The header of a side-by-side table: one column per run, in the run's colour. */
function RunColumns({ runs }: { runs: RunInfo[] }) {
  return (
    <thead>
      <tr>
        <th />
        {runs.map((run, i) => (
          <th key={run.id} style={{ color: colorOf(i) }}>
            #{run.id}
          </th>
        ))}
      </tr>
    </thead>
  );
}

const runLabel = (r: RunInfo) => `#${r.id} ${r.name}`;

/** The heading of the pictures: their algorithm's, when they are all of one kind of view. */
function picturesTitle(loaded: Loaded[]): MessageKey {
  const titles = new Set(
    loaded.filter((l) => l.pictures.length > 0).map((l) => viewOf(l.run.algorithm)?.compare?.title),
  );
  const [only] = titles;
  return titles.size === 1 && only ? only : 'compare.pictures';
}

/** Two to six runs side by side: parameters, results, metrics overlaid, pictures at one step. */
export function ComparePage({ ids }: { ids: number[] }) {
  const { t } = useI18n();
  const { loaded, error } = useCompared(ids);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const [xAxis, setXAxis] = useState<'step' | 'time'>('step');
  const [smoothing, setSmoothing] = useState(0);
  const [logY, setLogY] = useState(false);
  const [step, setStep] = useState<number | null>(null);

  const rows = useMemo(() => {
    if (!loaded) return [];
    const described = loaded.map(({ run }) => ({
      algorithm: run.algorithm,
      dataset: run.datasetName,
      columns: run.columns.join(', '),
      seed: run.seed,
      backend: run.backend,
      // Fields that did not apply to a run are left out (shown as —).
      ...appliedParams(run.algorithm, run.params),
    }));
    const differ = differingKeys(described);
    const keys = [...new Set(described.flatMap((d) => Object.keys(d)))];
    return keys.map((key) => ({
      key,
      values: described.map((d) => (d as Record<string, unknown>)[key]),
      differs: differ.has(key),
    }));
  }, [loaded]);

  const metricKeys = useMemo(
    () => [...new Set((loaded ?? []).flatMap((l) => l.metrics.map((m) => m.key)))].sort(),
    [loaded],
  );
  const charts = useMemo(() => {
    if (!loaded) return [];
    return metricKeys.flatMap((key) => {
      const series = loaded.flatMap(({ run, metrics }, i) => {
        const m = metrics.find((s) => s.key === key);
        if (!m) return [];
        const xs = xAxis === 'time' ? Float64Array.from(m.wallMs, (ms) => ms / 1000) : m.steps;
        return [
          { name: runLabel(run), steps: xs, values: ema(m.values, smoothing), color: colorOf(i) },
        ];
      });
      if (!hasCurve(series)) return []; // it is a row of the results table
      const positive = series.every((s) =>
        Array.from(s.values).every((v) => !Number.isFinite(v) || v > 0),
      );
      return [
        {
          key,
          positive,
          option: metricLineOption({
            ...metricText(t, key),
            ...(xAxis === 'time' ? { xName: t('compare.seconds') } : {}),
            series,
            logY: logY && positive,
            continuousX: xAxis === 'time',
          }),
        },
      ];
    });
  }, [loaded, metricKeys, xAxis, smoothing, logY, t]);

  const steps = useMemo(
    () =>
      [...new Set((loaded ?? []).flatMap((l) => l.pictures.map((a) => a.step)))].sort(
        (a, b) => a - b,
      ),
    [loaded],
  );

  if (ids.length < 2 || ids.length > 6)
    return <PageMessage error={t('compare.count')} back="runs" />;
  if (error) return <PageMessage error={t('compare.failed', { message: error })} back="runs" />;
  if (!loaded) return <PageMessage />;

  const summaryKeys = [
    ...new Set(loaded.flatMap(({ run }) => Object.keys(run.summary ?? {}))),
  ].filter((k) =>
    loaded.some(
      ({ run }) =>
        typeof run.summary?.[k] === 'number' ||
        typeof run.summary?.[k] === 'boolean' ||
        typeof run.summary?.[k] === 'string',
    ),
  );
  const shownStep = step ?? steps.at(-1) ?? 0;
  const label = (key: string, prefix: 'summary' | 'param', algorithm: string) => {
    if (prefix === 'param') {
      const k =
        labelKey(algorithm, key) ??
        (isMessageKey(`compare.row.${key}`) ? (`compare.row.${key}` as 'compare.row.seed') : null);
      return k ? t(k) : key;
    }
    const k = `summary.${key}`;
    return isMessageKey(k) ? t(k) : key;
  };

  return (
    <div className="page">
      <h1>{t('compare.title', { n: ids.length })}</h1>
      <div className="legend-chips" data-testid="compare-runs">
        {loaded.map(({ run }, i) => (
          <a key={run.id} href={`#/run/${run.id}`} className="chip" title={runLabel(run)}>
            <span className="swatch" style={{ background: colorOf(i) }} />
            <span className="chip-name">{runLabel(run)}</span>
            <span className={`status status-${run.status}`}>{t(`run.status.${run.status}`)}</span>
          </a>
        ))}
      </div>
      {loaded
        .filter(({ run }) => !viewOf(run.algorithm))
        .map(({ run }) => (
          <p key={run.id} className="muted" data-testid="no-views">
            {t('compare.noViews', { id: run.id, algorithm: run.algorithm })}
          </p>
        ))}
      <div className="two-col">
        <section className="card">
          <h2>
            {t('run.params')}{' '}
            <label className="check small">
              <input
                type="checkbox"
                checked={onlyDiff}
                onChange={(e) => setOnlyDiff(e.target.checked)}
                data-testid="only-differences"
              />
              {t('compare.onlyDifferences')}
            </label>
          </h2>
          <table className="data-table" data-testid="compare-params">
            <RunColumns runs={loaded.map((l) => l.run)} />
            <tbody>
              {rows
                .filter((r) => !onlyDiff || r.differs)
                .map((r) => (
                  <tr key={r.key} className={r.differs ? 'differs' : ''}>
                    <th>{label(r.key, 'param', loaded[0].run.algorithm)}</th>
                    {r.values.map((v, i) => (
                      <td key={i}>
                        {r.key === 'algorithm'
                          ? algorithmName(t, String(v))
                          : formatParam(r.key, v as ParamValue, t)}
                      </td>
                    ))}
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
        <section className="card">
          <h2>{t('run.result')}</h2>
          <table className="data-table" data-testid="compare-summary">
            <RunColumns runs={loaded.map((l) => l.run)} />
            <tbody>
              {summaryKeys.map((key) => {
                const values = loaded.map(({ run }) => run.summary?.[key]);
                const direction = summaryDirections[key];
                const best = direction ? bestIndex(values, direction) : -1;
                return (
                  <tr key={key}>
                    <th>{label(key, 'summary', loaded[0].run.algorithm)}</th>
                    {values.map((v, i) => (
                      <td
                        key={i}
                        className={i === best ? 'best-cell' : ''}
                        title={i === best ? t('compare.best') : undefined}
                      >
                        {viewOf(loaded[i].run.algorithm)?.summaryFormats?.[key]?.(v) ??
                          (typeof v === 'number'
                            ? fmt(v)
                            : formatParam(key, v as ParamValue, t))}{' '}
                        {i === best && '★'}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="muted">{t('compare.bestHelp')}</p>
        </section>
      </div>
      <ExportPanel ids={ids} />
      <section className="card">
        <div className="filters">
          <label>
            {t('compare.xAxis')}{' '}
            <select
              value={xAxis}
              onChange={(e) => setXAxis(e.target.value as 'step' | 'time')}
              data-testid="x-axis"
            >
              <option value="step">{t('compare.step')}</option>
              <option value="time">{t('compare.seconds')}</option>
            </select>
          </label>
          <label>
            {t('compare.smoothing')}{' '}
            <input
              type="range"
              min={0}
              max={0.99}
              step={0.01}
              value={smoothing}
              onChange={(e) => setSmoothing(Number(e.target.value))}
              data-testid="smoothing"
            />{' '}
            {smoothing.toFixed(2)}
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={logY}
              onChange={(e) => setLogY(e.target.checked)}
              data-testid="log-scale"
            />
            {t('compare.logScale')}
          </label>
        </div>
        <div className="chart-grid">
          {charts.map((c) => (
            <div key={c.key}>
              <EChart option={c.option} height={320} testId={`compare-chart-${c.key}`} />
              {logY && !c.positive && <p className="muted">{t('compare.logNotPositive')}</p>}
            </div>
          ))}
        </div>
      </section>
      {steps.length > 0 && (
        <section className="card">
          <h2>{t(picturesTitle(loaded))}</h2>
          <div className="snapshot-bar">
            <input
              type="range"
              min={0}
              max={steps.length - 1}
              value={steps.indexOf(shownStep)}
              onChange={(e) => setStep(steps[Number(e.target.value)])}
              data-testid="compare-step"
              aria-label={t('compare.step')}
            />
            <span className="muted">
              {t('compare.step')} {shownStep}
            </span>
          </div>
          <div className="chart-grid">
            {loaded.map(({ run, pictures, data }, i) => {
              // Each run at the newest picture it has at or before the chosen step.
              const at = [...pictures].reverse().find((a) => a.step <= shownStep) ?? pictures[0];
              const compare = viewOf(run.algorithm)?.compare;
              if (compare && at && compare.needsData && !data && datasetGone(run))
                return (
                  <div
                    key={run.id}
                    className="compare-visual"
                    style={{ borderTopColor: colorOf(i) }}
                  >
                    <p className="muted" data-testid="compare-data-gone">
                      {runLabel(run)}: {t('run.datasetGoneView')}
                    </p>
                  </div>
                );
              if (!compare || !at || (compare.needsData && !data)) return null;
              const View = compare.View;
              return (
                <div key={run.id} className="compare-visual" style={{ borderTopColor: colorOf(i) }}>
                  <View
                    run={run}
                    artifact={at}
                    data={data}
                    title={`${runLabel(run)} · ${t('compare.step')} ${at.step}`}
                  />
                </div>
              );
            })}
          </div>
        </section>
      )}
    </div>
  );
}
