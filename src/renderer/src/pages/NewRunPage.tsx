import { useEffect, useMemo, useRef, useState } from 'react';
import { algorithmSpecs, specOf } from '../../../shared/algorithms';
import type { DatasetMeta, FormulaCheck } from '../../../shared/api';
import { isMessageKey } from '../../../shared/i18n';
import {
  defaultFormValues,
  formToParams,
  ParamForm,
  paramsToForm,
  type FormValues,
} from '../components/ParamForm';
import { navigate, useApi } from '../context';
import { useInFlight } from '../hooks/useInFlight';
import { algorithmName, useI18n } from '../i18n';
import { LimitMessage, nameProblem } from '../components/TextLimit';
import { PaintCanvas } from '../components/PaintCanvas';

/** A table's numeric columns; an image set's one pseudo-column, which stands for every pixel. */
const numeric = (d: DatasetMeta) =>
  d.image
    ? d.columns.map((c) => c.name)
    : d.columns.filter((c) => c.type === 'number' || c.type === 'integer').map((c) => c.name);

/**
 * The new-run form; with `forkOf`, pre-filled from that run to change and run again; with
 * `sampleGmm`, set to sample that GMM run's fitted density with NUTS.
 */
export function NewRunPage({
  datasetId,
  forkOf,
  sampleGmm = null,
}: {
  datasetId: number | null;
  forkOf: number | null;
  sampleGmm?: number | null;
}) {
  const api = useApi();
  const { t } = useI18n();
  const [datasets, setDatasets] = useState<DatasetMeta[]>([]);
  const [algorithm, setAlgorithm] = useState(sampleGmm === null ? 'gmm' : 'hmc');
  const spec = algorithmSpecs[algorithm];
  const [selected, setSelected] = useState<number | null>(datasetId);
  const [columns, setColumns] = useState<string[]>([]);
  const [values, setValues] = useState<FormValues>(() =>
    sampleGmm === null
      ? defaultFormValues(spec.fields)
      : { ...defaultFormValues(spec.fields), target: 'gmm-run', gmmRun: String(sampleGmm) },
  );
  const [seed, setSeed] = useState('0');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { guard } = useInFlight();
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
        const fields = specOf(run.algorithm)?.fields;
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
  const formula = useFormulaCheck(
    values.target === 'formula' && typeof values.formula === 'string' ? values.formula : null,
  );
  const formulaError = formula && !formula.ok ? formula : null;
  const invalid =
    Object.keys(form.errors).length > 0 || seedError !== null || formulaError !== null;
  // A sampler of a fixed target (a preset, a formula) takes no data.
  const needsData = spec.needsData(form.params);

  // A column field (a regression's response) names one of the selected columns: keep it so.
  useEffect(() => {
    const stale = spec.fields.filter(
      (f) =>
        f.kind === 'text' &&
        f.column &&
        columns.length > 0 &&
        !columns.includes(String(values[f.key])),
    );
    if (stale.length > 0)
      setValues((v) => ({
        ...v,
        ...Object.fromEntries(stale.map((f) => [f.key, columns[columns.length - 1]])),
      }));
  }, [spec, columns, values]);

  async function start() {
    if (needsData && !dataset) return;
    if (needsData && columns.length === 0) return setError(t('newRun.needColumns'));
    if (invalid) return setError(t('newRun.fixErrors'));
    setBusy(true);
    setError(null);
    try {
      const run = await api.call('runs.start', {
        algorithm,
        datasetId: needsData ? dataset!.id : null,
        columns: needsData ? columns : [],
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
            {Object.keys(algorithmSpecs).map((id) => (
              <option key={id} value={id}>
                {algorithmName(t, id)}
              </option>
            ))}
          </select>
        </label>
        {isMessageKey(about) && <p className="explain">{t(about)}</p>}
        {!needsData && (
          <p className="muted" data-testid="no-data">
            {t('newRun.noData')}
          </p>
        )}
        {needsData && (
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
        )}
        {needsData && dataset?.image && (
          <p className="muted" data-testid="image-dataset">
            {t('newRun.imageData', { ...dataset.image })}
          </p>
        )}
        {needsData && dataset && !dataset.image && (
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
          columns={columns}
          fieldErrors={
            formulaError
              ? {
                  // The reader's language; the English message if the text is not one we know.
                  formula: isMessageKey(formulaError.text?.key ?? '')
                    ? t(formulaError.text.key, formulaError.text.vars)
                    : formulaError.message,
                }
              : undefined
          }
          extras={
            formula && typeof values.formula === 'string'
              ? { formula: <FormulaNote source={values.formula} check={formula} /> }
              : algorithm === 'gan'
                ? {
                    painted: (
                      <PaintCanvas
                        value={String(values.painted ?? '')}
                        onChange={(v) => setValues({ ...values, painted: v })}
                      />
                    ),
                  }
                : undefined
          }
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
            <input
              name="name"
              value={name}
              aria-invalid={nameProblem(name, t) !== null}
              onChange={(e) => setName(e.target.value)}
            />
            <LimitMessage message={nameProblem(name, t)} testId="run-name-limit" />
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
            disabled={busy || (needsData && !dataset) || nameProblem(name, t) !== null}
            onClick={() => void guard('start', start)}
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

/**
 * The host's check of a typed formula, asked again (debounced) as the user types. Each check
 * names this form's channel, so the host cancels an earlier one still unanswered instead of
 * queueing them.
 */
function useFormulaCheck(source: string | null): FormulaCheck | null {
  const api = useApi();
  const [check, setCheck] = useState<{ source: string; result: FormulaCheck } | null>(null);
  const [channel] = useState(() => `formula-${Math.random().toString(36).slice(2)}`);
  useEffect(() => {
    if (source === null) return;
    let current = true;
    const timer = setTimeout(() => {
      void api
        .call('formulas.check', { source, channel })
        .then((result) => current && setCheck({ source, result }))
        .catch(() => undefined);
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, source, channel]);
  return source !== null && check?.source === source ? check.result : null;
}

/** Under the formula: where the problem is (underlined), or the gradient it will follow. */
function FormulaNote({ source, check }: { source: string; check: FormulaCheck }) {
  const { t } = useI18n();
  if (!check.ok) {
    const start = Math.min(check.start, source.length);
    const end = Math.max(start + 1, Math.min(check.end, source.length));
    return (
      <code className="formula-where" data-testid="formula-error">
        {source.slice(0, start)}
        <mark>{source.slice(start, end) || ' '}</mark>
        {source.slice(end)}
      </code>
    );
  }
  return (
    <span className="field-help" data-testid="formula-ok">
      {t('newRun.formulaGradient')}{' '}
      {check.names.map((n, i) => (
        <code key={n} className="formula-derivative">
          ∂/∂{n} = {check.derivatives[i]}
        </code>
      ))}
    </span>
  );
}
