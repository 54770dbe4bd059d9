import { useCallback, useEffect, useState } from 'react';
import type { DatasetMeta } from '../../../shared/api';
import { ImportData } from '../components/ImportData';
import { navigate, useApi } from '../context';
import { useI18n } from '../i18n';
import type { IncomingTable } from '../desktop';

export function DataPage({ incoming }: { incoming?: IncomingTable | null }) {
  const api = useApi();
  const { t } = useI18n();
  const [datasets, setDatasets] = useState<DatasetMeta[] | null>(null);
  const reload = useCallback(() => void api.call('datasets.list', {}).then(setDatasets), [api]);
  useEffect(() => {
    reload();
    return api.on('datasets.changed', reload);
  }, [api, reload]);

  async function remove(d: DatasetMeta) {
    if (!confirm(t('data.confirmDelete', { name: d.name }))) return;
    await api.call('datasets.delete', { id: d.id });
  }

  return (
    <div className="page">
      <h1>{t('data.title')}</h1>
      <ImportData onImported={reload} incoming={incoming} />
      <section className="card">
        {datasets === null ? (
          <p>{t('common.loading')}</p>
        ) : datasets.length === 0 ? (
          <p>{t('data.empty')}</p>
        ) : (
          <ul className="dataset-list">
            {datasets.map((d) => (
              <li key={d.id} data-testid="dataset">
                <div>
                  <a href={`#/data/${d.id}`} className="dataset-link" data-testid="dataset-link">
                    {d.name}
                  </a>{' '}
                  {d.builtin && <span className="badge">{t('data.builtin')}</span>}
                  <div className="muted">
                    {d.image
                      ? t(d.labels ? 'data.imageSetLabelled' : 'data.imageSet', {
                          n: d.rows,
                          w: d.image.width,
                          h: d.image.height,
                          c: d.image.channels,
                        })
                      : `${t('common.rows', { n: d.rows })} · ${d.columns
                          .map((c) => `${c.name} (${t(`data.type.${c.type}`)})`)
                          .join(', ')}`}
                  </div>
                </div>
                <div className="actions">
                  <button onClick={() => navigate(`#/new?dataset=${d.id}`)}>
                    {t('data.useForRun')}
                  </button>
                  {!d.builtin && (
                    <button className="danger" onClick={() => void remove(d)}>
                      {t('common.delete')}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
