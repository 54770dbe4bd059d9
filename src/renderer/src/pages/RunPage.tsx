import { useEffect, useState } from 'react';
import { appliedParams, specOf } from '../../../shared/algorithms';
import type { ParamValue } from '../../../shared/algorithms/fields';
import { datasetGone, isActiveStatus, type RunInfo } from '../../../shared/api';
import { isMessageKey } from '../../../shared/i18n';
import { formatValue } from '../../../shared/chart-style';
import { stageSecondsLeft } from '../../../shared/progress';
import { viewOf } from '../algorithms';
import type { AlgorithmView, RunTable, T } from '../algorithms/types';
import { labelKey } from '../components/ParamForm';
import { ExportPanel } from '../components/ExportPanel';
import { navigate, useApi } from '../context';
import { useInFlight } from '../hooks/useInFlight';
import { useQueuePlace } from '../hooks/useQueuePlace';
import { useRunData, useStepArtifacts, type MetricMap } from '../hooks/useRunData';
import { algorithmName, useI18n } from '../i18n';
import { PageMessage } from '../components/PageMessage';
import { RunNotes } from '../components/RunNotes';
import {
  LimitMessage,
  nameProblem,
  noteProblem,
  parseTags,
  tagsProblem,
} from '../components/TextLimit';
import { fmt, formatDuration, formatParam } from '../format';

function summaryLabel(key: string, t: T): string {
  const label = `summary.${key}`;
  return isMessageKey(label) ? t(label) : key;
}

/** A summary figure: an effective sample size is a count (whole, as Stan prints it). */
const summaryNumber = (key: string, v: number) =>
  /^minEss(Bulk|Tail)?$/.test(key) ? formatValue(v, { integer: true }) : fmt(v);

/** The summary keys the algorithm's view lists, then its own extra rows. */
function SummaryTable({
  summary,
  view,
  t,
}: {
  summary: Record<string, unknown>;
  view: AlgorithmView | null;
  t: T;
}) {
  const cell = (k: string, v: unknown) =>
    typeof v === 'boolean'
      ? t(v ? 'summary.yes' : 'summary.no')
      : typeof v === 'number'
        ? summaryNumber(k, v)
        : formatParam(k, v as ParamValue, t);
  // An algorithm without views: every plain value of its summary.
  const keys =
    view?.summaryRows ??
    Object.keys(summary).filter((k) => ['number', 'boolean', 'string'].includes(typeof summary[k]));
  return (
    <table className="data-table">
      <tbody>
        {keys.map((k) =>
          k in summary ? (
            <tr key={k}>
              <th>{summaryLabel(k, t)}</th>
              <td>{cell(k, summary[k])}</td>
            </tr>
          ) : null,
        )}
        {view?.summaryExtras?.(summary, t)}
      </tbody>
    </table>
  );
}

/**
 * How far the run is: overall, or in its stage (training, then AIS) with the time left of that
 * stage alone and the next stage named without one — never one time for stages of other paces.
 */
function progressText(run: RunInfo, now: number, t: T): string {
  const left = run.status === 'running' ? stageSecondsLeft(run.stage, now) : null;
  const eta = left === null ? null : formatDuration(left);
  const stage = run.stage;
  if (!stage?.name || run.status === 'completed') {
    const pct = Math.round(run.progress * 100);
    return eta === null ? t('run.progressNoEta', { pct }) : t('run.progress', { pct, eta });
  }
  const vars = { stage: t(`run.stage.${stage.name}`), pct: Math.round(stage.fraction * 100) };
  const text =
    eta === null ? t('run.progressStageNoEta', vars) : t('run.progressStage', { ...vars, eta });
  return stage.next
    ? `${text} · ${t('run.stageThen', { stage: t(`run.stage.${stage.next}`) })}`
    : text;
}

