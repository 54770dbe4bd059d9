import { useEffect, useMemo, useState } from 'react';
import type { RunInfo } from '../../../shared/api';
import { points2dOption } from '../../../shared/charts';
import { imageGridPng, toImageGrid, type ImageShape } from '../../../shared/image-grid';
import { readVaeModel, type SavedVae } from '../../../shared/vae-model';
import { useApi } from '../context';
import { downloadCsv, downloadFile } from '../download';
import { useSavedModel } from '../hooks/useSavedModel';
import { useI18n } from '../i18n';
import { EChart } from './EChart';
import { ImageGrid } from './ImageGrid';
import { NumberInput } from './NumberInput';

/**
 * Decoding runs on the page's thread: 64 digits through the default 20-400-784 decoder take
 * ~45 ms here, 1000 ~0.5 s; these bounds keep a click's pause short.
 */
const MAX_IMAGES = 256;
const MAX_ROWS = 10000;
const MAX_STEPS = 50;
/** Table rows shown under the scatter (the CSV has them all). */
const SHOWN_ROWS = 8;

type Data = { values: Float64Array; cols: number } | null;

/** Test examples: their data-set rows and values (rows × inputDim, data units). */
export interface Examples {
  rows: number[];
  values: Float64Array;
}

const rowOf = (values: Float64Array, d: number, i: number) => values.subarray(i * d, (i + 1) * d);

function tableRows(x: Float64Array, d: number, count: number): number[][] {
  return Array.from({ length: count }, (_, i) => Array.from(rowOf(x, d, i)));
}

/** Pixel values (data units, [0, 1]) as a grid of `columns` tiles to a row. */
function pixelGrid(
  model: SavedVae,
  x: Float64Array,
  columns: number,
  role: 'samples' | 'interpolation',
) {
  return toImageGrid(x, model.meta.image!, { role, columns, range: [0, 1] });
}

/** Offers what was made as a file: an image grid as PNG, otherwise the table rows as CSV. */
function DownloadResult({
  fileName,
  grid,
  columns,
  rows,
}: {
  fileName: string;
  grid: ReturnType<typeof pixelGrid> | null;
  columns: string[];
  /** Made only when asked for (an image grid's pixels are many numbers). */
  rows: () => number[][];
}) {
  const { t } = useI18n();
  return grid ? (
    <button
      onClick={() =>
        downloadFile(`${fileName}.png`, imageGridPng(grid.meta, grid.data), 'image/png')
      }
    >
      {t('vaeUse.downloadPng')}
    </button>
  ) : (
    <button onClick={() => downloadCsv(`${fileName}.csv`, columns, rows())}>
      {t('model.downloadCsv')}
    </button>
  );
}

