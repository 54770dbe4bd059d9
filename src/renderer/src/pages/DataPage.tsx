import { useCallback, useEffect, useRef, useState } from 'react';
import type { CsvPreview, DatasetMeta } from '../../../shared/api';
import { navigate, useApi } from '../context';
import { useI18n } from '../i18n';

function ImportCsv({ onImported }: { onImported(d: DatasetMeta): void }) {
  const api = useApi();
  const { t } = useI18n();
  const [file, setFile] = useState<{ name: string } | null>(null);
  const [preview, setPreview] = useState<CsvPreview | null>(null);
  const [name, setName] = useState('');
  const [columns, setColumns] = useState<string[]>([]);
  const [dropInvalid, setDropInvalid] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // The newest file chosen: an older file's preview answering late must not replace its preview
  // (the import names the previewed file by the preview's id).
  const chosen = useRef(0);

  async function choose(f: File) {
    const mine = ++chosen.current;
    setError(null);
    setDone(null);
    setPreview(null);
    setFile(null);
    const text = await f.text();
    try {
      const p = await api.call('datasets.preview', { source: { kind: 'text', text } });
      if (mine !== chosen.current) return;
      setFile({ name: f.name });
      setName(f.name.replace(/\.[^.]+$/, ''));
      setPreview(p);
      setColumns(
        p.columns.filter((c) => c.type === 'number' || c.type === 'integer').map((c) => c.name),
      );
    } catch (e) {
      if (mine === chosen.current) setError((e as Error).message);
    }
  }

  async function doImport() {
    if (!file || !preview) return;
    const importId = crypto.randomUUID();
    const off = api.on(
      'dataset.importProgress',
      (p) => p.importId === importId && setProgress(p.fraction),
    );
    setError(null);
    setProgress(0);
    try {
      const d = await api.call('datasets.import', {
        // The file as previewed: the host kept it parsed.
        source: { kind: 'preview', id: preview.previewId },
        name,
        columns,
        dropInvalidRows: dropInvalid,
        importId,
      });
      setDone(t('data.imported', { name: d.name, rows: d.rows }));
      setFile(null);
      setPreview(null);
      onImported(d);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      off();
      setProgress(null);
    }
  }

  return (
    <section className="card">
      <h2>{t('data.import')}</h2>
      <label className="file-button">
        {t('data.chooseFile')}
        <input
          type="file"
          accept=".csv,.tsv,.txt,text/csv"
          data-testid="csv-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            // Cleared, so choosing the same file again (after editing it) reads it again.
            e.target.value = '';
            if (f) void choose(f);
          }}
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="ok" role="status">
          {done}
        </p>
      )}
      {preview && file && (
        <div className="preview">
          <p>
            {t('data.preview', {
              file: file.name,
              rows: preview.rowCount,
              cols: preview.columns.length,
            })}{' '}
            · {t('data.delimiter')}{' '}
            <code>{preview.delimiter === '\t' ? '\\t' : preview.delimiter}</code> ·{' '}
            {preview.hasHeader ? t('data.header') : t('data.noHeader')}
          </p>
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  {preview.columns.map((c) => (
                    <th key={c.name}>
                      <label>
                        <input
                          type="checkbox"
                          disabled={c.type === 'text' || c.type === 'empty'}
                          checked={columns.includes(c.name)}
                          onChange={(e) =>
                            setColumns(
                              e.target.checked
                                ? [...columns, c.name]
                                : columns.filter((x) => x !== c.name),
                            )
                          }
                        />{' '}
                        {c.name}
                      </label>
                      <div className="col-type">
                        {t(`data.type.${c.type}`)}
                        {c.missing > 0 && ` · ${t('data.missing', { n: c.missing })}`}
                      </div>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.head.slice(1, 11).map((row, i) => (
                  <tr key={i}>
                    {row.map((cell, j) => (
                      <td key={j}>{cell}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="row">
            <label className="field">
              <span className="field-label">{t('data.name')}</span>
              <input
                value={name}
                onChange={(e) => setName(e.target.value)}
                data-testid="dataset-name"
              />
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={dropInvalid}
                onChange={(e) => setDropInvalid(e.target.checked)}
              />
              {t('data.dropInvalid')}
            </label>
            <button
              className="primary"
              disabled={columns.length === 0 || !name.trim() || progress !== null}
              onClick={() => void doImport()}
            >
              {progress !== null
                ? t('data.importing', { pct: Math.round(progress * 100) })
                : t('data.doImport')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

export function DataPage() {
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
      <ImportCsv onImported={reload} />
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
