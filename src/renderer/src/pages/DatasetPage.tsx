/**
 * One data set (#/data/ID): its name (renamed in place), size and actions; for a table, each
 * column's summary and histogram, a scatter matrix of a few columns (coloured by the labels, if
 * any) and the first rows; for an image set, its first images and how many carry each label.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  ApiError,
  type DatasetImages,
  type DatasetMeta,
  type DatasetOverview,
  type ImageOverview,
  type TableOverview,
} from '../../../shared/api';
import {
  MAX_MATRIX_COLUMNS,
  columnHistogramOption,
  labelGroups,
  scatterMatrixOption,
} from '../../../shared/dataset-charts';
import { EChart } from '../components/EChart';
import { ImageGrid } from '../components/ImageGrid';
import { navigate, useApi } from '../context';
import { fmtValue, formatDateTime } from '../format';
import { useI18n } from '../i18n';
import { LimitMessage, nameProblem } from '../components/TextLimit';

/** Small histograms drawn at most: a table thousands of columns wide would freeze the page. */
const MAX_HISTOGRAMS = 30;
/** Images shown of an image set: one request (`datasets.images` allows 256). */
const FIRST_IMAGES = 96;

export function DatasetPage({ datasetId }: { datasetId: number }) {
  const api = useApi();
  const { t } = useI18n();
  const [overview, setOverview] = useState<DatasetOverview | null>(null);
  const [error, setError] = useState<{ missing: boolean; message: string } | null>(null);
  useEffect(() => {
    let current = true;
    const load = () =>
      api.call('datasets.overview', { id: datasetId }).then(
        (o) => {
          if (!current) return;
          setOverview(o);
          setError(null);
        },
        (e: unknown) =>
          current &&
          setError({
            missing: e instanceof ApiError && e.code === 'not-found',
            message: (e as Error).message,
          }),
      );
    void load();
    // Renamed here or elsewhere (another window, the CLI): the page follows.
    const off = api.on('datasets.changed', () => void load());
    return () => {
      current = false;
      off();
    };
  }, [api, datasetId]);

  if (error)
    return (
      <div className="page">
        <p className="error" role="alert" data-testid="dataset-missing">
          {error.missing ? t('dataset.notFound', { id: datasetId }) : error.message}
        </p>
        <a href="#/data">{t('dataset.back')}</a>
      </div>
    );
  if (!overview)
    return (
      <div className="page">
        <p>{t('common.loading')}</p>
      </div>
    );
  return (
    <div className="page dataset-page">
      <a href="#/data">{t('dataset.back')}</a>
      <DatasetHeader meta={overview.dataset} />
      {overview.kind === 'table' ? (
        <TableView overview={overview} />
      ) : (
        <ImagesView overview={overview} />
      )}
    </div>
  );
}

function DatasetHeader({ meta }: { meta: DatasetMeta }) {
  const api = useApi();
  const { t } = useI18n();
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  async function rename(name: string) {
    setMessage(null);
    try {
      await api.call('datasets.rename', { id: meta.id, name });
      setEditing(null);
    } catch (e) {
      setMessage((e as Error).message);
    }
  }

  async function remove() {
    if (!confirm(t('data.confirmDelete', { name: meta.name }))) return;
    try {
      await api.call('datasets.delete', { id: meta.id });
      navigate('#/data');
    } catch (e) {
      setMessage((e as Error).message);
    }
  }

  const size = meta.image
    ? t(meta.labels ? 'data.imageSetLabelled' : 'data.imageSet', {
        n: meta.rows,
        w: meta.image.width,
        h: meta.image.height,
        c: meta.image.channels,
      })
    : `${t('common.rows', { n: meta.rows })} · ${t('dataset.columnCount', { n: meta.columns.length })}`;
  return (
    <section className="dataset-header">
      {editing === null ? (
        <div className="dataset-title">
          <h1 data-testid="dataset-title">{meta.name}</h1>
          {meta.builtin && <span className="badge">{t('data.builtin')}</span>}
        </div>
      ) : (
        <form
          className="dataset-title"
          onSubmit={(e) => {
            e.preventDefault();
            if (!nameProblem(editing, t)) void rename(editing);
          }}
        >
          <input
            className="rename-input"
            aria-label={t('dataset.newName')}
            value={editing}
            aria-invalid={nameProblem(editing, t) !== null}
            autoFocus
            onChange={(e) => setEditing(e.target.value)}
            onKeyDown={(e) => e.key === 'Escape' && setEditing(null)}
            data-testid="dataset-rename-input"
          />
          <button
            className="primary"
            type="submit"
            disabled={!editing.trim() || nameProblem(editing, t) !== null}
          >
            {t('dataset.save')}
          </button>
          <button type="button" onClick={() => setEditing(null)}>
            {t('common.cancel')}
          </button>
          <LimitMessage message={nameProblem(editing, t)} testId="dataset-rename-limit" />
        </form>
      )}
      <p className="muted">
        {size} ·{' '}
        {t('dataset.created', {
          date: formatDateTime(meta.createdAt),
        })}
        {meta.labelColumn && <> · {t('dataset.labelColumn', { column: meta.labelColumn })}</>}
      </p>
      <div className="actions">
        <button className="primary" onClick={() => navigate(`#/new?dataset=${meta.id}`)}>
          {t('data.useForRun')}
        </button>
        {/* The app finds a bundled set by its name, and keeps it: see datasets.rename. */}
        {!meta.builtin && editing === null && (
          <button onClick={() => setEditing(meta.name)} data-testid="dataset-rename">
            {t('dataset.rename')}
          </button>
        )}
        {!meta.builtin && (
          <button className="danger" onClick={() => void remove()} data-testid="dataset-delete">
            {t('common.delete')}
          </button>
        )}
      </div>
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
    </section>
  );
}

