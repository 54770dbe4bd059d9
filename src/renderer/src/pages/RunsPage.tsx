import { useCallback, useEffect, useMemo, useState } from 'react';
import { algorithmSpecs, specOf } from '../../../shared/algorithms';
import { datasetGone, isActiveStatus, runStatuses, type RunInfo } from '../../../shared/api';
import { isMessageKey } from '../../../shared/i18n';
import { runSeconds } from '../../../shared/run-summary';
import { navigate, useApi } from '../context';
import { algorithmName, useI18n } from '../i18n';
import { folderProblem, LimitMessage } from '../components/TextLimit';
import { useInFlight } from '../hooks/useInFlight';
import { PageMessage } from '../components/PageMessage';
import { formatDateTime, formatDuration } from '../format';

/** The data-set filter's value for runs that took no data set (a sampler's fixed target). */
const NO_DATASET = '\u0000none';
const sortKeys = [
  'id',
  'name',
  'algorithm',
  'dataset',
  'status',
  'result',
  'created',
  'duration',
] as const;
type SortKey = (typeof sortKeys)[number];

interface View {
  sort: { key: SortKey; desc: boolean };
  filter: { algorithm: string; dataset: string; status: string; text: string };
}

/**
 * The library's filter and sort, read from the page's address: they live there (`#/runs?…`),
 * so a reload, a reconnection of the web shell or a copied address shows the same view.
 */
function viewFromAddress(): View {
  const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const key = q.get('sort');
  return {
    sort: {
      key: sortKeys.find((k) => k === key) ?? 'id',
      desc: q.get('order') !== 'asc',
    },
    filter: {
      algorithm: q.get('algorithm') ?? '',
      dataset: q.get('dataset') ?? '',
      status: q.get('status') ?? '',
      text: q.get('q') ?? '',
    },
  };
}

/** The view written into the address in place (no history entry per keystroke). */
function viewToAddress({ sort, filter }: View): void {
  const q = new URLSearchParams();
  if (filter.text) q.set('q', filter.text);
  for (const k of ['algorithm', 'dataset', 'status'] as const) if (filter[k]) q.set(k, filter[k]);
  if (sort.key !== 'id') q.set('sort', sort.key);
  if (!sort.desc) q.set('order', 'asc');
  const query = q.toString();
  history.replaceState(null, '', `#/runs${query ? `?${query}` : ''}`);
}