function DataTable({ header, rows }: { header: string[]; rows: (string | number)[][] }) {
  return (
    <div className="table-scroll">
      <table className="data-table">
        <thead>
          <tr>
            {header.map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((v, j) => (
                <td key={j}>{typeof v === 'number' ? Number(v.toPrecision(5)) : v}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A finished VAE run's saved model, used in the page: new samples from the prior, and the decoded
 * path between two test examples the user picks. All computed here from the 'model' artifact.
 */
export function VaeUseModel({ run, data }: { run: RunInfo; data: Data }) {
  const { t } = useI18n();
  const { model, error } = useSavedModel(run.id, readVaeModel);

  if (error)
    return (
      <section className="card">
        <h2>{t('vaeUse.title')}</h2>
        <p className="error" role="alert">
          {error}
        </p>
      </section>
    );
  if (!model) return null;
  return (
    <section className="card" data-testid="vae-use-model">
      <h2>{t('vaeUse.title')}</h2>
      <p className="muted">{t('vaeUse.help')}</p>
      <div className="two-col">
        <Generate run={run} model={model} data={data} />
        <Interpolate run={run} model={model} data={data} />
      </div>
    </section>
  );
}

function Generate({ run, model, data }: { run: RunInfo; model: SavedVae; data: Data }) {
  const { t } = useI18n();
  const image = model.meta.image;
  const max = image ? MAX_IMAGES : MAX_ROWS;
  const [count, setCount] = useState(image ? '64' : '500');
  const [seed, setSeed] = useState('0');
  const [samples, setSamples] = useState<{ x: Float64Array; n: number; seed: number } | null>(null);
  const n = Number(count);
  const s = Number(seed);
  const valid = Number.isInteger(n) && n >= 1 && n <= max && Number.isInteger(s) && s >= 0;
  const d = model.inputDim;

  const grid = useMemo(
    () =>
      samples && image
        ? pixelGrid(model, samples.x, Math.ceil(Math.sqrt(samples.n)), 'samples')
        : null,
    [samples, image, model],
  );
  const scatter = useMemo(() => {
    if (!samples || image || d < 2) return null;
    const points = new Float32Array(samples.n * 2);
    for (let i = 0; i < samples.n; i++) points.set(samples.x.subarray(i * d, i * d + 2), i * 2);
    return points2dOption({
      title: t('vaeUse.samplesTitle', { n: samples.n }),
      points,
      count: samples.n,
      stride: 2,
      axisNames: [run.columns[0], run.columns[1]],
      label: t,
      name: t('vae.samples.name'),
      under: data ? { name: t('run.view.data'), values: data.values, cols: data.cols } : null,
    });
  }, [samples, image, d, data, run.columns, t]);

  return (
    <div>
      <h3>{t('vaeUse.generate')}</h3>
      <div className="row">
        <NumberInput
          label={t('model.n')}
          name="vaeCount"
          value={count}
          onChange={setCount}
          min={1}
          max={max}
        />
        <NumberInput
          label={t('newRun.seed')}
          name="vaeSeed"
          value={seed}
          onChange={setSeed}
          min={0}
        />
        <button
          className="primary"
          disabled={!valid}
          // Tables: draws x ~ p(x|z), as the run's sample plot; images: the decoded means.
          onClick={() =>
            setSamples({ x: model.sample(n, s, { observationNoise: !image }).x, n, seed: s })
          }
          data-testid="vae-generate"
        >
          {t('vaeUse.generateButton')}
        </button>
        {samples && (
          <DownloadResult
            fileName={`run-${run.id}-samples-seed-${samples.seed}`}
            grid={grid}
            columns={run.columns}
            rows={() => tableRows(samples.x, d, samples.n)}
          />
        )}
      </div>
      {samples && (
        <div data-testid="vae-generated-result">
          <p className="muted">
            {t(image ? 'vaeUse.generated' : 'vaeUse.generatedTable', {
              n: samples.n,
              seed: samples.seed,
            })}
          </p>
          {grid && <ImageGrid meta={grid.meta} data={grid.data} testId="vae-generated" />}
          {scatter && <EChart option={scatter} testId="vae-generated-view" />}
          {!image && (
            <DataTable
              header={run.columns}
              rows={tableRows(samples.x, d, Math.min(SHOWN_ROWS, samples.n))}
            />
          )}
        </div>
      )}
    </div>
  );
}

/**
 * The run's recorded test examples with their values, from the data set's images or table; null
 * while loading, 'none' when there are none to pick (an older run, or its data set is gone).
 */
export function useExamples(
  run: RunInfo,
  model: { exampleRows?: number[]; image?: ImageShape; inputDim: number },
  data: Data,
): Examples | 'none' | null {
  const api = useApi();
  const rows = model.exampleRows;
  const image = model.image;
  const d = model.inputDim;
  const [images, setImages] = useState<Examples | 'none' | null>(null);
  useEffect(() => {
    if (!image) return;
    if (!rows?.length || run.datasetId === null) {
      setImages('none');
      return;
    }
    let current = true;
    const id = run.datasetId;
    // An image set is read by pages of images, not through `data`; the examples lie anywhere in
    // the set, so one small request each.
    Promise.all(rows.map((r) => api.call('datasets.images', { id, offset: r, count: 1 })))
      .then((pages) => {
        const values = new Float64Array(rows.length * d);
        // Bytes / 255: the values the engine trained on.
        pages.forEach((p, i) => p.pixels.forEach((v, j) => (values[i * d + j] = v / 255)));
        if (current) setImages({ rows, values });
      })
      .catch(() => current && setImages('none'));
    return () => {
      current = false;
    };
  }, [api, run.datasetId, rows, image, d]);
  return useMemo(() => {
    if (image) return images;
    if (!rows?.length || run.datasetId === null) return 'none';
    if (!data) return null;
    if (data.cols !== d) return 'none';
    const values = new Float64Array(rows.length * d);
    rows.forEach((r, i) => values.set(rowOf(data.values, d, r), i * d));
    return { rows, values };
  }, [image, images, rows, data, d, run.datasetId]);
}

function Interpolate({ run, model, data }: { run: RunInfo; model: SavedVae; data: Data }) {
  const { t } = useI18n();
  const examples = useExamples(
    run,
    { exampleRows: model.meta.exampleRows, image: model.meta.image, inputDim: model.inputDim },
    data,
  );
  const image = model.meta.image;
  const d = model.inputDim;
  // Indices into the examples: A, then B.
  const [picked, setPicked] = useState<number[]>([]);
  const [steps, setSteps] = useState('10');
  const k = Number(steps);
  const validSteps = Number.isInteger(k) && k >= 2 && k <= MAX_STEPS;

  const tiles = useMemo(
    () =>
      examples && examples !== 'none' && image
        ? examples.rows.map((_, i) => pixelGrid(model, rowOf(examples.values, d, i), 1, 'samples'))
        : null,
    [examples, image, model, d],
  );
  const path = useMemo(() => {
    if (!examples || examples === 'none' || picked.length !== 2 || !validSteps) return null;
    const [a, b] = picked.map((i) => rowOf(examples.values, d, i));
    return model.interpolate(a, b, k).x;
  }, [examples, picked, validSteps, k, model, d]);
  const strip = useMemo(
    () => (path && image ? pixelGrid(model, path, k, 'interpolation') : null),
    [path, image, model, k],
  );

  const pick = (i: number) =>
    setPicked((p) => (p.length === 1 ? (p[0] === i ? [] : [p[0], i]) : [i]));
  const mark = (i: number) => (picked[0] === i ? 'A' : picked[1] === i ? 'B' : '');
  const ends = examples && examples !== 'none' ? picked.map((i) => examples.rows[i] + 1) : [];

  return (
    <div>
      <h3>{t('vaeUse.interpolate')}</h3>
      {examples === null || examples === 'none' ? (
        <p className="muted">{t(examples ? 'vaeUse.noExamples' : 'common.loading')}</p>
      ) : (
        <>
          <p className="muted">{t('vaeUse.pick')}</p>
          {tiles ? (
            <div className="example-strip" data-testid="vae-examples">
              {tiles.map((g, i) => (
                <button
                  key={examples.rows[i]}
                  className="example-tile"
                  aria-pressed={mark(i) !== ''}
                  title={t('vaeUse.row', { r: examples.rows[i] + 1 })}
                  onClick={() => pick(i)}
                  data-testid={`vae-example-${i}`}
                >
                  <ImageGrid meta={g.meta} data={g.data} maxScale={2} />
                  <span className="example-mark">{mark(i)}</span>
                </button>
              ))}
            </div>
          ) : (
            <div className="table-scroll example-table">
              <table className="data-table">
                <thead>
                  <tr>
                    <th />
                    {run.columns.map((c) => (
                      <th key={c}>{c}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {examples.rows.map((r, i) => (
                    <tr key={r}>
                      <td>
                        <button
                          aria-pressed={mark(i) !== ''}
                          onClick={() => pick(i)}
                          data-testid={`vae-example-${i}`}
                        >
                          {mark(i) || t('vaeUse.row', { r: r + 1 })}
                        </button>
                      </td>
                      {Array.from(rowOf(examples.values, d, i), (v, j) => (
                        <td key={j}>{Number(v.toPrecision(5))}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="row">
            <NumberInput
              label={t('vaeUse.steps')}
              name="vaeSteps"
              value={steps}
              onChange={setSteps}
              min={2}
              max={MAX_STEPS}
            />
            {path && (
              <DownloadResult
                fileName={`run-${run.id}-interpolation-rows-${ends.join('-')}`}
                grid={strip}
                columns={run.columns}
                rows={() => tableRows(path, d, k)}
              />
            )}
          </div>
          {path && (
            <div data-testid="vae-interpolation-result">
              <p className="muted">{t('vaeUse.strip', { steps: k })}</p>
              {strip ? (
                <ImageGrid
                  meta={strip.meta}
                  data={strip.data}
                  maxScale={4}
                  testId="vae-interpolation"
                />
              ) : (
                <DataTable header={run.columns} rows={tableRows(path, d, k)} />
              )}
            </div>
          )}
        </>
      )}
    </div>
  );
}
