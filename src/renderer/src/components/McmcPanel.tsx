import { useMemo, useState } from 'react';
import { isActiveStatus, type StoredArtifact } from '../../../shared/api';
import type { ArtifactKind } from '../../../shared/artifacts';
import { concat } from '../../../shared/concat';
import { formatValue, metricLineOption, pairsOption } from '../../../shared/charts';
import {
  drawsColumn,
  drawsCsv,
  parameterNames,
  type AssembledDraws,
  type TargetFieldMeta,
  type TransitionMeta,
} from '../../../shared/draws';
import {
  autocorrelation,
  diagnosticThresholds,
  summarizeParameter,
  type ParameterSummary,
} from '../../../shared/mcmc-diagnostics';
import {
  lagOption,
  marginalOption,
  targetViewOption,
  traceOption,
  type TargetGrid,
} from '../../../shared/sampling-charts';
import { downloadFile } from '../download';
import { fmt as formatNumber } from '../format';
import { useDraws } from '../hooks/useDraws';
import { useRunArtifacts } from '../hooks/useRunData';
import { useI18n } from '../i18n';
import { EChart } from './EChart';
import type { RunPanelProps } from '../algorithms/types';

const KINDS: readonly ArtifactKind[] = ['field2d', 'trajectory'];
/** Points per chain drawn over the target (the latest ones): enough to see, light to redraw. */
const MAX_POINTS_PER_CHAIN = 4000;
/** Diagnostics computed live for at most this many parameters (the final summary has all). */
const LIVE_SUMMARY_PARAMS = 12;
const LIVE_SUMMARY_MAX_DRAWS = 20_000;
const MAX_LAG = 50;
/** E-BFMI below this suggests the momentum resampling cannot explore the energy (Stan's 0.3). */
const EBFMI_LOW = 0.3;
/** Parameters in the pairs grid at most (a 5 × 5 lower triangle stays readable). */
const MAX_PAIRS = 5;

type T = ReturnType<typeof useI18n>['t'];

/** Each chain's (x, y) draws of two parameters, the latest `max` of them. */
function chainPoints(
  draws: AssembledDraws,
  xName: string,
  yName: string,
  max: number,
): { xy: Float64Array; warmupCount: number }[] {
  const xs = drawsColumn(draws, xName, 0);
  const ys = drawsColumn(draws, yName, 0);
  return xs.map((x, c) => {
    const from = Math.max(0, x.length - max);
    const xy = new Float64Array((x.length - from) * 2);
    for (let t = from; t < x.length; t++) {
      xy[2 * (t - from)] = x[t];
      xy[2 * (t - from) + 1] = ys[c][t];
    }
    return { xy, warmupCount: Math.max(0, Math.min(draws.warmup, x.length) - from) };
  });
}

/** What the latest recorded move did, in words (step mode's explanation). */
export function explainMove(meta: TransitionMeta, t: T): string {
  const f = (v: number) => formatNumber(v, 3);
  const point = (p: readonly number[]) => `(${p.map(f).join(', ')})`;
  const verdict = t(meta.accepted ? 'mcmc.explain.accepted' : 'mcmc.explain.rejected');
  let text: string;
  switch (meta.sampler) {
    case 'metropolis':
      text = t('mcmc.explain.metropolis', {
        from: point(meta.from),
        proposal: point(meta.proposal ?? meta.to),
        scale: f(meta.stepSize),
        a: f(meta.acceptStat),
        verdict,
      });
      break;
    case 'gibbs':
      text = t('mcmc.explain.gibbs', { from: point(meta.from), to: point(meta.to) });
      break;
    case 'hmc':
      text = t('mcmc.explain.hmc', {
        steps: meta.leapfrogSteps ?? 0,
        eps: f(meta.stepSize),
        a: f(meta.acceptStat),
        verdict,
      });
      break;
    default:
      text = t('mcmc.explain.nuts', {
        depth: meta.treeDepth ?? 0,
        steps: meta.leapfrogSteps ?? 0,
        eps: f(meta.stepSize),
        a: f(meta.acceptStat),
        to: point(meta.to),
      });
  }
  if (meta.warmup) text += ' ' + t('mcmc.explain.warmup');
  if (meta.divergent) text += ' ' + t('mcmc.explain.divergent');
  return text;
}

