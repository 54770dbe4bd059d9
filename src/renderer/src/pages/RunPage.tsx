import { useEffect, useState } from 'react';
import { algorithmSpecs, appliedParams } from '../../../shared/algorithms';
import type { ParamValue } from '../../../shared/algorithms/fields';
import { datasetGone, isActiveStatus, type RunInfo } from '../../../shared/api';
import { mixtureSchema, type Mixture } from '../../../shared/artifacts';
import { isMessageKey, optionLabel } from '../../../shared/i18n';
import { GmmPanel } from '../components/GmmViews';
import { labelKey } from '../components/ParamForm';
import { SweepPanel } from '../components/SweepPanel';
import { UseModel } from '../components/UseModel';
import { VaePanel } from '../components/VaePanel';
import { RbmPanel } from '../components/RbmPanel';
import { GanPanel } from '../components/GanPanel';
import { McmcPanel } from '../components/McmcPanel';
import { ExportPanel } from '../components/ExportPanel';
import { navigate, useApi } from '../context';
import { useRunData } from '../hooks/useRunData';
import { useI18n } from '../i18n';
import { PageMessage } from '../components/PageMessage';
import { RunNotes } from '../components/RunNotes';
import { fmt, formatDuration, formatParam } from '../format';

type T = ReturnType<typeof useI18n>['t'];

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

const summaryRows = [
  'covarianceType',
  'meanLogLikelihood',
  'bic',
  'aic',
  'iterations',
  'converged',
  // VAE
  'testLoss',
  'testIwae',
  'iwaeK',
  'trainLoss',
  'activeUnits',
  'epochs',
  'steps',
  // RBM
  'testLogLikelihood',
  'trainLogLikelihood',
  'logZ',
  'logZStd',
  'aisRuns',
  'aisTemperatures',
  'testPll',
  'trainPll',
  'testFreeEnergy',
  'trainFreeEnergy',
  'reconError',
  'secondsPerEpoch',
  'trainRows',
  'testRows',
  // MCMC, HMC
  'minEssBulk',
  'maxRhat',
  'minEssBulkPerSecond',
  'minEssBulkPerEvaluation',
  'acceptance',
  'divergences',
  'evaluations',
  // GAN
  'modesCovered',
  'highQuality',
  'kl',
  'js',
  'dReal',
  'dFake',
  'dLoss',
  'gLoss',
] as const;

