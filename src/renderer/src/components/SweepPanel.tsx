import { useMemo, useState } from 'react';
import type { GmmSweepSummary } from '../../../shared/algorithms/gmm';
import { metricLineOption } from '../../../shared/charts';
import { optionLabel } from '../../../shared/i18n';
import { useI18n } from '../i18n';
import { EChart } from './EChart';
import type { RunPanelProps } from '../algorithms/types';
import { MixtureView, mixtureOf } from './GmmViews';

const typeLabel = (type: string, t: ReturnType<typeof useI18n>['t']) =>
  optionLabel(t, 'covarianceType', type);

/** Model selection: BIC (or AIC) against K per covariance type, and every fit, openable. */
export function SweepPanel({ run, metrics, artifacts, data }: RunPanelProps) {
  const { t } = useI18n();
  const [criterion, setCriterion] = useState<'bic' | 'aic'>('bic');
  const summary = run.summary as unknown as GmmSweepSummary | null;
  const fits = useMemo(
    () =>
      [...artifacts.values()]
        .sort((a, b) => a.step - b.step)
        .map((a) => ({
          step: a.step,
          meta: a.meta as {
            k: number;
            covarianceType: string;
            bic: number;
            aic: number;
            meanLogLikelihood: number;
            converged: boolean;
          },
        })),
    [artifacts],
  );
  const [open, setOpen] = useState<number | null>(null);
  const best = summary?.best ?? null;
  const option = useMemo(() => {
    const series = [...metrics]
      .filter(([key]) => key.startsWith(`${criterion}:`))
      .map(([key, values]) => {
        const ks = [...values.keys()].sort((a, b) => a - b);
        return {
          name: typeLabel(key.slice(criterion.length + 1), t),
          steps: ks,
          values: ks.map((k) => values.get(k)!),
        };
      });
    const bestPoint =
      best && criterion === 'bic'
        ? {
            series: typeLabel(best.covarianceType, t),
            x: best.k,
            y: best.bic,
            label: t('sweep.best'),
          }
        : null;
    return metricLineOption({
      title: t(criterion === 'bic' ? 'sweep.bicTitle' : 'sweep.aicTitle'),
      xName: t('sweep.kAxis'),
      yName: t(criterion === 'bic' ? 'sweep.bicAxis' : 'sweep.aicAxis'),
      series,
      mark: bestPoint,
    });
  }, [metrics, criterion, best, t]);
  const openFit = fits.find((f) => f.step === open) ?? null;
  const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');
  return (
    <div className="two-col">
      <section className="card">
        <EChart option={option} testId="sweep-chart" />
        <label className="check">
          <input
            type="checkbox"
            checked={criterion === 'aic'}
            onChange={(e) => setCriterion(e.target.checked ? 'aic' : 'bic')}
          />
          {t('sweep.showAic')}
        </label>
        {summary?.fits.some((f) => f.error) && (
          <ul className="muted">
            {summary.fits
              .filter((f) => f.error)
              .map((f) => (
                <li key={`${f.k}-${f.covarianceType}`}>
                  {t('sweep.fitTitle', { k: f.k, type: typeLabel(f.covarianceType, t) })}:{' '}
                  {t('sweep.failed', { error: f.error! })}
                </li>
              ))}
          </ul>
        )}
      </section>
      <section className="card">
        {openFit && data ? (
          <MixtureView
            data={data}
            columns={run.columns}
            mixture={mixtureOf(artifacts.get(openFit.step))}
            coloring="label"
            title={t('sweep.fitTitle', {
              k: openFit.meta.k,
              type: typeLabel(openFit.meta.covarianceType, t),
            })}
            testId="sweep-fit-view"
          />
        ) : (
          <h2>{t('sweep.fits')}</h2>
        )}
        <div className="table-scroll">
          <table className="data-table" data-testid="sweep-table">
            <thead>
              <tr>
                <th>{t('sweep.col.k')}</th>
                <th>{t('sweep.col.type')}</th>
                <th>BIC</th>
                <th>AIC</th>
                <th>{t('sweep.col.loglik')}</th>
              </tr>
            </thead>
            <tbody>
              {fits.map((f) => {
                const isBest =
                  best && best.k === f.meta.k && best.covarianceType === f.meta.covarianceType;
                return (
                  <tr
                    key={f.step}
                    className={`clickable${open === f.step ? ' selected' : ''}${isBest ? ' best' : ''}`}
                    onClick={() => setOpen(f.step)}
                  >
                    <td>{f.meta.k}</td>
                    <td>
                      {typeLabel(f.meta.covarianceType, t)}{' '}
                      {isBest && <span className="badge">{t('sweep.best')}</span>}
                    </td>
                    <td>{fmt(f.meta.bic)}</td>
                    <td>{fmt(f.meta.aic)}</td>
                    <td>{f.meta.meanLogLikelihood.toFixed(4)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
