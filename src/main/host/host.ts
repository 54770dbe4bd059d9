/**
 * createHost: every service of the app, built from plain Node parts. The Electron shell, the web
 * shell and the CLI are thin adapters around it; the tests drive it directly.
 */
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { madeFrom, specOf } from '../../shared/algorithms';
import type { ParamValues } from '../../shared/algorithms/fields';
import { checkSamplingSize, type SamplingParams } from '../../shared/algorithms/mcmc';
import {
  ApiError,
  MAX_SENT_POINTS,
  boundedError,
  datasetGone,
  isActiveStatus,
  isRequestName,
  requests,
  type CsvSource,
  type DatasetMeta,
  type EventName,
  type Events,
  type RequestName,
  type RequestOutput,
  type RequestParsed,
  type RunInfo,
} from '../../shared/api';
import { mixtureSchema } from '../../shared/artifacts';
import { localText } from '../../shared/i18n';
import { DataError, type EngineData } from '../engine/algorithm';
import type { LaunchWorker } from '../engine/protocol';
import { CsvError, forgetPreview, previewTable, type ReadableSource } from './csv';
import { warmReaders } from './reader-pool';
import { Uploads } from './uploads';
import { FormulaChecker } from './formula-checker';
import { datasetOverview } from './dataset-overview';
import { ensureBuiltinDatasets, importCsv, importImageCsv } from './datasets';
import { drawSamples, scoreRows } from './gmm-model';
import { EventBus } from './events';
import { drawnSeries } from './export/metric-pages';
import type { ZipSink } from './export/write';
import { runEngineData } from './run-data';
import { RunManager } from './runs';
import { Store } from './store';

export interface HostOptions {
  /** Folder of the database (`latent-lab.db`), unless `dbPath` names the file. */
  dataDir: string;
  dbPath?: string;
  resourcesDir: string;
  launchWorker: LaunchWorker;
  maxWorkers?: number;
  version?: string;
  /** A native folder picker, when the shell has one (Electron). */
  chooseFolder?: () => Promise<string | null>;
  /** Keep one idle engine process ready (the interactive shells); off for the CLI and tests. */
  warmWorker?: boolean;
  /** better-sqlite3 binary built for Electron's ABI, when running inside Electron. */
  nativeBinding?: string;
  /** The built formula thread (`out/main/formula-thread.js`); without it, its TypeScript source. */
  formulaThreadPath?: string;
}

type Handlers = {
  [N in RequestName]: (input: RequestParsed<N>) => Promise<RequestOutput<N>> | RequestOutput<N>;
};

export interface Host {
  /** Validates `input` against the contract, then runs the request. Throws ApiError. */
  handle(name: string, input: unknown): Promise<unknown>;
  call<N extends RequestName>(
    name: N,
    input: z.input<(typeof requests)[N]['input']>,
  ): Promise<RequestOutput<N>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  readonly store: Store;
  readonly runs: RunManager;
  /**
   * The export of `ids` as a zip: unknown runs refused at once; `build` makes its files (a
   * failure throws here, before any byte), then the writer hands the zip to a sink a piece at a
   * time (the web shell streams it into an HTTP download, so no zip is ever held whole).
   */
  exportZip(ids: number[]): Promise<{
    fileName: string;
    build(): Promise<(sink: ZipSink) => Promise<void>>;
  }>;
  close(): void;
}

/** Export pulls in ECharts and a rasteriser: loaded on first use, not at start-up. */
const exporter = () => import('./export');
const samplingEngine = () => import('../engine/algorithms/sampling');

export function defaultMaxWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * Each issue as "path: message", the path under `prefix` (e.g. params.k). Left in zod's English:
 * the page's forms check the same schemas (parameter ranges, request shapes) before they send, so
 * these reach the CLI and scripts rather than a reader of the page.
 */
function zodMessage(e: z.ZodError, prefix: string[] = []): string {
  return e.issues
    .map((i) => {
      const path = [...prefix, ...i.path.map(String)];
      if (i.code === 'unrecognized_keys') path.push(...i.keys);
      return `${path.length ? path.join('.') + ': ' : ''}${i.message}`;
    })
    .join('; ');
}

