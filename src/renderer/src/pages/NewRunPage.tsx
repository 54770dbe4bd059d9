import { useEffect, useMemo, useRef, useState } from 'react';
import { algorithmSpecs } from '../../../shared/algorithms';
import type { DatasetMeta } from '../../../shared/api';
import { isMessageKey } from '../../../shared/i18n';
import {
  defaultFormValues,
  formToParams,
  ParamForm,
  paramsToForm,
  type FormValues,
} from '../components/ParamForm';
import { navigate, useApi } from '../context';
import { useI18n } from '../i18n';

/** A table's numeric columns; an image set's one pseudo-column, which stands for every pixel. */
const numeric = (d: DatasetMeta) =>
  d.image
    ? d.columns.map((c) => c.name)
    : d.columns.filter((c) => c.type === 'number' || c.type === 'integer').map((c) => c.name);

/** The new-run form; with `forkOf`, pre-filled from that run to change and run again. */
export function NewRunPage({
  datasetId,
  forkOf,
}: {
  datasetId: number | null;
  forkOf: number | null;
}) {
  const api = useApi();
  const { t } = useI18n();
  const [datasets, setDatasets] = useState<DatasetMeta[]>([]);
  const [algorithm, setAlgorithm] = useState('gmm');
  const spec = algorithmSpecs[algorithm];
  const [selected, setSelected] = useState<number | null>(datasetId);
  const [columns, setColumns] = useState<string[]>([]);
  const [values, setValues] = useState<FormValues>(() => defaultFormValues(spec.fields));
  const [seed, setSeed] = useState('0');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [startPaused, setStartPaused] = useState(false);

  useEffect(() => {
    void api.call('datasets.list', {}).then((list) => {
      setDatasets(list);
      setSelected((s) => (s !== null && list.some((d) => d.id === s) ? s : (list[0]?.id ?? null)));
    });
  }, [api]);
  // Image data sets only for algorithms that learn from images.
  const usable = (d: DatasetMeta) => !d.image || spec.images;
  const dataset = useMemo(
    () => datasets.find((d) => d.id === selected) ?? null,
    [datasets, selected],
  );
  useEffect(() => {
    if (dataset && !(!dataset.image || spec.images))
      setSelected(datasets.find((d) => !d.image)?.id ?? null);
  }, [dataset, datasets, spec]);
  // A fork's columns apply once its data set is selected; any other data set starts with all.
  const forkColumns = useRef<{ datasetId: number; columns: string[] } | null>(null);
  useEffect(() => {
    const fork = forkColumns.current;
    setColumns(dataset ? (fork?.datasetId === dataset.id ? fork.columns : numeric(dataset)) : []);
  }, [dataset]);
  useEffect(() => {
    if (forkOf === null) return;
    void api
      .call('runs.get', { id: forkOf })
      .then((run) => {
        const fields = algorithmSpecs[run.algorithm]?.fields;
        if (!fields) return;
        setAlgorithm(run.algorithm);
        setValues(paramsToForm(fields, run.params));
        setSeed(String(run.seed));
        setName(`${run.name} (fork)`);
        if (run.datasetId !== null) {
          forkColumns.current = { datasetId: run.datasetId, columns: run.columns };
          setSelected(run.datasetId);
          // If that data set is already the selected one, the effect above will not run again.
          setColumns(run.columns);
        }
      })
      .catch((e: Error) => setError(e.message));
  }, [api, forkOf]);

  const seedError = /^\d+$/.test(seed.trim()) && Number(seed) < 2 ** 31 ? null : t('form.int');
  const form = formToParams(spec.fields, values, t);
  const invalid = Object.keys(form.errors).length > 0 || seedError !== null;

  async function start() {
    if (!dataset) return;
    if (columns.length === 0) return setError(t('newRun.needColumns'));
    if (invalid) return setError(t('newRun.fixErrors'));
    setBusy(true);
    setError(null);
    try {
      const run = await api.call('runs.start', {
        algorithm,
        datasetId: dataset.id,
        columns,
        params: form.params,
        seed: Number(seed),
        name: name.trim() || undefined,
        startPaused: spec.steppable && startPaused,
      });
      navigate(`#/run/${run.id}`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const about = `algo.${algorithm}.about`;
  const title = `algo.${algorithm}`;
  return (
    <div className="page">
      <h1>{t('newRun.title')}</h1>
      <section className="card form-grid">
        <label className="field">
          <span className="field-label">{t('newRun.algorithm')}</span>
          <select
            value={algorithm}
            onChange={(e) => {
              // Switch the form's values in the same render as the algorithm, never a mix.
              setAlgorithm(e.target.value);
              setValues(defaultFormValues(algorithmSpecs[e.target.value].fields));
            }}
            data-testid="algorithm"
          >
            {Object.keys(algorithmSpecs).map((id) => {
              const k = `algo.${id}`;
              return (
                <option key={id} value={id}>
                  {isMessageKey(k) ? t(k) : id}
                </option>
              );
            })}
          </select>
        </label>
        {isMessageKey(about) && <p className="explain">{t(about)}</p>}
        <label className="field">
          <span className="field-label">{t('newRun.dataset')}</span>
          <select
            value={selected ?? ''}
            onChange={(e) => setSelected(Number(e.target.value))}
            data-testid="dataset-select"
          >
            {datasets.map((d) => (
              <option key={d.id} value={d.id} disabled={!usable(d)}>
                {d.name} ({t(d.image ? 'common.images' : 'common.rows', { n: d.rows })})
                {!usable(d) && ` — ${t('newRun.noImages')}`}
              </option>
            ))}
          </select>
        </label>
        {dataset?.image && (
          <p className="muted" data-testid="image-dataset">
            {t('newRun.imageData', { ...dataset.image })}
          </p>
        )}
        {dataset && !dataset.image && (
          <fieldset className="field">
            <legend className="field-label">{t('newRun.columns')}</legend>
            {numeric(dataset).map((c) => (
              <label key={c} className="check">
                <input
                  type="checkbox"
                  checked={columns.includes(c)}
                  onChange={(e) =>
                    setColumns(
                      e.target.checked
                        ? numeric(dataset).filter((x) => x === c || columns.includes(x))
                        : columns.filter((x) => x !== c),
                    )
                  }
                />
                {c}
              </label>
            ))}
          </fieldset>
        )}
        <h2>{isMessageKey(title) ? t(title) : algorithm}</h2>
        <ParamForm
          algorithm={algorithm}
          fields={spec.fields}
          values={values}
          onChange={setValues}
        />
        <div className="param-form">
          <label className={seedError ? 'field invalid' : 'field'}>
            <span className="field-label">{t('newRun.seed')}</span>
            <input
              name="seed"
              type="number"
              min={0}
              step={1}
              value={seed}
              onChange={(e) => setSeed(e.target.value)}
            />
            {seedError ? (
              <span className="field-error">{seedError}</span>
            ) : (
              <span className="field-help">{t('newRun.seedHelp')}</span>
            )}
          </label>
          <label className="field">
            <span className="field-label">{t('newRun.name')}</span>
            <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row">
          <button
            className="primary big"
            disabled={busy || !dataset}
            onClick={() => void start()}
            data-testid="run-button"
          >
            {t('newRun.run')}
          </button>
          {spec.steppable && (
            <label className="check" title={t('newRun.stepModeHelp')}>
              <input
                type="checkbox"
                name="startPaused"
                checked={startPaused}
                onChange={(e) => setStartPaused(e.target.checked)}
              />
              {t('newRun.stepMode')}
            </label>
          )}
        </div>
      </section>
    </div>
  );
}