function TableView({ overview }: { overview: TableOverview }) {
  const { t } = useI18n();
  const columns = overview.columns;
  const shown = columns.slice(0, MAX_HISTOGRAMS);
  return (
    <>
      <section className="card">
        <h2>{t('dataset.summary')}</h2>
        <div className="table-scroll">
          <table className="data-table summary-table" data-testid="column-summary">
            <thead>
              <tr>
                <th>{t('dataset.col.name')}</th>
                <th>{t('dataset.col.type')}</th>
                <th className="num">{t('dataset.col.count')}</th>
                <th className="num">{t('dataset.col.missing')}</th>
                <th className="num">{t('dataset.col.min')}</th>
                <th className="num">{t('dataset.col.max')}</th>
                <th className="num">{t('dataset.col.mean')}</th>
                <th className="num">{t('dataset.col.sd')}</th>
              </tr>
            </thead>
            <tbody>
              {columns.map((c) => (
                <tr key={c.name}>
                  <th className="column-name">{c.name}</th>
                  <td>{t(`data.type.${c.type}`)}</td>
                  <td className="num">{c.count}</td>
                  <td className="num">{c.missing}</td>
                  <td className="num">{fmtValue(c.min)}</td>
                  <td className="num">{fmtValue(c.max)}</td>
                  <td className="num">{fmtValue(c.mean)}</td>
                  <td className="num">{fmtValue(c.sd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="muted small">{t('dataset.sdNote')}</p>
      </section>
      <section className="card">
        <h2>{t('dataset.histograms')}</h2>
        {shown.length < columns.length && (
          <p className="muted">
            {t('dataset.histogramsCapped', { n: shown.length, total: columns.length })}
          </p>
        )}
        <div className="histogram-grid">
          {shown.map((c) => (
            <figure key={c.name} className="histogram">
              <figcaption title={c.name}>{c.name}</figcaption>
              {c.histogram ? (
                <HistogramChart histogram={c.histogram} />
              ) : (
                <p className="muted">{t('data.missing', { n: c.missing })}</p>
              )}
            </figure>
          ))}
        </div>
      </section>
      <ScatterMatrix overview={overview} />
      <FirstRows overview={overview} />
    </>
  );
}

function HistogramChart({
  histogram,
}: {
  histogram: NonNullable<TableOverview['columns'][number]['histogram']>;
}) {
  const { t } = useI18n();
  const option = useMemo(
    () => columnHistogramOption({ histogram, label: t, format: (v) => fmtValue(v) }),
    [histogram, t],
  );
  return <EChart option={option} height={150} testId="histogram" />;
}

function ScatterMatrix({ overview }: { overview: TableOverview }) {
  const { t } = useI18n();
  const names = useMemo(() => overview.columns.map((c) => c.name), [overview]);
  // Columns with a value to draw.
  const drawable = useMemo(
    () => overview.columns.flatMap((c, i) => (c.count > 0 ? [i] : [])),
    [overview],
  );
  const [picked, setPicked] = useState<number[]>(() => drawable.slice(0, MAX_MATRIX_COLUMNS));
  const [byLabel, setByLabel] = useState(true);
  const groups = useMemo(() => (byLabel ? labelGroups(overview, t) : null), [overview, byLabel, t]);
  const chosen = useMemo(() => drawable.filter((c) => picked.includes(c)), [drawable, picked]);
  const option = useMemo(
    () =>
      chosen.length < 2
        ? null
        : scatterMatrixOption({
            sample: overview.sample,
            cols: names.length,
            names,
            columns: chosen,
            groups,
            label: t,
          }),
    [overview, names, chosen, groups, t],
  );
  const sampled = overview.sample.rows.length;
  return (
    <section className="card">
      <h2>{t('dataset.scatter')}</h2>
      <div className="matrix-controls">
        <span className="muted">{t('dataset.scatterColumns', { n: MAX_MATRIX_COLUMNS })}</span>
        {drawable.map((c) => (
          <label key={c} className="check column-check" title={names[c]}>
            <input
              type="checkbox"
              checked={picked.includes(c)}
              disabled={!picked.includes(c) && picked.length >= MAX_MATRIX_COLUMNS}
              onChange={(e) =>
                setPicked(e.target.checked ? [...picked, c] : picked.filter((x) => x !== c))
              }
            />
            <span>{names[c]}</span>
          </label>
        ))}
      </div>
      {overview.labels && (
        <label className="check">
          <input
            type="checkbox"
            checked={byLabel}
            onChange={(e) => setByLabel(e.target.checked)}
            data-testid="colour-by-label"
          />
          {t('dataset.colourBy', { column: overview.labels.column })}
        </label>
      )}
      <p className="muted">
        {sampled < overview.dataset.rows
          ? t('dataset.scatterSample', { n: sampled, total: overview.dataset.rows })
          : t('dataset.scatterAll', { n: sampled })}
        {groups && groups.shown < groups.total && (
          <> {t('dataset.legendCapped', { shown: groups.shown, total: groups.total })}</>
        )}
      </p>
      {option ? (
        <EChart option={option} height={matrixHeight(chosen.length)} testId="scatter-matrix" />
      ) : (
        <p className="muted">{t('dataset.scatterNeedTwo')}</p>
      )}
    </section>
  );
}

/** Near-square cells: the chart's width is shared by d − 1 cells. */
const matrixHeight = (d: number): number => 120 + (d - 1) * 190;

function FirstRows({ overview }: { overview: TableOverview }) {
  const { t } = useI18n();
  const { head, labels } = overview;
  const cols = overview.columns.length;
  return (
    <section className="card">
      <h2>{t('dataset.head')}</h2>
      <p className="muted">
        {t('dataset.headOf', { n: head.rows.length, total: overview.dataset.rows })}
      </p>
      <div className="table-scroll whole">
        <table className="data-table" data-testid="first-rows">
          <thead>
            <tr>
              <th className="num">{t('dataset.row')}</th>
              {labels && <th className="column-name">{labels.column}</th>}
              {overview.columns.map((c) => (
                <th key={c.name} className="num column-name">
                  {c.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from(head.rows, (r, i) => (
              <tr key={r}>
                <td className="num muted">{r + 1}</td>
                {labels && head.labels && <td>{labels.names[head.labels[i]] ?? '—'}</td>}
                {Array.from(head.values.subarray(i * cols, (i + 1) * cols), (v, c) => (
                  <td key={c} className="num">
                    {fmtValue(v, 10)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ImagesView({ overview }: { overview: ImageOverview }) {
  const api = useApi();
  const { t } = useI18n();
  const id = overview.dataset.id;
  const [page, setPage] = useState<DatasetImages | null>(null);
  useEffect(() => {
    let current = true;
    void api
      .call('datasets.images', { id, offset: 0, count: FIRST_IMAGES })
      .then((p) => current && setPage(p));
    return () => {
      current = false;
    };
  }, [api, id]);
  return (
    <>
      <section className="card">
        <h2>{t('dataset.images')}</h2>
        {page ? (
          <>
            <p className="muted">{t('dataset.imagesOf', { n: page.count, total: page.total })}</p>
            <ImageGrid
              meta={{ ...page, columns: Math.min(24, page.count) }}
              data={page.pixels}
              testId="dataset-images"
            />
          </>
        ) : (
          <p>{t('common.loading')}</p>
        )}
      </section>
      {overview.labelCounts && (
        <section className="card">
          <h2>{t('dataset.labelCounts')}</h2>
          <div className="table-scroll">
            <table className="data-table label-counts" data-testid="label-counts">
              <tbody>
                {(['label', 'count'] as const).map((row) => (
                  <tr key={row}>
                    <th>{t(`dataset.${row}`)}</th>
                    {overview.labelCounts!.map((l) => (
                      <td key={l.label} className="num">
                        {l[row]}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