/** One diagnostic in the table: its value (— when not finite), flagged with a warning when bad. */
function DiagnosticCell({
  value,
  text,
  bad,
  warning,
}: {
  value: number;
  text: (v: number) => string | number;
  bad: boolean;
  warning: string;
}) {
  return (
    <td className={bad ? 'flag' : ''} title={bad ? warning : ''}>
      {Number.isFinite(value) ? text(value) : '—'}
      {bad && ' ⚠'}
    </td>
  );
}

function DiagnosticsTable({ rows, live }: { rows: ParameterSummary[]; live: boolean }) {
  const { t } = useI18n();
  // Three significant digits: estimates near 0 (a mean of 1e-4, its MCSE) keep their size.
  const f = (v: number, digits = 3) =>
    Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : '—';
  return (
    <section className="card" data-testid="diagnostics">
      <h2>{t(live ? 'mcmc.diag.titleLive' : 'mcmc.diag.title')}</h2>
      <p className="muted">
        {t('mcmc.diag.thresholds', {
          rhat: diagnosticThresholds.rhat,
          ess: diagnosticThresholds.ess,
        })}
      </p>
      <div className="table-scroll">
        <table className="data-table numeric">
          <thead>
            <tr>
              <th>{t('mcmc.diag.parameter')}</th>
              <th>{t('mcmc.diag.mean')}</th>
              <th>{t('mcmc.diag.sd')}</th>
              <th>{t('mcmc.diag.mcse')}</th>
              <th>5%</th>
              <th>50%</th>
              <th>95%</th>
              <th>R̂</th>
              <th>{t('mcmc.diag.essBulk')}</th>
              <th>{t('mcmc.diag.essTail')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const badR = !(r.rhat < diagnosticThresholds.rhat);
              const badBulk = !(r.essBulk > diagnosticThresholds.ess);
              const badTail = !(r.essTail > diagnosticThresholds.ess);
              return (
                <tr key={r.name}>
                  <td>{r.name}</td>
                  <td>{f(r.mean)}</td>
                  <td>{f(r.sd)}</td>
                  <td>{f(r.mcseMean, 2)}</td>
                  <td>{f(r.q5)}</td>
                  <td>{f(r.q50)}</td>
                  <td>{f(r.q95)}</td>
                  <DiagnosticCell
                    value={r.rhat}
                    text={(v) => v.toFixed(3)}
                    bad={badR}
                    warning={t('mcmc.diag.badRhat')}
                  />
                  <DiagnosticCell
                    value={r.essBulk}
                    text={(v) => Math.round(v)}
                    bad={badBulk}
                    warning={t('mcmc.diag.badEss')}
                  />
                  <DiagnosticCell
                    value={r.essTail}
                    text={(v) => Math.round(v)}
                    bad={badTail}
                    warning={t('mcmc.diag.badEss')}
                  />
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function summaryParameters(summary: Record<string, unknown> | null): ParameterSummary[] | null {
  const p = summary?.parameters;
  return Array.isArray(p) ? (p as ParameterSummary[]) : null;
}

/** MCMC and HMC runs: the target and the moves (2-D), traces, autocorrelation, diagnostics. */
export function McmcPanel({ run, metrics }: RunPanelProps) {
  const { t } = useI18n();
  const ended = !isActiveStatus(run.status);
  const draws = useDraws(run.id, ended);
  const artifacts = useRunArtifacts(run.id, ended, KINDS);
  const field = artifacts.find((a) => a.kind === 'field2d') as StoredArtifact | undefined;
  const targetMeta = field?.meta as TargetFieldMeta | undefined;
  const moves = useMemo(() => artifacts.filter((a) => a.kind === 'trajectory'), [artifacts]);
  const [moveIndex, setMoveIndex] = useState<number | null>(null);
  const move = moves.length ? moves[moveIndex ?? moves.length - 1] : undefined;

  const names = draws ? parameterNames(draws) : [];
  const [picked, setPicked] = useState<string | null>(null);
  const param = picked && names.includes(picked) ? picked : (names[0] ?? null);
  const [pair, setPair] = useState<[string, string] | null>(null);
  const pairNames: [string, string] | null =
    pair && names.includes(pair[0]) && names.includes(pair[1])
      ? pair
      : names.length >= 2
        ? [names[0], names[1]]
        : null;

  // Pairs grid (more than two parameters): the first four unless the user chose others.
  const [pairsChosen, setPairsChosen] = useState<string[] | null>(null);
  const pairsNames = (pairsChosen ?? names.slice(0, 4)).filter((n) => names.includes(n));

  const grid: TargetGrid | null =
    targetMeta && field?.data
      ? { size: targetMeta.size, bounds: targetMeta.bounds, logDensity: field.data }
      : null;
  const iterations = draws?.iterations ?? 0;

  const targetOption = useMemo(() => {
    if (!draws || !pairNames) return null;
    const showTarget = grid !== null && pairNames[0] === names[0] && pairNames[1] === names[1];
    return targetViewOption({
      // An imported run has the density but no recorded moves.
      title: t(
        !showTarget ? 'mcmc.view.pair' : move?.data ? 'mcmc.view.target' : 'mcmc.view.targetDraws',
      ),
      names: pairNames,
      grid: showTarget ? grid : null,
      points: chainPoints(draws, pairNames[0], pairNames[1], MAX_POINTS_PER_CHAIN),
      move:
        showTarget && move?.data
          ? { meta: move.meta as TransitionMeta, path: move.data as Float64Array }
          : null,
      label: t,
    });
    // `iterations` marks new draws (the arrays are views that grow in place).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draws, iterations, pairNames?.[0], pairNames?.[1], grid, move, t]);

  const kept = useMemo(
    () => (draws && param ? drawsColumn(draws, param) : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [draws, iterations, param],
  );
  const traceOpt = useMemo(
    () =>
      draws && param
        ? traceOption({
            title: t('mcmc.view.trace', { p: param }),
            chains: drawsColumn(draws, param, 0),
            warmup: draws.warmup,
            label: t,
          })
        : null,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [draws, iterations, param, t],
  );
  const acfOpt = useMemo(
    () =>
      kept && kept[0].length > 4
        ? lagOption({
            title: t('mcmc.view.acf', { p: param! }),
            xName: t('mcmc.view.lag'),
            chains: kept.map((x) => autocorrelation(x, Math.min(MAX_LAG, x.length - 1))),
            label: t,
          })
        : null,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [draws, iterations, param, t],
  );
  const truth = targetMeta?.truth;
  const runningOpt = useMemo(() => {
    if (!kept || kept[0].length === 0 || !draws) return null;
    const j = names.indexOf(param!);
    return lagOption({
      title: t('mcmc.view.running', { p: param! }),
      xName: t('mcmc.view.iteration'),
      offset: draws.warmup,
      chains: kept.map((x) => {
        const out = new Float64Array(x.length);
        let s = 0;
        for (let i = 0; i < x.length; i++) out[i] = (s += x[i]) / (i + 1);
        return out;
      }),
      reference: truth && j >= 0 ? truth.mean[j] : null,
      label: t,
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draws, iterations, param, truth, t]);
  const marginals = useMemo(() => {
    if (!draws || !pairNames || !grid) return null;
    // During warm-up there is nothing kept yet: show the warm-up draws meanwhile.
    const from = iterations > draws.warmup ? draws.warmup : 0;
    return pairNames.map((p) =>
      marginalOption({
        title: t('mcmc.view.marginal', { p }),
        values: concatChains(drawsColumn(draws, p, from)),
        label: t,
      }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draws, iterations, pairNames?.[0], pairNames?.[1], grid, t]);

  const pairsOpt = useMemo(() => {
    if (!draws || names.length <= 2 || pairsNames.length < 2) return null;
    const cols = pairsNames.map((p) => concatChains(drawsColumn(draws, p)));
    // Every chain's kept draws pooled, thinned to at most ~2,000 points per panel.
    const n = cols[0].length;
    const stride = Math.max(1, Math.ceil(n / 2000));
    const rows = Math.ceil(n / stride);
    const values = new Float64Array(rows * cols.length);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < cols.length; j++) values[r * cols.length + j] = cols[j][r * stride];
    return pairsOption({
      title: t('mcmc.view.pairs'),
      values,
      cols: cols.length,
      columns: pairsNames,
      mixture: null,
      label: t,
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draws, iterations, pairsNames.join(','), t]);

  // Diagnostics: the run's own at the end; live for the first few parameters while it runs.
  const final = ended ? summaryParameters(run.summary) : null;
  const total = (Number(run.params.warmup) || 0) + (Number(run.params.draws) || 0);
  const liveRows = useMemo(() => {
    if (final || !draws || iterations - draws.warmup < 20) return null;
    // Each summary ranks every draw: past this many per chain, only the final table (the run's
    // own, computed once by the engine) keeps the page responsive.
    if (iterations - draws.warmup > LIVE_SUMMARY_MAX_DRAWS) return null;
    return names
      .slice(0, LIVE_SUMMARY_PARAMS)
      .map((p) => summarizeParameter(p, drawsColumn(draws, p)));
    // Recomputed about twenty times over a run, not at every chunk.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [final, draws, Math.floor(iterations / Math.max(50, Math.ceil(total / 20)))]);

  const metricChart = (key: string, title: string) => {
    const series = metrics.get(key);
    if (!series || series.size === 0) return null;
    const steps = [...series.keys()].sort((a, b) => a - b);
    return (
      <EChart
        option={metricLineOption({
          title,
          xName: t('mcmc.view.iteration'),
          yName: '',
          series: [{ name: title, steps, values: steps.map((s) => series.get(s)!) }],
          // A short chart: three y steps, so its labels do not crowd each other.
          ySplits: 3,
        })}
        height={220}
        testId={`metric-${key}`}
      />
    );
  };

  const summary = run.summary as Record<string, number | number[]> | null;
  const hamiltonian = run.algorithm === 'hmc';
  return (
    <div className="mcmc-panel">
      <p className="muted" data-testid="draws-count">
        {t('mcmc.progress', {
          n: iterations,
          total,
          chains: draws?.chains ?? Number(run.params.chains),
        })}
        {summary && typeof summary.divergences === 'number' && hamiltonian && (
          <> · {t('mcmc.divergences', { n: summary.divergences })}</>
        )}
        {summary &&
          typeof summary.seconds === 'number' &&
          typeof summary.minEssBulk === 'number' && (
            <>
              {' '}
              ·{' '}
              {t('mcmc.essPerSecond', {
                // An effective sample size is a count: whole, as Stan prints it.
                ess: formatValue(summary.minEssBulk, { integer: true }),
                rate: formatValue(summary.minEssBulk / summary.seconds),
              })}
            </>
          )}
        {summary && Array.isArray(summary.ebfmi) && summary.ebfmi.length > 0 && (
          <span
            className={summary.ebfmi.some((e) => e < EBFMI_LOW) ? 'flag' : ''}
            title={t('mcmc.ebfmiHelp', { low: EBFMI_LOW })}
            data-testid="ebfmi"
          >
            {' '}
            · {t('mcmc.ebfmi', { values: summary.ebfmi.map((e) => e.toFixed(2)).join(', ') })}
            {summary.ebfmi.some((e) => e < EBFMI_LOW) && ' ⚠'}
          </span>
        )}
      </p>
      {targetOption && (
        <div className="mcmc-target">
          <div className="mcmc-main">
            <EChart option={targetOption} height={580} testId="mcmc-target" />
            {moves.length > 1 && ended && (
              <label className="field inline">
                <span className="field-label">{t('mcmc.view.move')}</span>
                <input
                  type="range"
                  min={0}
                  max={moves.length - 1}
                  value={moveIndex ?? moves.length - 1}
                  onChange={(e) => setMoveIndex(Number(e.target.value))}
                />
              </label>
            )}
            {move && (
              <p className="explain" data-testid="move-explain">
                {t('mcmc.explain.iteration', { n: (move.meta as TransitionMeta).iteration + 1 })}{' '}
                {explainMove(move.meta as TransitionMeta, t)}
              </p>
            )}
          </div>
          {marginals && (
            <div className="mcmc-marginals">
              {marginals.map((o, i) => (
                <EChart key={i} option={o} height={220} testId={`marginal-${i}`} />
              ))}
            </div>
          )}
        </div>
      )}
      {names.length > 2 && pairNames && (
        <div className="row">
          <label className="field inline">
            <span className="field-label">{t('mcmc.view.pairX')}</span>
            <select value={pairNames[0]} onChange={(e) => setPair([e.target.value, pairNames[1]])}>
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
          <label className="field inline">
            <span className="field-label">{t('mcmc.view.pairY')}</span>
            <select value={pairNames[1]} onChange={(e) => setPair([pairNames[0], e.target.value])}>
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
        </div>
      )}
      {names.length > 2 && (
        <section className="card" data-testid="pairs">
          <div className="choices">
            {names.slice(0, 40).map((n) => (
              <label key={n} className="check">
                <input
                  type="checkbox"
                  checked={pairsNames.includes(n)}
                  disabled={!pairsNames.includes(n) && pairsNames.length >= MAX_PAIRS}
                  onChange={(e) =>
                    setPairsChosen(
                      e.target.checked
                        ? names.filter((x) => x === n || pairsNames.includes(x))
                        : pairsNames.filter((x) => x !== n),
                    )
                  }
                />
                {n}
              </label>
            ))}
          </div>
          {pairsOpt ? (
            <EChart option={pairsOpt} height={520} testId="pairs-chart" />
          ) : (
            <p className="muted">{t('mcmc.view.pairsHint', { n: MAX_PAIRS })}</p>
          )}
        </section>
      )}
      <div className="two-col">
        {metricChart('logDensity', t('mcmc.metric.logDensity'))}
        {metricChart('acceptance', t('mcmc.metric.acceptance'))}
      </div>
      {names.length > 0 && (
        <section className="card">
          <label className="field inline">
            <span className="field-label">{t('mcmc.view.parameter')}</span>
            <select
              value={param ?? ''}
              onChange={(e) => setPicked(e.target.value)}
              data-testid="param-select"
            >
              {names.map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
          {traceOpt && <EChart option={traceOpt} height={260} testId="trace" />}
          <div className="two-col">
            {acfOpt && <EChart option={acfOpt} height={240} testId="acf" />}
            {runningOpt && <EChart option={runningOpt} height={240} testId="running-mean" />}
          </div>
        </section>
      )}
      {(final ?? liveRows) && <DiagnosticsTable rows={(final ?? liveRows)!} live={!final} />}
      {ended && draws && (
        <div className="row">
          <button
            onClick={() =>
              downloadFile(`run-${run.id}-draws.csv`, drawsCsv(draws), 'text/csv;charset=utf-8')
            }
          >
            {t('mcmc.downloadDraws')}
          </button>
          {run.summary && (
            <button
              onClick={() =>
                downloadFile(
                  `run-${run.id}-diagnostics.json`,
                  JSON.stringify(run.summary, null, 2),
                  'application/json',
                )
              }
            >
              {t('mcmc.downloadDiagnostics')}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

const concatChains = (chains: Float64Array[]) => concat(chains, (n) => new Float64Array(n));