/**
 * "ALGORITHM on DATA SET", or on what a run without data was made from (a sampler's target, a
 * GAN's preset), or the algorithm alone.
 */
function defaultRunName(algorithm: string, dataset: string | undefined, params: ParamValues) {
  const about = dataset ?? madeFrom(params)?.value;
  return about === undefined ? algorithm : `${algorithm} on ${about}`;
}

export async function createHost(options: HostOptions): Promise<Host> {
  const dbPath = options.dbPath ?? join(options.dataDir, 'latent-lab.db');
  mkdirSync(dirname(dbPath), { recursive: true });
  const store = new Store(dbPath, {
    nativeBinding: options.nativeBinding,
  });
  store.markInterrupted();
  await ensureBuiltinDatasets(store, options.resourcesDir);
  const uploads = new Uploads(join(dirname(dbPath), 'uploads'));
  /** An upload is read from its file; the rest as they are. */
  /** Which upload each preview was read from. */
  const uploadOf = new Map<string, string>();
  const forgetUpload = (id: string) => {
    uploads.forget(id);
    for (const [preview, upload] of uploadOf) if (upload === id) uploadOf.delete(preview);
  };
  const readable = (source: CsvSource): ReadableSource =>
    source.kind === 'upload' ? { kind: 'path', path: uploads.pathOf(source.id) } : source;
  const events = new EventBus();
  const maxWorkers = options.maxWorkers ?? defaultMaxWorkers();
  const appVersion = options.version ?? '0.0.0';
  const runs = new RunManager(
    store,
    events,
    options.launchWorker,
    maxWorkers,
    options.warmWorker ?? false,
  );
  // The interactive shells also keep their file readers ready (a failure shows at the first read).
  if (options.warmWorker) warmReaders().catch(() => {});
  // mathjs is large and loads in its own thread: started a moment after start-up when interactive.
  const formulaChecker = new FormulaChecker({ threadPath: options.formulaThreadPath });
  if (options.warmWorker) setTimeout(() => formulaChecker.warm(), 2000).unref();

  /** Validates a run against its algorithm and its data, stores it and queues it. */
  async function startRun(input: RequestParsed<'runs.start'>): Promise<RunInfo> {
    // A rerun skips the contract's check: a stored run's algorithm may be one this version lacks.
    const spec = specOf(input.algorithm);
    if (!spec)
      throw ApiError.of(
        'invalid-input',
        localText('refuse.unknownAlgorithm', { algorithm: input.algorithm }),
      );
    if (input.startPaused && !spec.steppable)
      throw ApiError.of(
        'invalid-input',
        localText('refuse.noStepMode', { algorithm: input.algorithm }),
      );
    const parsedParams = spec.params.safeParse(input.params);
    if (!parsedParams.success)
      throw new ApiError('invalid-input', zodMessage(parsedParams.error, ['params']));
    const needsData = spec.needsData(parsedParams.data);
    if (input.datasetId === null) {
      if (needsData)
        throw ApiError.of(
          'invalid-input',
          localText('refuse.needsData', { algorithm: input.algorithm }),
        );
    } else if (!needsData)
      throw ApiError.of(
        'invalid-input',
        localText('refuse.usesNoData', { algorithm: input.algorithm }),
      );
    const dataset = input.datasetId === null ? null : store.getDataset(input.datasetId);
    if (input.datasetId !== null && !dataset)
      throw ApiError.of('not-found', localText('refuse.noDataset', { id: input.datasetId }));
    if (dataset?.image && !spec.images)
      throw ApiError.of(
        'bad-data',
        localText('refuse.tableOnly', { algorithm: input.algorithm, name: dataset.name }),
      );
    let data: EngineData = { values: new Float64Array(0), rows: 0, cols: 0, columns: [] };
    if (dataset && input.columns.length === 0)
      throw ApiError.of('invalid-input', localText('refuse.chooseColumns'));
    if (dataset) {
      const built = runEngineData(store, dataset, input.columns);
      if ('refusal' in built) throw ApiError.of('invalid-input', built.refusal);
      data = built.data;
    } else if (input.columns.length > 0)
      throw ApiError.of('invalid-input', localText('refuse.noColumnsWithoutData'));
    if (parsedParams.data.target === 'gmm-run')
      data = fittedMixtureData(Number(parsedParams.data.gmmRun));
    const refusal = spec.checkData(
      parsedParams.data,
      dataset ? { rows: data.rows, cols: data.cols } : null,
      input.columns,
      Boolean(dataset?.image),
    );
    if (refusal) throw ApiError.of('bad-data', refusal);
    if (input.algorithm === 'mcmc' || input.algorithm === 'hmc')
      data = await checkSamplingTarget(parsedParams.data, data);
    const run = store.createRun({
      name: input.name || defaultRunName(input.algorithm, dataset?.name, parsedParams.data),
      algorithm: input.algorithm,
      datasetId: dataset?.id ?? null,
      datasetName: dataset?.name ?? '',
      columns: input.columns,
      params: parsedParams.data,
      seed: input.seed,
    });
    events.emit('run.updated', run);
    runs.enqueue({
      runId: run.id,
      algorithm: run.algorithm,
      params: run.params,
      seed: run.seed,
      startPaused: input.startPaused,
      data,
    });
    return store.getRun(run.id)!;
  }

  /**
   * A sampler's target built here once, so that a mistake in a formula or in the data (a logistic
   * response that is not 0/1, a constant predictor) is refused with nothing stored, and the
   * draws' size is checked against the target's real dimension. A formula is compiled here, in
   * the formula thread, and handed to the engine with the data: parsed once per run.
   */
  async function checkSamplingTarget(params: ParamValues, data: EngineData): Promise<EngineData> {
    if (params.target === 'formula') {
      const outcome = await formulaChecker.check(String(params.formula));
      if (outcome === 'superseded') throw ApiError.of('cancelled', localText('formula.superseded'));
      if ('error' in outcome)
        throw new ApiError(
          'invalid-input',
          `params.formula: ${outcome.error.message}`,
          outcome.error.text,
        );
      data = { ...data, formula: outcome.compiled };
    }
    const { samplingDimension } = await samplingEngine();
    let dim: number;
    try {
      dim = samplingDimension(params as SamplingParams, data);
    } catch (e) {
      if (e instanceof DataError) throw new ApiError('bad-data', e.message, e.text);
      throw e;
    }
    const tooBig = checkSamplingSize(params as SamplingParams, dim);
    if (tooBig) throw ApiError.of('bad-data', tooBig);
    return data;
  }

  /** A completed GMM run's final mixture (and its columns, to name the sampler's parameters). */
  function fittedMixtureData(runId: number): EngineData {
    const source = store.getRun(runId);
    if (!source || source.algorithm !== 'gmm')
      throw ApiError.of('invalid-input', localText('refuse.gmmRunNotGmm', { id: runId }));
    const mixture = mixtureSchema.safeParse(source.summary);
    if (source.status !== 'completed' || !mixture.success)
      throw ApiError.of('invalid-input', localText('refuse.gmmRunNotFitted', { id: runId }));
    return {
      values: new Float64Array(0),
      rows: 0,
      cols: 0,
      columns: source.columns,
      mixture: mixture.data,
    };
  }

  function existingDataset(id: number): DatasetMeta {
    const meta = store.getDataset(id);
    if (!meta) throw ApiError.of('not-found', localText('refuse.noDataset', { id }));
    return meta;
  }

  function existingRun(id: number): RunInfo {
    const run = store.getRun(id);
    if (!run) throw ApiError.of('not-found', localText('refuse.noRun', { id }));
    return run;
  }

  const handlers: Handlers = {
    'app.info': () => ({
      version: options.version ?? '0.0.0',
      dataDir: options.dataDir,
      cores: availableParallelism(),
      maxWorkers,
    }),
    'datasets.list': () => store.listDatasets(),
    'uploads.begin': async ({ size }) => ({ id: await uploads.begin(size) }),
    'uploads.chunk': async ({ id, offset, data }) => ({
      received: await uploads.chunk(id, offset, data),
    }),
    'datasets.preview': async ({ source, read, progressId }) => {
      // A preview of an upload (and every reading of it again) keeps the upload alive, and the
      // upload goes when one of them is imported.
      const upload =
        source.kind === 'upload'
          ? source.id
          : source.kind === 'preview'
            ? uploadOf.get(source.id)
            : undefined;
      if (upload) uploads.touch(upload);
      const preview = await previewTable(
        readable(source),
        read,
        progressId
          ? (fraction) => events.emit('dataset.importProgress', { importId: progressId, fraction })
          : undefined,
      );
      if (upload) uploadOf.set(preview.previewId, upload);
      return preview;
    },
    'datasets.import': async ({ source, read, importId, image, ...choice }) => {
      const onProgress = importId
        ? (fraction: number) => events.emit('dataset.importProgress', { importId, fraction })
        : undefined;
      if (image && choice.columns)
        throw ApiError.of('invalid-input', localText('refuse.imageImportColumns'));
      const from = readable(source);
      const result = image
        ? await importImageCsv(store, from, {
            ...choice,
            read,
            width: image.width,
            height: image.height,
            onProgress,
          })
        : await importCsv(store, from, { ...choice, read, onProgress });
      if (source.kind === 'preview') forgetPreview(source.id);
      const upload =
        source.kind === 'upload'
          ? source.id
          : uploadOf.get(source.kind === 'preview' ? source.id : '');
      if (upload) forgetUpload(upload);
      events.emit('datasets.changed', { reason: 'imported' });
      return result;
    },
    'datasets.values': ({ id }) => {
      const meta = store.getDataset(id);
      if (!meta) throw ApiError.of('not-found', localText('refuse.noDataset', { id }));
      // Not even when small: one rule, and a table of pixel columns helps no one.
      if (meta.image)
        throw ApiError.of(
          'unsupported',
          localText('refuse.imageSetValues', {
            name: meta.name,
            rows: meta.rows,
            width: meta.image.width,
            height: meta.image.height,
          }),
        );
      return store.datasetValues(id)!;
    },
    'datasets.images': ({ id, offset, count }) => {
      const meta = store.getDataset(id);
      if (!meta) throw ApiError.of('not-found', localText('refuse.noDataset', { id }));
      if (!meta.image)
        throw ApiError.of('unsupported', localText('refuse.tableNotImages', { name: meta.name }));
      return store.datasetImages(id, offset, count)!;
    },
    'datasets.overview': ({ id }) => datasetOverview(store, existingDataset(id)),
    'datasets.rename': ({ id, name }) => {
      // The app finds its bundled sets by name (a new database, the CLI's builtin:NAME).
      if (existingDataset(id).builtin)
        throw ApiError.of('conflict', localText('refuse.renameBundled', { id }));
      store.renameDataset(id, name);
      events.emit('datasets.changed', { reason: 'renamed' });
      return store.getDataset(id)!;
    },
    'datasets.delete': ({ id }) => {
      if (store.getDataset(id)?.builtin)
        throw ApiError.of('conflict', localText('refuse.bundledDataset', { id }));
      const deleted = store.deleteDataset(id);
      if (deleted) events.emit('datasets.changed', { reason: 'deleted' });
      return { deleted };
    },
    'runs.start': (input) => startRun(input),
    'formulas.check': async ({ source, channel }) => {
      const outcome = await formulaChecker.check(source, { channel });
      if (outcome === 'superseded') throw ApiError.of('cancelled', localText('formula.superseded'));
      return 'error' in outcome
        ? { ok: false, ...outcome.error }
        : { ok: true, names: outcome.compiled.names, derivatives: outcome.derivatives };
    },
    'runs.cancel': ({ id }) => ({ cancelled: runs.cancel(id) }),
    'runs.pause': ({ id }) => {
      if (!specOf(existingRun(id).algorithm)?.steppable)
        throw ApiError.of('invalid-input', localText('refuse.runNoStepMode', { id }));
      return { ok: runs.control(id, 'pause') };
    },
    'runs.step': ({ id, until }) => ({ ok: runs.control(id, 'step', until) }),
    'runs.resume': ({ id }) => ({ ok: runs.control(id, 'resume') }),
    'runs.list': () => store.listRuns(),
    'runs.queue': () => runs.queueState(),
    'runs.get': ({ id }) => existingRun(id),
    'runs.metrics': async ({ id }) =>
      (await drawnSeries(store, id, MAX_SENT_POINTS)).map(
        ({ key, count, steps, values, wallMs }) => ({
          key,
          steps,
          values,
          wallMs,
          ...(count > steps.length ? { total: count } : {}),
        }),
      ),
    'runs.artifacts': ({ id, kind, latestOnly, afterStep }) =>
      store.listArtifacts(id, kind, latestOnly, afterStep),
    'runs.delete': ({ id }) => {
      // Active here, or in another process (the CLI beside the app) by its stored status.
      if (runs.isActive(id) || isActiveStatus(existingRun(id).status))
        throw ApiError.of('conflict', localText('refuse.stillRunning', { id }));
      const deleted = store.deleteRun(id);
      if (deleted) events.emit('run.deleted', { id });
      return { deleted };
    },
    'runs.update': ({ id, ...fields }) => {
      existingRun(id);
      const run = store.updateRun(id, fields)!;
      events.emit('run.updated', run);
      return run;
    },
    'runs.rerun': ({ id }) => {
      const run = existingRun(id);
      if (datasetGone(run))
        throw ApiError.of(
          'conflict',
          localText('refuse.datasetDeleted', { id, name: run.datasetName }),
        );
      return startRun({
        algorithm: run.algorithm,
        datasetId: run.datasetId,
        columns: run.columns,
        params: run.params,
        seed: run.seed,
        name: `${run.name} (again)`,
        startPaused: false,
      });
    },
    'runs.export': async ({ ids, dir, overwrite }) => {
      ids.forEach(existingRun);
      return (await exporter()).exportRuns(store, ids, dir, { overwrite, appVersion });
    },
    'runs.import': async ({ dir }) => {
      const run = await (await exporter()).importRunFolder(store, dir);
      events.emit('run.updated', run);
      return run;
    },
    'app.chooseFolder': async () => {
      if (!options.chooseFolder)
        throw ApiError.of('unsupported', localText('refuse.noFolderPicker'));
      return { dir: await options.chooseFolder() };
    },
    'models.score': async ({ id, source, dropInvalidRows }) => {
      const scored = await scoreRows(store, id, readable(source), dropInvalidRows);
      if (source.kind === 'upload') forgetUpload(source.id);
      return scored;
    },
    'models.sample': ({ id, n, seed }) => drawSamples(store, id, n, seed),
  };

  async function handleUnbounded(name: string, input: unknown): Promise<unknown> {
    if (!isRequestName(name))
      throw ApiError.of(
        'invalid-input',
        localText('refuse.unknownRequest', { name: String(name) }),
      );
    const parsed = requests[name].input.safeParse(input ?? {});
    if (!parsed.success)
      throw new ApiError('invalid-input', `${name}: ${zodMessage(parsed.error)}`);
    try {
      return await (handlers[name] as (i: unknown) => unknown)(parsed.data);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if (e instanceof CsvError) throw new ApiError('bad-data', e.message, e.text);
      throw new ApiError('internal', e instanceof Error ? e.message : String(e));
    }
  }

  /** Every error leaves with the values it quotes cut short, whichever transport carries it. */
  async function handle(name: string, input: unknown): Promise<unknown> {
    try {
      return await handleUnbounded(name, input);
    } catch (e) {
      throw e instanceof ApiError ? boundedError(e) : e;
    }
  }

  return {
    handle,
    call: (name, input) => handle(name, input) as never,
    on: (event, listener) => events.on(event, listener),
    store,
    runs,
    async exportZip(ids) {
      ids.forEach(existingRun);
      const { prepareZip, zipFileName } = await exporter();
      return {
        fileName: zipFileName(ids),
        build: () => prepareZip(store, ids, { appVersion }),
      };
    },
    close() {
      formulaChecker.close();
      runs.shutdown();
      uploads.close();
      store.close();
    },
  };
}
