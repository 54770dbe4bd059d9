import { useCallback, useEffect, useState } from 'react';
import { algorithmSpecs } from '../../../shared/algorithms';
import { isActiveStatus, type RunInfo } from '../../../shared/api';
import { isMessageKey } from '../../../shared/i18n';
import { navigate, useApi } from '../context';
import { useI18n } from '../i18n';

export function RunsPage() {
  const api = useApi();
  const { t, lang } = useI18n();
  const [runs, setRuns] = useState<RunInfo[] | null>(null);
  const reload = useCallback(() => void api.call('runs.list', {}).then(setRuns), [api]);
  useEffect(() => {
    reload();
    // Keep statuses live; a run.updated for an unknown run means a new one.
    return api.on('run.updated', (r) =>
      setRuns((prev) =>
        prev && prev.some((x) => x.id === r.id)
          ? prev.map((x) => (x.id === r.id ? r : x))
          : [r, ...(prev ?? [])],
      ),
    );
  }, [api, reload]);

  async function remove(r: RunInfo) {
    if (!confirm(t('runs.confirmDelete', { name: r.name }))) return;
    try {
      await api.call('runs.delete', { id: r.id });
      reload();
    } catch (e) {
      alert((e as Error).message);
    }
  }

  if (runs === null)
    return (
      <div className="page">
        <p>{t('common.loading')}</p>
      </div>
    );
  return (
    <div className="page">
      <h1>{t('runs.title')}</h1>
      {runs.length === 0 ? (
        <p>{t('runs.empty')}</p>
      ) : (
        <table className="data-table runs-table">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('runs.col.name')}</th>
              <th>{t('runs.col.algorithm')}</th>
              <th>{t('runs.col.dataset')}</th>
              <th>{t('runs.col.status')}</th>
              <th>{t('runs.col.result')}</th>
              <th>{t('runs.col.created')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const headline = algorithmSpecs[r.algorithm]?.headline.key;
              const value = headline && r.summary ? r.summary[headline] : undefined;
              const algo = `algo.${r.algorithm}`;
              return (
                <tr key={r.id} data-testid="run-row">
                  <td>{r.id}</td>
                  <td>
                    <a href={`#/run/${r.id}`}>{r.name}</a>
                  </td>
                  <td>{isMessageKey(algo) ? t(algo) : r.algorithm}</td>
                  <td>{r.datasetName}</td>
                  <td>
                    <span className={`status status-${r.status}`}>
                      {t(`run.status.${r.status}`)}
                    </span>
                  </td>
                  <td>
                    {typeof value === 'number'
                      ? `${isMessageKey(`summary.${headline}`) ? t(`summary.${headline}` as 'summary.bic') : headline} ${value.toFixed(4)}`
                      : ''}
                  </td>
                  <td>{new Date(r.createdAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB')}</td>
                  <td className="actions">
                    <button onClick={() => navigate(`#/run/${r.id}`)}>{t('common.open')}</button>
                    <button
                      className="danger"
                      disabled={isActiveStatus(r.status)}
                      onClick={() => void remove(r)}
                    >
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
