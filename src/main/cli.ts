/**
 * The command-line interface, over the same host services and database as the app.
 *
 *   latent-lab run <algorithm> --data <file.csv|builtin:NAME|dataset:ID|dataset:NAME> [--columns a,b]
 *                  [--set key=value]… [--seed N] [reading options] [--db PATH] [--json]
 *   latent-lab datasets import <file.csv> [--name NAME] [--columns a,b] [--label-column NAME]
 *                  [reading options] [--db PATH] [--json]
 *     (a file: CSV, TSV or Excel .xlsx)
 *     reading options: [--encoding E] [--delimiter D] [--decimal .|,] [--na-values a,b,…] [--sheet S]
 *                      [--stray-as-missing] [--drop-invalid-rows]
 *   latent-lab datasets import <file.csv> --image WxH [--label-column NAME] [--name NAME] [--db PATH] [--json]
 *   latent-lab datasets list [--json]
 *   latent-lab datasets show <id|name> [--json]
 *   latent-lab datasets rename <id> <name> [--json]
 *   latent-lab datasets delete <id> [--json]
 *   latent-lab runs list [--json]
 *   latent-lab runs show <id> [--json]
 *   latent-lab export <runId|--compare id,id,…> --out DIR [--overwrite] [--json]
 *   latent-lab import DIR [--json]
 *   latent-lab sample <runId> --out FILE.png|FILE.csv [--count N] [--seed S] [--steps K] [--json]
 *
 * Exit codes: 0 done, 1 the run failed, 2 bad input (nothing is stored), 130 interrupted.
 */
import { writeFileSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import Papa from 'papaparse';
import { parseArgs } from 'node:util';
import { algorithmSpecs, specOf } from '../shared/algorithms';
import { parseFieldText, type FieldList, type ParamValues } from '../shared/algorithms/fields';
import {
  ApiError,
  csvDelimiters,
  textEncodings,
  type DatasetMeta,
  type ReadOptions,
  type RunInfo,
} from '../shared/api';
import { inEnglish, type LocalText } from '../shared/i18n';
import { imageGridPng, toImageGrid, valueRange } from '../shared/image-grid';
import { readVaeModel } from '../shared/vae-model';
import { readGanModel } from '../shared/gan-model';
import { loadRbm, rbmModelMetaSchema, sampleRbm } from '../shared/rbm-model';
import type { ImageShape } from '../shared/image-grid';
import { findBuiltinByKey } from './host/datasets';
import { forkLauncher } from './host/fork-launcher';
import { createHost, type Host } from './host/host';
import { builtAppPaths, defaultDataDir } from './paths';
import { version } from '../../package.json';

class UsageError extends Error {}

const usage = `usage:
  latent-lab run <algorithm> [--data <file.csv|builtin:NAME|dataset:ID|dataset:NAME>] [--columns a,b] [--set key=value]... [--seed N] [reading options] [--db PATH] [--json]
      (--data for every algorithm but the samplers of a fixed target: run hmc --set target=banana)
  latent-lab datasets import <file.csv> [--name NAME] [--columns a,b] [--label-column NAME] [reading options] [--db PATH] [--json]
  latent-lab datasets import <file.csv> --image WxH [--label-column NAME] [--name NAME] [--db PATH] [--json]
  latent-lab datasets list [--db PATH] [--json]
  latent-lab datasets show <id|name> [--db PATH] [--json]
  latent-lab datasets rename <id> <name> [--db PATH] [--json]
  latent-lab datasets delete <id> [--db PATH] [--json]
  latent-lab runs list [--db PATH] [--json]
  latent-lab runs show <id> [--db PATH] [--json]
  latent-lab export <runId|--compare id,id,...> --out DIR [--overwrite] [--db PATH] [--json]
  latent-lab import DIR [--db PATH] [--json]
  latent-lab sample <runId> --out FILE.png|FILE.csv [--count N] [--seed S] [--steps K (RBM: Gibbs sweeps)] [--db PATH] [--json]
reading options (a CSV's encoding, delimiter and decimal mark are detected; these override):
  --encoding ${textEncodings.join('|')}  --delimiter ,|;|tab||  --decimal .|,
  --na-values a,b,...      cells read as missing (default: empty, NA, N/A, NaN, nan, null, None, ?, - and pandas' others)
  --sheet NAME             an Excel workbook's sheet (default: the first)
  --stray-as-missing       keep numeric columns with a few non-numeric cells, those cells missing (default: leave such columns out, saying so)
  --drop-invalid-rows      drop rows with missing or non-finite values in the kept columns (default: refuse, naming the cell)
algorithms: ${Object.keys(algorithmSpecs).join(', ')}; builtin data: builtin:old-faithful, builtin:seed-1d, builtin:mnist;
stored data (see datasets list): dataset:ID or dataset:NAME (the exact name)`;

/** `--image 28x28` (or 28×28) as a width and a height. */
function parseImageSize(text: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*[x×X]\s*(\d+)\s*$/.exec(text);
  const width = m ? Number(m[1]) : 0;
  const height = m ? Number(m[2]) : 0;
  if (!m || width < 1 || height < 1 || width > 4096 || height > 4096)
    throw new UsageError(`--image expects WIDTHxHEIGHT (e.g. 28x28), got "${text}"`);
  return { width, height };
}

/** `--set key=value` pairs, each parsed as its field's kind (numbers, choices, true/false, matrices). */
function parseSet(pairs: string[], fields: FieldList): ParamValues {
  const params: ParamValues = {};
  for (const pair of pairs) {
    const m = /^([A-Za-z][\w]*)=(.+)$/.exec(pair);
    if (!m) throw new UsageError(`--set expects key=value, got "${pair}"`);
    const field = fields.find((f) => f.key === m[1]);
    if (!field) {
      params[m[1]] = m[2]; // refused below by the schema, which names the unknown key
      continue;
    }
    const parsed = parseFieldText(field, m[2]);
    if ('error' in parsed) throw new UsageError(`--set ${m[1]}: ${parsed.error}`);
    params[m[1]] = parsed.value;
  }
  return params;
}

function runJson(run: RunInfo) {
  const seconds =
    run.startedAt && run.finishedAt
      ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000
      : null;
  return {
    runId: run.id,
    name: run.name,
    algorithm: run.algorithm,
    status: run.status,
    backend: run.backend,
    dataset: run.datasetName,
    columns: run.columns,
    params: run.params,
    seed: run.seed,
    seconds,
    summary: run.summary,
    error: run.error,
    notes: run.notes,
  };
}

function printRun(run: RunInfo): void {
  const j = runJson(run);
  console.log(
    `run ${j.runId} ${j.algorithm} on ${j.dataset ? `${j.dataset} [${j.columns.join(', ')}]` : String(j.params.target)}: ${j.status}` +
      (j.seconds !== null ? ` in ${j.seconds.toFixed(2)} s` : '') +
      (j.backend ? ` (${j.backend})` : ''),
  );
  console.log(`  params: ${JSON.stringify(j.params)} seed ${j.seed}`);
  if (j.error) console.log(`  error: ${j.error}`);
  for (const n of j.notes) console.log(`  note: ${n}`);
  if (j.summary)
    for (const [k, v] of Object.entries(j.summary)) {
      // A sampler's per-parameter table reads better as a table.
      if (k === 'parameters' && Array.isArray(v)) {
        console.log('  parameter\tmean\tsd\tmcse\trhat\tess_bulk\tess_tail');
        for (const p of v as Record<string, number | string>[])
          console.log(
            `  ${[p.name, p.mean, p.sd, p.mcseMean, p.rhat, p.essBulk, p.essTail]
              .map((x) => (typeof x === 'number' ? Number(x.toPrecision(5)) : x))
              .join('\t')}`,
          );
      } else console.log(`  ${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`);
    }
}

function printDataset(d: DatasetMeta): void {
  console.log(
    d.image
      ? `${d.id}\t${d.name}\t${d.rows} images\t${d.image.width}×${d.image.height}×${d.image.channels}${d.labels ? ', labelled' : ''}`
      : `${d.id}\t${d.name}\t${d.rows} rows\t${d.columns.map((c) => `${c.name}:${c.type}`).join(', ')}`,
  );
}

/** How a CSV is read and what an import may change, from the command's options. */
function importChoices(v: Values): {
  read: ReadOptions;
  dropInvalidRows: boolean;
  strayCellsAsMissing: boolean;
} {
  const oneOf = <T extends string>(
    flag: string,
    value: string | undefined,
    known: readonly T[],
  ) => {
    if (value === undefined) return undefined;
    const named = value === 'tab' || value === '\\t' ? '\t' : value.toLowerCase();
    const found = known.find((k) => k.toLowerCase() === named);
    if (!found)
      throw new UsageError(`${flag} must be one of: ${known.join(', ').replace('\t', 'tab')}`);
    return found;
  };
  return {
    read: {
      encoding: oneOf('--encoding', v.encoding, textEncodings),
      delimiter: oneOf('--delimiter', v.delimiter, csvDelimiters),
      decimal: oneOf('--decimal', v.decimal, ['.', ','] as const),
      naValues: v['na-values']?.split(','),
      sheet: v.sheet,
    },
    dropInvalidRows: v['drop-invalid-rows'] ?? false,
    strayCellsAsMissing: v['stray-as-missing'] ?? false,
  };
}

/** An import's notes (columns left out, cells made missing, rows dropped), on stderr. */
function printNotes(notes: LocalText[]): void {
  for (const n of notes) process.stderr.write(`note: ${inEnglish(n)}\n`);
}

/**
 * A stored data set by id, or else by its exact name; a name that several data sets share is
 * refused with their ids, so a run never picks one by chance.
 */
async function findDataset(host: Host, ref: string): Promise<DatasetMeta> {
  const list = await host.call('datasets.list', {});
  if (/^\d+$/.test(ref)) {
    const byId = list.find((d) => d.id === Number(ref));
    if (byId) return byId;
  }
  const named = list.filter((d) => d.name === ref);
  if (named.length === 1) return named[0];
  if (named.length > 1)
    throw new UsageError(
      `${named.length} data sets are named "${ref}" (ids ${named.map((d) => d.id).join(', ')}): give the id`,
    );
  throw new UsageError(`no data set "${ref}" (by id or exact name; see datasets list)`);
}

async function resolveData(
  host: Host,
  data: string,
  v: Values,
  columns: string[] | undefined,
): Promise<{ dataset: DatasetMeta; imported: boolean; notes: LocalText[] }> {
  if (data.startsWith('builtin:')) {
    const d = findBuiltinByKey(host.store, data.slice('builtin:'.length));
    if (!d)
      throw new UsageError(
        `no bundled data set "${data}" (try builtin:old-faithful, builtin:seed-1d or builtin:mnist)`,
      );
    return { dataset: d, imported: false, notes: [] };
  }
  if (data.startsWith('dataset:'))
    return {
      dataset: await findDataset(host, data.slice('dataset:'.length)),
      imported: false,
      notes: [],
    };
  const { dataset, notes } = await host.call('datasets.import', {
    source: { kind: 'path', path: resolve(data) },
    name: basename(data),
    columns,
    ...importChoices(v),
  });
  return { dataset, imported: true, notes };
}

async function commandRun(host: Host, positionals: string[], v: Values): Promise<number> {
  const algorithm = positionals[1];
  const spec = algorithm ? specOf(algorithm) : null;
  if (!spec)
    throw new UsageError(
      `unknown algorithm "${algorithm ?? ''}" (one of: ${Object.keys(algorithmSpecs).join(', ')})`,
    );
  const params = parseSet(v.set ?? [], spec.fields);
  // Refuse bad parameters before anything is imported.
  const checked = spec.params.safeParse(params);
  if (!checked.success)
    throw new UsageError(
      checked.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; '),
    );
  const needsData = spec.needsData(checked.data);
  if (needsData && !v.data)
    throw new UsageError('run needs --data <file.csv|builtin:NAME|dataset:ID|dataset:NAME>');
  if (!needsData && (v.data || v.columns))
    throw new UsageError(
      `${algorithm} with these parameters uses no data: drop --data and --columns`,
    );
  const seed = v.seed === undefined ? 0 : Number(v.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a non-negative integer`);
  const columns = v.columns
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const { dataset, imported, notes } = needsData
    ? await resolveData(host, v.data!, v, columns)
    : { dataset: null, imported: false, notes: [] };
  if (!v.json) printNotes(notes);
  let run: RunInfo;
  try {
    run = await host.call('runs.start', {
      algorithm,
      datasetId: dataset?.id ?? null,
      columns: !dataset
        ? []
        : (columns ??
          dataset.columns
            .filter((c) => c.type === 'number' || c.type === 'integer')
            .map((c) => c.name)),
      params,
      seed,
    });
  } catch (e) {
    // Nothing stored on refusal: drop the data set this command just imported.
    if (imported && dataset) host.store.deleteDataset(dataset.id);
    throw e;
  }
  const interrupt = () => host.runs.cancel(run.id);
  process.once('SIGINT', interrupt);
  if (!v.json) {
    let last = -1;
    host.on('run.updated', (r) => {
      if (r.id !== run.id || !process.stderr.isTTY) return;
      const pct = Math.round(r.progress * 100);
      if (pct === last) return;
      last = pct;
      process.stderr.write(`\r${r.status} ${pct}%   `);
    });
  }
  const done = await host.runs.whenSettled(run.id);
  process.off('SIGINT', interrupt);
  if (!v.json && process.stderr.isTTY) process.stderr.write('\n');
  if (v.json) console.log(JSON.stringify({ ...runJson(done), warnings: notes.map(inEnglish) }));
  else printRun(done);
  return done.status === 'completed' ? 0 : done.status === 'cancelled' ? 130 : 1;
}

function parseId(text: string | undefined, what: string, of = 'run'): number {
  const id = Number(text);
  if (!text || !/^\d+$/.test(text.trim()) || !Number.isSafeInteger(id) || id < 1)
    throw new UsageError(`${what}: "${text ?? ''}" is not a ${of} id`);
  return id;
}

/** `export <runId> --out DIR` or `export --compare a,b,… --out DIR`. */
/** A statistic for a terminal: six significant digits, — for none. */
const stat = (v: number | null): string => (v === null ? '—' : String(Number(v.toPrecision(6))));

/** A histogram's counts as one line of block characters, tallest bar full. */
function sparkline(counts: number[]): string {
  const bars = '▁▂▃▄▅▆▇█';
  const top = Math.max(1, ...counts);
  return counts.map((c) => (c === 0 ? ' ' : bars[Math.ceil((c / top) * 8) - 1])).join('');
}

/** Rows of cells as columns padded to their widest cell (numbers right-aligned). */
function textTable(rows: string[][], right: boolean[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `datasets show ID|NAME`: each column's figures and histogram, labels, or an image set's labels. */
async function commandShow(host: Host, positionals: string[], v: Values): Promise<number> {
  if (positionals.length !== 3) throw new UsageError('datasets show needs one id or name');
  const { id } = await findDataset(host, positionals[2]);
  const o = await host.call('datasets.overview', { id });
  if (v.json) {
    // The figures; the sample for the page's scatter matrix is data, not a figure.
    const d = o.dataset;
    console.log(
      JSON.stringify(
        o.kind === 'images'
          ? { id, name: d.name, rows: d.rows, image: d.image, labelCounts: o.labelCounts }
          : {
              id,
              name: d.name,
              rows: d.rows,
              columns: o.columns,
              labels: o.labels,
              head: Array.from(o.head.rows, (_, i) =>
                Array.from(
                  o.head.values.subarray(i * d.columns.length, (i + 1) * d.columns.length),
                ),
              ),
            },
      ),
    );
    return 0;
  }
  printDataset(o.dataset);
  if (o.kind === 'images') {
    if (o.labelCounts)
      console.log(`labels: ${o.labelCounts.map((l) => `${l.label}: ${l.count}`).join(', ')}`);
    return 0;
  }
  console.log(
    textTable(
      [
        ['column', 'type', 'values', 'missing', 'min', 'max', 'mean', 'sd', 'histogram'],
        ...o.columns.map((c) => [
          c.name,
          c.type,
          String(c.count),
          String(c.missing),
          ...[c.min, c.max, c.mean, c.sd].map(stat),
          c.histogram ? sparkline(c.histogram.counts) : '',
        ]),
      ],
      [false, false, true, true, true, true, true, true, false],
    ),
  );
  console.log('sd: the sample standard deviation (n − 1); missing: empty or non-finite cells');
  if (o.labels) {
    const l = o.labels;
    const counts = l.names.map((name, i) => `${name}: ${l.counts[i]}`);
    if (l.missing > 0) counts.push(`(none): ${l.missing}`);
    console.log(`labels (${l.column}): ${counts.join(', ')}`);
  }
  return 0;
}

async function commandExport(host: Host, positionals: string[], v: Values): Promise<number> {
  if (v.compare !== undefined && positionals.length > 1)
    throw new UsageError('export takes either a run id or --compare id,id,…, not both');
  let ids: number[];
  if (v.compare !== undefined) {
    ids = v.compare.split(',').map((part) => parseId(part.trim(), '--compare'));
    if (ids.length < 2 || ids.length > 6)
      throw new UsageError(`--compare needs 2 to 6 run ids, got ${ids.length}`);
    if (new Set(ids).size !== ids.length) throw new UsageError('--compare lists a run twice');
  } else {
    if (positionals.length !== 2) throw new UsageError('export needs one run id (or --compare)');
    ids = [parseId(positionals[1], 'export')];
  }
  if (!v.out) throw new UsageError('export needs --out DIR');
  const dir = resolve(v.out);
  // Never overwrite without being asked: the host refuses a non-empty folder ('exists').
  const result = await host
    .call('runs.export', { ids, dir, overwrite: v.overwrite ?? false })
    .catch((e: unknown) => {
      if (e instanceof ApiError && e.code === 'exists')
        throw new UsageError(
          `${dir} already exists and is not empty; choose another folder or pass --overwrite`,
        );
      throw e;
    });
  if (v.json) console.log(JSON.stringify(result));
  else {
    console.log(
      `exported ${ids.length === 1 ? `run ${ids[0]}` : `runs ${ids.join(', ')}`} to ${result.dir}: ${result.files.length} files`,
    );
    for (const f of result.files) console.log(`  ${f}`);
  }
  return 0;
}

async function commandImport(host: Host, positionals: string[], v: Values): Promise<number> {
  if (positionals.length !== 2) throw new UsageError('import needs one folder (an exported run)');
  const run = await host.call('runs.import', { dir: resolve(positionals[1]) });
  if (v.json) console.log(JSON.stringify(runJson(run)));
  else {
    console.log(`imported as run ${run.id}`);
    printRun(run);
  }
  return 0;
}

/** Most samples one `sample` writes: a grid of this many images is already a large PNG. */
const MAX_IMAGE_SAMPLES = 10_000;
const MAX_TABLE_SAMPLES = 1_000_000;

/** Gibbs sweeps from noise to each RBM sample, unless --steps says otherwise. */
const RBM_SWEEPS = 1000;
const MAX_RBM_SWEEPS = 100_000;

/** A saved VAE, GAN or RBM as `sample` uses it: images or table rows from a seed. */
function savedSampler(
  algorithm: string,
  meta: unknown,
  data: Float32Array,
  runColumns: string[],
  rbmSweeps: number,
): {
  image: ImageShape | undefined;
  /** The pixel values' range; null: the samples' own smallest and largest. */
  range: [number, number] | null;
  columns: string[];
  sample(count: number, seed: number): Float64Array;
} {
  if (algorithm === 'rbm') {
    const rbmMeta = rbmModelMetaSchema.parse(meta);
    const saved = loadRbm(rbmMeta, data);
    const bernoulli = rbmMeta.visible === 'bernoulli';
    return {
      image: rbmMeta.image,
      range: bernoulli ? [0, 1] : null,
      columns: runColumns,
      // Pictures are the last sweep's visible means, as the page's chains; table rows are draws.
      sample: (count, seed) =>
        sampleRbm(saved, count, {
          steps: rbmSweeps,
          seed,
          means: rbmMeta.image !== undefined,
          // Thousands of sweeps per sample take a while: show how far it is on a terminal.
          onSample: process.stderr.isTTY
            ? (done) => {
                process.stderr.write(`\rsampling ${done}/${count}`);
                if (done === count) process.stderr.write('\n');
              }
            : undefined,
        }),
    };
  }
  if (algorithm === 'gan') {
    const gan = readGanModel(meta, data);
    return {
      image: gan.meta.image,
      range: gan.range,
      // A preset run has no data-set columns: its axes' names.
      columns: runColumns.length > 0 ? runColumns : (gan.meta.axisNames ?? ['x', 'y']),
      sample: (count, seed) => gan.sample(count, seed).x,
    };
  }
  const vae = readVaeModel(meta, data);
  return {
    image: vae.meta.image,
    // Pixel values are in [0, 1] (bytes / 255).
    range: [0, 1],
    columns: runColumns,
    // Rows of a table are draws x ~ p(x|z), noise included, like the run page's sample plot.
    sample: (count, seed) => vae.sample(count, seed, { observationNoise: !vae.meta.image }).x,
  };
}

/**
 * `sample <runId> --out FILE --count N --seed S [--steps K]`: new samples from a finished VAE, GAN or
 * RBM run's saved model, with no retraining: a PNG grid for image data, CSV rows (the run's columns)
 * for a table. An RBM's samples are K Gibbs sweeps (default 1000) from noise.
 */
async function commandSample(host: Host, positionals: string[], v: Values): Promise<number> {
  if (positionals.length !== 2) throw new UsageError('sample needs one run id');
  const id = parseId(positionals[1], 'sample');
  if (!v.out) throw new UsageError('sample needs --out FILE.png or --out FILE.csv');
  const out = resolve(v.out);
  const format = extname(out).toLowerCase();
  if (format !== '.png' && format !== '.csv')
    throw new UsageError(`--out must end in .png (images) or .csv (a table), got "${v.out}"`);
  const count = v.count === undefined ? 64 : Number(v.count);
  const seed = v.seed === undefined ? 0 : Number(v.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UsageError('--seed must be a non-negative integer');
  const run = await host.call('runs.get', { id });
  if (run.algorithm !== 'vae' && run.algorithm !== 'gan' && run.algorithm !== 'rbm')
    throw new UsageError(
      `run ${id} is a ${run.algorithm} run: sample draws from a VAE, GAN or RBM run`,
    );
  if (v.steps !== undefined && run.algorithm !== 'rbm')
    throw new UsageError('--steps (Gibbs sweeps) is for RBM runs');
  const sweeps = v.steps === undefined ? RBM_SWEEPS : Number(v.steps);
  if (!Number.isInteger(sweeps) || sweeps < 1 || sweeps > MAX_RBM_SWEEPS)
    throw new UsageError(`--steps must be an integer from 1 to ${MAX_RBM_SWEEPS}`);
  const [saved] = await host.call('runs.artifacts', { id, kind: 'model', latestOnly: true });
  if (!saved)
    throw new UsageError(
      `run ${id} has no saved model (it is ${run.status}): sample needs a ${run.algorithm.toUpperCase()} run that finished`,
    );
  if (!(saved.data instanceof Float32Array))
    throw new Error(`run ${id}'s saved model has no Float32Array of weights`);
  const model = savedSampler(run.algorithm, saved.meta, saved.data, run.columns, sweeps);
  const image = model.image;
  const max = image ? MAX_IMAGE_SAMPLES : MAX_TABLE_SAMPLES;
  if (!Number.isInteger(count) || count < 1 || count > max)
    throw new UsageError(`--count must be an integer from 1 to ${max}`);
  if (image && format !== '.png')
    throw new UsageError(`run ${id} models images: write them to a .png file`);
  if (!image && format !== '.csv')
    throw new UsageError(`run ${id} models a table: write its rows to a .csv file`);
  let bytes: Uint8Array | string;
  const x = model.sample(count, seed);
  if (image) {
    // A square-ish grid, as the run page's galleries.
    const grid = toImageGrid(x, image, {
      role: 'samples',
      columns: Math.ceil(Math.sqrt(count)),
      range: model.range ?? valueRange(x),
    });
    bytes = imageGridPng(grid.meta, grid.data);
  } else {
    const d = model.columns.length;
    bytes = Papa.unparse({
      fields: model.columns,
      data: Array.from({ length: count }, (_, i) => Array.from(x.subarray(i * d, (i + 1) * d))),
    });
  }
  try {
    writeFileSync(out, bytes);
  } catch (e) {
    throw new UsageError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (v.json) console.log(JSON.stringify({ runId: id, count, seed, file: out }));
  else console.log(`wrote ${count} samples of run ${id} (seed ${seed}) to ${out}`);
  return 0;
}

type Values = {
  data?: string;
  columns?: string;
  set?: string[];
  seed?: string;
  name?: string;
  db?: string;
  json?: boolean;
  'drop-invalid-rows'?: boolean;
  'stray-as-missing'?: boolean;
  encoding?: string;
  delimiter?: string;
  decimal?: string;
  'na-values'?: string;
  sheet?: string;
  out?: string;
  overwrite?: boolean;
  compare?: string;
  image?: string;
  'label-column'?: string;
  count?: string;
  steps?: string;
};

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        columns: { type: 'string' },
        set: { type: 'string', multiple: true },
        seed: { type: 'string' },
        name: { type: 'string' },
        db: { type: 'string' },
        json: { type: 'boolean' },
        'drop-invalid-rows': { type: 'boolean' },
        'stray-as-missing': { type: 'boolean' },
        encoding: { type: 'string' },
        delimiter: { type: 'string' },
        decimal: { type: 'string' },
        'na-values': { type: 'string' },
        sheet: { type: 'string' },
        out: { type: 'string' },
        overwrite: { type: 'boolean' },
        compare: { type: 'string' },
        image: { type: 'string' },
        'label-column': { type: 'string' },
        count: { type: 'string' },
        steps: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help || positionals.length === 0) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const paths = builtAppPaths(import.meta.dirname);
  const host = await createHost({
    dataDir: defaultDataDir(),
    dbPath: values.db ?? process.env.LATENT_LAB_DB,
    resourcesDir: paths.resourcesDir,
    launchWorker: forkLauncher(paths.workerPath),
    formulaThreadPath: paths.formulaThreadPath,
    version,
  });
  try {
    const [group, action] = positionals;
    const json = values.json ?? false;
    if (group === 'run') return await commandRun(host, positionals, values);
    if (group === 'export') return await commandExport(host, positionals, values);
    if (group === 'import') return await commandImport(host, positionals, values);
    if (group === 'sample') return await commandSample(host, positionals, values);
    if (group === 'datasets' && action === 'import') {
      const file = positionals[2];
      if (!file) throw new UsageError('datasets import needs a file');
      if (values.image !== undefined && values.columns !== undefined)
        throw new UsageError(
          '--image takes every column but the label column as pixels: drop --columns',
        );
      const { dataset: d, notes } = await host.call('datasets.import', {
        source: { kind: 'path', path: resolve(file) },
        name: values.name ?? basename(file),
        columns: values.columns
          ?.split(',')
          .map((c) => c.trim())
          .filter(Boolean),
        ...importChoices(values),
        ...(values.image !== undefined ? { image: parseImageSize(values.image) } : {}),
        ...(values['label-column'] !== undefined ? { labelColumn: values['label-column'] } : {}),
      });
      if (json)
        console.log(
          JSON.stringify({
            id: d.id,
            name: d.name,
            rows: d.rows,
            columns: d.columns,
            hash: d.hash,
            ...(d.image ? { image: d.image } : {}),
            labels: d.labels,
            ...(d.labelColumn ? { labelColumn: d.labelColumn } : {}),
            warnings: notes.map(inEnglish),
          }),
        );
      else {
        printNotes(notes);
        printDataset(d);
      }
      return 0;
    }
    if (group === 'datasets' && action === 'list') {
      const list = await host.call('datasets.list', {});
      if (json) console.log(JSON.stringify({ datasets: list }));
      else list.forEach(printDataset);
      return 0;
    }
    if (group === 'datasets' && action === 'show')
      return await commandShow(host, positionals, values);
    if (group === 'datasets' && action === 'rename') {
      if (positionals.length !== 4) throw new UsageError('datasets rename needs an id and a name');
      const id = parseId(positionals[2], 'datasets rename', 'data set');
      const d = await host.call('datasets.rename', { id, name: positionals[3] });
      if (json) console.log(JSON.stringify(d));
      else printDataset(d);
      return 0;
    }
    if (group === 'datasets' && action === 'delete') {
      if (positionals.length !== 3) throw new UsageError('datasets delete needs one id');
      const id = parseId(positionals[2], 'datasets delete', 'data set');
      const d = (await host.call('datasets.list', {})).find((x) => x.id === id);
      if (!d) throw new UsageError(`no data set ${id}`);
      await host.call('datasets.delete', { id });
      if (json) console.log(JSON.stringify({ id, name: d.name, deleted: true }));
      else console.log(`deleted data set ${id} (${d.name}); runs on it keep their results`);
      return 0;
    }
    if (group === 'runs' && action === 'list') {
      const list = await host.call('runs.list', {});
      if (json) console.log(JSON.stringify({ runs: list.map(runJson) }));
      else
        for (const r of list)
          console.log(
            `${r.id}\t${r.status}\t${r.algorithm}\t${r.datasetName}\t${r.createdAt}\t${r.name}`,
          );
      return 0;
    }
    if (group === 'runs' && action === 'show') {
      const id = Number(positionals[2]);
      if (!Number.isInteger(id) || id < 1) throw new UsageError('runs show needs a run id');
      const run = await host.call('runs.get', { id });
      if (json) console.log(JSON.stringify(runJson(run)));
      else printRun(run);
      return 0;
    }
    throw new UsageError(`unknown command "${positionals.join(' ')}"\n${usage}`);
  } finally {
    host.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const bad = e instanceof UsageError || (e instanceof ApiError && e.code !== 'internal');
    console.error(`latent-lab: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    if (e instanceof UsageError && e.message.includes('\n'))
      console.error(e.message.split('\n').slice(1).join('\n'));
    process.exit(bad ? 2 : 1);
  },
);