function SummaryTable({ summary, t }: { summary: Record<string, unknown>; t: T }) {
  const cell = (k: string, v: unknown) =>
    typeof v === 'boolean'
      ? t(v ? 'summary.yes' : 'summary.no')
      : typeof v === 'number'
        ? fmt(v)
        : formatParam(k, v as ParamValue, t);
  const restarts = summary.initLogLikelihoods as number[] | undefined;
  const best = summary.best as { k: number; covarianceType: string; bic: number } | undefined;
  return (
    <table className="data-table">
      <tbody>
        {summaryRows.map((k) =>
          k in summary ? (
            <tr key={k}>
              <th>{t(`summary.${k}`)}</th>
              <td>{cell(k, summary[k])}</td>
            </tr>
          ) : null,
        )}
        {restarts && restarts.length > 1 && (
          <tr>
            <th>{t('summary.restarts')}</th>
            <td>
              {restarts.length} ({Number(summary.bestInit) + 1})
            </td>
          </tr>
        )}
        {best && (
          <tr>
            <th>{t('summary.bestModel')}</th>
            <td data-testid="best-model">
              K = {best.k}, {formatParam('covarianceType', best.covarianceType, t)}, BIC{' '}
              {fmt(best.bic)}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** Pause, advance one phase, resume — and what the phase just done means. */
function StepControls({
  runId,
  status,
  phase,
  cycleEnd,
}: {
  runId: number;
  status: string;
  phase: { name: string; step: number } | null;
  /** The phase a "whole step" advances to (see AlgorithmSpec.cycleEnd). */
  cycleEnd?: string;
}) {
  const api = useApi();
  const { t } = useI18n();
  const explain = phase ? `run.phase.${phase.name}` : null;
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
      {status === 'paused' && explain && isMessageKey(explain) && (
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
  const dirty = name !== run.name || tags !== run.tags.join(', ') || note !== run.note;
  async function save() {
    setMessage(null);
    try {
      await api.call('runs.update', {
        id: run.id,
        name: name.trim() || run.name,
        tags: tags
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
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
          <input value={name} onChange={(e) => setName(e.target.value)} data-testid="run-name" />
        </label>
        <label className="field grow">
          <span className="field-label">{t('run.tags')}</span>
          <input
            value={tags}
            placeholder={t('run.tagsHelp')}
            onChange={(e) => setTags(e.target.value)}
            data-testid="run-tags"
          />
        </label>
        <button
          className="primary"
          disabled={!dirty}
          onClick={() => void save()}
          data-testid="run-save"
        >
          {t('run.save')}
        </button>
        <button
          onClick={() => void rerun()}
          disabled={datasetGone(run)}
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
      </label>
      {message && <p className="muted">{message}</p>}
    </section>
  );
}

export function RunPage({ runId }: { runId: number }) {
  const api = useApi();
  const { t } = useI18n();
  const { run, metrics, artifacts, data, error } = useRunData(runId);
  const [now, setNow] = useState(Date.now());
  const active = run ? isActiveStatus(run.status) : false;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);

  if (error) return <PageMessage error={error} />;
  if (!run) return <PageMessage />;

  const spec = algorithmSpecs[run.algorithm];
  const pct = Math.round(run.progress * 100);
  const elapsed = run.startedAt ? (now - Date.parse(run.startedAt)) / 1000 : 0;
  const eta =
    run.progress > 0.02 && run.status === 'running'
      ? (elapsed * (1 - run.progress)) / run.progress
      : null;
  const summary = run.summary;
  const finalMixture = summary ? mixtureSchema.safeParse(summary) : null;
  const title = `algo.${run.algorithm}`;
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
        {isMessageKey(title) ? t(title) : run.algorithm} ·{' '}
        {run.datasetName === '' && run.datasetId === null ? (
          <>
            {run.algorithm === 'gan' ? (
              <>
                {t('param.gan.source')}: {optionLabel(t, 'source', String(run.params.source))}
              </>
            ) : (
              <>
                {t('run.target')}: {optionLabel(t, 'target', String(run.params.target))}
              </>
            )}
          </>
        ) : (
          <>
            {t('run.dataset')}: {run.datasetName} [{run.columns.join(', ')}]
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
        />
      )}
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
          <strong>{t('run.error')}:</strong>{' '}
          {run.errorText && isMessageKey(run.errorText.key)
            ? t(run.errorText.key, run.errorText.vars)
            : run.error}
        </div>
      )}
      {!active && run.status !== 'completed' && metrics.size === 0 && artifacts.size === 0 ? (
        // Ended before its first step (refused data, cancelled at once): no empty charts.
        <p className="muted" data-testid="nothing-recorded">
          {t('run.nothingRecorded')}
        </p>
      ) : run.algorithm === 'gmm-sweep' ? (
        <SweepPanel run={run} metrics={metrics} artifacts={artifacts} data={data} />
      ) : run.algorithm === 'vae' ? (
        <VaePanel run={run} metrics={metrics} artifacts={artifacts} data={data} />
      ) : run.algorithm === 'rbm' ? (
        <RbmPanel run={run} metrics={metrics} artifacts={artifacts} data={data} />
      ) : run.algorithm === 'gan' ? (
        <GanPanel run={run} metrics={metrics} artifacts={artifacts} data={data} />
      ) : run.algorithm === 'mcmc' || run.algorithm === 'hmc' ? (
        <McmcPanel run={run} metrics={metrics} artifacts={artifacts} data={data} />
      ) : (
        <GmmPanel run={run} metrics={metrics} artifacts={artifacts} data={data} />
      )}
      {run.algorithm === 'gmm' && run.status === 'completed' && <UseModel run={run} data={data} />}
      {run.algorithm === 'gmm' && run.status === 'completed' && (
        <p>
          <a href={`#/new?sampleGmm=${run.id}`} data-testid="sample-fit">
            {t('run.sampleFit')}
          </a>
        </p>
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
            <SummaryTable summary={summary} t={t} />
            {finalMixture?.success && (
              <MixtureTable mixture={finalMixture.data} columns={run.columns} />
            )}
          </section>
        )}
      </div>
    </div>
  );
}