/** Pause, advance one phase, resume — and what the phase just done means. */
function StepControls({
  runId,
  status,
  phase,
  cycleEnd,
  phases,
}: {
  runId: number;
  status: string;
  phase: { name: string; step: number } | null;
  /** The phase a "whole step" advances to (see AlgorithmSpec.cycleEnd). */
  cycleEnd?: string;
  /** What a pause after each phase means (the algorithm's view). */
  phases: AlgorithmView['phases'];
}) {
  const api = useApi();
  const { t } = useI18n();
  const explain = phase ? phases?.[phase.name] : undefined;
  return (
    <div className="step-controls">
      {status === 'running' && (
        <button onClick={() => void api.call('runs.pause', { id: runId })} data-testid="pause">
          ❚❚ {t('run.pause')}
        </button>
      )}
      {status === 'paused' && (
        <>
          <button
            className="primary"
            onClick={() => void api.call('runs.step', { id: runId })}
            data-testid="step"
          >
            {t('run.step')} ▸
          </button>
          {cycleEnd && (
            <button
              onClick={() => void api.call('runs.step', { id: runId, until: cycleEnd })}
              data-testid="step-cycle"
            >
              {t('run.stepCycle')} ▸▸
            </button>
          )}
          <button onClick={() => void api.call('runs.resume', { id: runId })} data-testid="resume">
            ▶ {t('run.resume')}
          </button>
        </>
      )}
      {status === 'paused' && explain && (
        <p className="explain phase" data-testid="phase-explain">
          {t(explain, { n: phase!.step })}
        </p>
      )}
    </div>
  );
}

/** Name, tags and note of a run, editable; and the actions on a saved run. */
function RunDetails({ run }: { run: RunInfo }) {
  const api = useApi();
  const { t } = useI18n();
  const [name, setName] = useState(run.name);
  const [tags, setTags] = useState(run.tags.join(', '));
  const [note, setNote] = useState(run.note);
  const [message, setMessage] = useState<string | null>(null);
  const { guard, busy } = useInFlight();
  const dirty = name !== run.name || tags !== run.tags.join(', ') || note !== run.note;
  const problems = {
    name: nameProblem(name, t),
    tags: tagsProblem(tags, t),
    note: noteProblem(note, t),
  };
  const fits = !problems.name && !problems.tags && !problems.note;
  async function save() {
    setMessage(null);
    try {
      await api.call('runs.update', {
        id: run.id,
        name: name.trim() || run.name,
        tags: parseTags(tags),
        note,
      });
      setMessage(t('run.saved'));
    } catch (e) {
      setMessage((e as Error).message);
    }
  }
  async function rerun() {
    try {
      const again = await api.call('runs.rerun', { id: run.id });
      navigate(`#/run/${again.id}`);
    } catch (e) {
      setMessage((e as Error).message);
    }
  }
  return (
    <section className="card" data-testid="run-details">
      <div className="row">
        <label className="field grow">
          <span className="field-label">{t('runs.col.name')}</span>
          <input
            value={name}
            aria-invalid={problems.name !== null}
            onChange={(e) => setName(e.target.value)}
            data-testid="run-name"
          />
          <LimitMessage message={problems.name} testId="run-name-limit" />
        </label>
        <label className="field grow">
          <span className="field-label">{t('run.tags')}</span>
          <input
            value={tags}
            placeholder={t('run.tagsHelp')}
            aria-invalid={problems.tags !== null}
            onChange={(e) => setTags(e.target.value)}
            data-testid="run-tags"
          />
          <LimitMessage message={problems.tags} testId="run-tags-limit" />
        </label>
        <button
          className="primary"
          disabled={!dirty || !fits}
          onClick={() => void save()}
          data-testid="run-save"
        >
          {t('run.save')}
        </button>
        <button
          onClick={() => void guard('rerun', rerun)}
          disabled={datasetGone(run) || busy('rerun')}
          title={t('run.rerunHelp')}
          data-testid="run-again"
        >
          {t('run.rerun')}
        </button>
        <button
          onClick={() => navigate(`#/new?fork=${run.id}`)}
          title={t('run.forkHelp')}
          data-testid="run-fork"
        >
          {t('run.fork')}
        </button>
      </div>
      <label className="field">
        <span className="field-label">{t('run.note')}</span>
        <textarea
          rows={2}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          data-testid="run-note"
        />
        <LimitMessage message={problems.note} testId="run-note-limit" />
      </label>
      {message && <p className="muted">{message}</p>}
    </section>
  );
}

export function RunPage({ runId }: { runId: number }) {
  const { t } = useI18n();
  const { run, metrics, data, error, notFound } = useRunData(runId);
  if (error)
    return <PageMessage error={notFound ? t('run.notFound', { id: runId }) : error} back="runs" />;
  if (!run) return <PageMessage />;
  return <RunView run={run} metrics={metrics} data={data} />;
}