function headline(r: RunInfo): number | null {
  const key = specOf(r.algorithm)?.headline.key;
  const v = key && r.summary ? r.summary[key] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function sortValue(r: RunInfo, key: SortKey): string | number {
  switch (key) {
    case 'id':
      return r.id;
    case 'name':
      return r.name.toLowerCase();
    case 'algorithm':
      return r.algorithm;
    case 'dataset':
      return r.datasetName.toLowerCase();
    case 'status':
      return r.status;
    case 'result':
      return headline(r) ?? -Infinity;
    case 'created':
      return r.createdAt;
    case 'duration':
      return runSeconds(r) ?? -1;
  }
}

/** Brings an exported run folder back into the library. */
function ImportRun() {
  const api = useApi();
  const { t } = useI18n();
  const [dir, setDir] = useState('');
  const [error, setError] = useState<string | null>(null);
  const { guard, busy } = useInFlight();
  async function importFrom(folder: string) {
    setError(null);
    try {
      const run = await api.call('runs.import', { dir: folder });
      navigate(`#/run/${run.id}`);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  async function pick() {
    try {
      const { dir: chosen } = await api.call('app.chooseFolder', {});
      if (chosen) await importFrom(chosen);
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <details className="import-run">
      <summary>{t('runs.import')}</summary>
      <div className="row">
        <label className="field grow">
          <span className="field-label">{t('runs.importFolder')}</span>
          <input
            value={dir}
            aria-invalid={folderProblem(dir, t) !== null}
            onChange={(e) => setDir(e.target.value)}
            data-testid="import-dir"
          />
          <LimitMessage message={folderProblem(dir, t)} testId="import-dir-problem" />
        </label>
        <button
          className="primary"
          disabled={!dir.trim() || folderProblem(dir, t) !== null || busy('import')}
          onClick={() => void guard('import', () => importFrom(dir.trim()))}
          data-testid="import-button"
        >
          {t('runs.importDo')}
        </button>
        <button disabled={busy('import')} onClick={() => void guard('import', pick)}>
          {t('export.choose')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </details>
  );
}

/** The run library: every run, sortable and filterable, to open, repeat, fork, compare or delete. */
export function RunsPage() {
  const api = useApi();
  const { t } = useI18n();
  const [runs, setRuns] = useState<RunInfo[] | null>(null);
  const [sort, setSort] = useState(() => viewFromAddress().sort);
  const [filter, setFilter] = useState(() => viewFromAddress().filter);
  useEffect(() => viewToAddress({ sort, filter }), [sort, filter]);
  // An address given while the page is open (the top bar's "Runs", a pasted link) sets the view.
  useEffect(() => {
    const follow = () => {
      if (!location.hash.startsWith('#/runs')) return;
      const view = viewFromAddress();
      setSort(view.sort);
      setFilter(view.filter);
    };
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  const [selected, setSelected] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const { guard, busy } = useInFlight();
  const reload = useCallback(() => void api.call('runs.list', {}).then(setRuns), [api]);
  useEffect(() => {
    reload();
    const offDeleted = api.on('run.deleted', ({ id }) =>
      setRuns((prev) => prev && prev.filter((r) => r.id !== id)),
    );
    // Keep statuses live; a run.updated for an unknown run means a new one.
    const offUpdated = api.on('run.updated', (r) =>
      setRuns((prev) =>
        prev && prev.some((x) => x.id === r.id)
          ? prev.map((x) => (x.id === r.id ? r : x))
          : [r, ...(prev ?? [])],
      ),
    );
    return () => {
      offDeleted();
      offUpdated();
    };
  }, [api, reload]);

  const shown = useMemo(() => {
    if (!runs) return [];
    const text = filter.text.trim().toLowerCase();
    const list = runs.filter(
      (r) =>
        (!filter.algorithm || r.algorithm === filter.algorithm) &&
        (!filter.dataset ||
          (filter.dataset === NO_DATASET
            ? r.datasetName === ''
            : r.datasetName === filter.dataset)) &&
        (!filter.status || r.status === filter.status) &&
        (!text ||
          [r.name, r.note, ...r.tags, r.datasetName, String(r.id)].some((s) =>
            s.toLowerCase().includes(text),
          )),
    );
    const dir = sort.desc ? -1 : 1;
    return list.sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      return (x < y ? -1 : x > y ? 1 : 0) * dir || (a.id - b.id) * dir;
    });
  }, [runs, filter, sort]);

  async function act(what: () => Promise<unknown>) {
    setError(null);
    try {
      await what();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function remove(r: RunInfo) {
    if (!confirm(t('runs.confirmDelete', { name: r.name }))) return;
    await act(async () => {
      await api.call('runs.delete', { id: r.id });
      setSelected((s) => s.filter((id) => id !== r.id));
    });
  }

  if (runs === null) return <PageMessage />;
  const datasets = [...new Set(runs.map((r) => r.datasetName))].filter(Boolean).sort();
  const someWithoutData = runs.some((r) => r.datasetName === '');
  const algoLabel = (id: string) => algorithmName(t, id);
  const header = (key: SortKey, label: string) => (
    <th
      className="sortable"
      aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
      onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : key !== 'name' }))}
    >
      {label} {sort.key === key ? (sort.desc ? '▾' : '▴') : ''}
    </th>
  );
  return (
    <div className="page">
      <h1>{t('runs.title')}</h1>
      <ImportRun />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {runs.length === 0 ? (
        <p>{t('runs.empty')}</p>
      ) : (
        <>
          <div className="filters">
            <input
              type="search"
              placeholder={t('runs.search')}
              value={filter.text}
              onChange={(e) => setFilter({ ...filter, text: e.target.value })}
              data-testid="runs-search"
            />
            <select
              value={filter.algorithm}
              onChange={(e) => setFilter({ ...filter, algorithm: e.target.value })}
              aria-label={t('runs.col.algorithm')}
            >
              <option value="">{t('runs.allAlgorithms')}</option>
              {Object.keys(algorithmSpecs).map((id) => (
                <option key={id} value={id}>
                  {algoLabel(id)}
                </option>
              ))}
            </select>
            <select
              value={filter.dataset}
              onChange={(e) => setFilter({ ...filter, dataset: e.target.value })}
              aria-label={t('runs.col.dataset')}
            >
              <option value="">{t('runs.allDatasets')}</option>
              {datasets.map((d) => (
                <option key={d}>{d}</option>
              ))}
              {someWithoutData && <option value={NO_DATASET}>{t('runs.noDataset')}</option>}
            </select>
            <select
              value={filter.status}
              onChange={(e) => setFilter({ ...filter, status: e.target.value })}
              aria-label={t('runs.col.status')}
            >
              <option value="">{t('runs.allStatuses')}</option>
              {runStatuses.map((s) => (
                <option key={s} value={s}>
                  {t(`run.status.${s}`)}
                </option>
              ))}
            </select>
            <span className="muted">
              {t('runs.shown', { n: shown.length, total: runs.length })}
            </span>
            <span className="spacer" />
            <button
              className="primary"
              disabled={selected.length < 2 || selected.length > 6}
              onClick={() => navigate(`#/compare?ids=${selected.join(',')}`)}
              data-testid="compare-button"
            >
              {t('runs.compare', { n: selected.length })}
            </button>
          </div>
          <div className="table-wide">
            <table className="data-table runs-table">
              <thead>
                <tr>
                  <th title={t('runs.selectHelp')}>⇄</th>
                  {header('id', '#')}
                  {header('name', t('runs.col.name'))}
                  {header('algorithm', t('runs.col.algorithm'))}
                  {header('dataset', t('runs.col.dataset'))}
                  {header('status', t('runs.col.status'))}
                  {header('result', t('runs.col.result'))}
                  {header('created', t('runs.col.created'))}
                  {header('duration', t('runs.col.duration'))}
                  <th />
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => {
                  const key = specOf(r.algorithm)?.headline.key;
                  const value = headline(r);
                  return (
                    <tr key={r.id} data-testid="run-row">
                      <td>
                        <input
                          type="checkbox"
                          aria-label={t('runs.select', { name: r.name })}
                          checked={selected.includes(r.id)}
                          onChange={(e) =>
                            setSelected((s) =>
                              e.target.checked ? [...s, r.id] : s.filter((id) => id !== r.id),
                            )
                          }
                        />
                      </td>
                      <td>{r.id}</td>
                      <td>
                        <a href={`#/run/${r.id}`}>{r.name}</a>
                        {r.tags.map((tag) => (
                          <span key={tag} className="tag">
                            {tag}
                          </span>
                        ))}
                        {r.note && <div className="muted note-snippet">{r.note}</div>}
                      </td>
                      <td>{algoLabel(r.algorithm)}</td>
                      <td>
                        {r.datasetName || '—'}
                        {datasetGone(r) && ` ${t('run.datasetDeleted')}`}
                      </td>
                      <td>
                        <span className={`status status-${r.status}`}>
                          {t(`run.status.${r.status}`)}
                        </span>
                      </td>
                      <td>
                        {value !== null && key
                          ? `${isMessageKey(`summary.${key}`) ? t(`summary.${key}` as 'summary.bic') : key} ${value.toFixed(4)}`
                          : ''}
                      </td>
                      <td>{formatDateTime(r.createdAt)}</td>
                      <td>{formatDuration(runSeconds(r))}</td>
                      <td className="actions">
                        <button
                          onClick={() =>
                            void guard(`rerun:${r.id}`, () =>
                              act(() => api.call('runs.rerun', { id: r.id })),
                            )
                          }
                          title={t('run.rerunHelp')}
                          disabled={datasetGone(r) || busy(`rerun:${r.id}`)}
                        >
                          {t('run.rerun')}
                        </button>
                        <button
                          onClick={() => navigate(`#/new?fork=${r.id}`)}
                          title={t('run.forkHelp')}
                        >
                          {t('run.fork')}
                        </button>
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
          </div>
        </>
      )}
    </div>
  );
}