function RunView({ run, metrics, data }: { run: RunInfo; metrics: MetricMap; data: RunTable }) {
  const api = useApi();
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  const active = isActiveStatus(run.status);
  const view = viewOf(run.algorithm);
  const artifacts = useStepArtifacts(run.id, view?.stepArtifactKind ?? null, !active);
  const queuePlace = useQueuePlace(run.id, run.status === 'queued');
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);

  const spec = specOf(run.algorithm);
  const pct = Math.round(run.progress * 100);
  const summary = run.summary;
  const about = `algo.${run.algorithm}.about`;

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
        {algorithmName(t, run.algorithm)} ·{' '}
        {run.datasetName === '' && run.datasetId === null ? (
          (view?.source?.(run, t) ?? '')
        ) : (
          <>
            {t('run.dataset')}: {run.datasetName} [{run.columns.join(', ')}]
            {datasetGone(run) && ` ${t('run.datasetDeleted')}`}
          </>
        )}{' '}
        · {t('run.seed')} {run.seed}
        {run.backend && (
          <>
            {' '}
            · {t('run.backend')}: {run.backend}
          </>
        )}
      </p>
      {spec?.steppable && active && (
        <StepControls
          runId={run.id}
          status={run.status}
          phase={run.phase}
          cycleEnd={spec.cycleEnd}
          phases={view?.phases}
        />
      )}
      {(active || run.status === 'completed') && (
        <div className="progress" aria-label="progress">
          <div className="progress-bar" style={{ width: `${pct}%` }} />
          <span data-testid="run-progress">{progressText(run, now, t)}</span>
        </div>
      )}
      {run.status === 'queued' && (
        <p className="notice" role="status" data-testid="queue-place">
          {!queuePlace
            ? t('run.queuedElsewhere')
            : t(queuePlace.position === 1 ? 'run.queuedNext' : 'run.queued', {
                position: queuePlace.position,
                workers: queuePlace.maxWorkers,
              })}
        </p>
      )}
      {datasetGone(run) && (
        <p className="notice" data-testid="dataset-gone">
          {t('run.datasetGone', { name: run.datasetName })}
        </p>
      )}
      {run.error && (
        <div className="error" role="alert">
          <strong>{t('run.error')}:</strong>{' '}
          {run.errorText && isMessageKey(run.errorText.key)
            ? t(run.errorText.key, run.errorText.vars)
            : run.error}
        </div>
      )}
      {!view ? (
        <p className="error" data-testid="no-views">
          {t('run.noViews', { algorithm: run.algorithm })}
        </p>
      ) : !active && run.status !== 'completed' && metrics.size === 0 && artifacts.size === 0 ? (
        // Ended before its first step (refused data, cancelled at once): no empty charts.
        <p className="muted" data-testid="nothing-recorded">
          {t('run.nothingRecorded')}
        </p>
      ) : (
        <>
          <view.Panel run={run} metrics={metrics} artifacts={artifacts} data={data} />
          {view.UseModel && !active && (
            <view.UseModel key={`use-model-${run.id}`} run={run} data={data} />
          )}
        </>
      )}
      {isMessageKey(about) && <p className="explain">{t(about)}</p>}
      {!active && <RunDetails key={run.id} run={run} />}
      {!active && <ExportPanel ids={[run.id]} />}
      <div className="two-col">
        <section className="card">
          <h2>{t('run.params')}</h2>
          <table className="data-table">
            <tbody>
              {/* A field that did not apply (e.g. the formula of a preset target) is not shown. */}
              {Object.entries(appliedParams(run.algorithm, run.params)).map(([k, v]) => {
                const label = labelKey(run.algorithm, k);
                return (
                  <tr key={k}>
                    <th>{label ? t(label) : k}</th>
                    <td>{formatParam(k, v, t)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <RunNotes run={run} />
        </section>
        {summary && (
          <section className="card" data-testid="run-result">
            <h2>{t('run.result')}</h2>
            <SummaryTable summary={summary} view={view} t={t} />
            {view?.ResultDetail && <view.ResultDetail run={run} />}
          </section>
        )}
      </div>
    </div>
  );
}
