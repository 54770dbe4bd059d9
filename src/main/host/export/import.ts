/**
 * Import of an exported run folder back into the library: params.json, summary.json and
 * metrics.csv as every run has them, then what its algorithm's exporter brings back
 * (`importArtifacts`: a mixture, a sampler's draws…). Every file is checked; a broken one refuses
 * the whole folder, and nothing is stored unless all of it is.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import Papa from 'papaparse';
import { z } from 'zod';
import { specOf } from '../../../shared/algorithms';
import type { ParamValues } from '../../../shared/algorithms/fields';
import { ApiError, runStatuses, type RunInfo, type RunStatus } from '../../../shared/api';
import { localText, type LocalText, type MessageKey } from '../../../shared/i18n';
import type { MetricPoint, Store } from '../store';
import { pathInside } from './bundle';
import type { ImportFolder } from './exporter';
import { runExporterOf } from './registry';

const endedStatuses = ['completed', 'failed', 'cancelled', 'interrupted'] as const;
type EndedStatus = (typeof endedStatuses)[number];

const paramsFileSchema = z.object({
  algorithm: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  seed: z.number().int().min(0),
  backend: z.string().nullable(),
  dataset: z.object({ name: z.string(), hash: z.string().nullable() }),
  // Empty for a run that took no data set (a sampler of a fixed target).
  columns: z.array(z.string()),
  appVersion: z.string(),
  exportedAt: z.string(),
  run: z.object({
    id: z.number().int(),
    name: z.string().min(1).max(200),
    status: z.enum(runStatuses),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    tags: z.array(z.string().max(40)).max(20),
    note: z.string().max(10_000),
    notes: z.array(z.string()),
    error: z.string().nullable().optional(),
    progress: z.number().min(0).max(1).optional(),
  }),
});

const summaryFileSchema = z.record(z.string(), z.unknown()).nullable();

const badData = (key: MessageKey, vars?: LocalText['vars']) =>
  ApiError.of('bad-data', localText(key, vars));

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'value'}: ${i.message}`)
    .join('; ');
}

async function readText(root: string, name: string, optional = false): Promise<string | null> {
  try {
    return await readFile(pathInside(root, name), 'utf8');
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw badData('import.cannotRead', {
      file: name,
      reason: (e as NodeJS.ErrnoException).code ?? String(e),
    });
  }
}

function parseJsonFile<T>(name: string, text: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw badData('import.notJson', { file: name, reason: (e as Error).message });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw badData('import.badContent', { file: name, issues: issuesText(parsed.error) });
  return parsed.data;
}

/** The folder as an algorithm's exporter reads it on import. */
function importFolder(root: string): ImportFolder {
  return {
    root,
    optionalText: (name) => readText(root, name, true),
    async optionalJson(name, schema) {
      const text = await readText(root, name, true);
      return text === null ? null : parseJsonFile(name, text, schema);
    },
  };
}

const numberPattern = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** metrics.csv back into points; every cell checked, errors name the line. */
export function parseMetricsCsv(text: string, name = 'metrics.csv'): MetricPoint[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), {
    delimiter: ',',
    skipEmptyLines: true,
  });
  const bad = (line: number, key: MessageKey, vars: LocalText['vars'] = {}) =>
    badData(key, { file: name, line, ...vars });
  if (parsed.errors.length)
    throw bad((parsed.errors[0].row ?? 0) + 1, 'import.metricsUnreadable', {
      reason: parsed.errors[0].message,
    });
  const [header, ...rows] = parsed.data;
  // step, <metric>…, wall_ms, then optionally wall_ms:<metric>… (see metricsCsv).
  let wallAt = (header?.length ?? 0) - 1;
  while (wallAt > 0 && header[wallAt].startsWith('wall_ms:')) wallAt--;
  if (!header || header[0] !== 'step' || header[wallAt] !== 'wall_ms' || wallAt < 1)
    throw bad(1, 'import.metricsHeader');
  const keys = header.slice(1, wallAt);
  if (keys.some((k) => k === '')) throw bad(1, 'import.metricsUnnamedColumn');
  if (new Set(keys).size !== keys.length) throw bad(1, 'import.metricsColumnTwice');
  const ownWall = new Map<string, number>();
  header.slice(wallAt + 1).forEach((column, j) => {
    const key = column.slice('wall_ms:'.length);
    if (!keys.includes(key) || ownWall.has(key))
      throw bad(1, 'import.metricsWallColumn', { column });
    ownWall.set(key, wallAt + 1 + j);
  });
  const points: MetricPoint[] = [];
  const seen = new Set<number>();
  rows.forEach((row, r) => {
    const line = r + 2;
    if (row.length !== header.length)
      throw bad(line, 'import.metricsFieldCount', { fields: row.length, width: header.length });
    const num = (cell: string, what: string): number => {
      if (!numberPattern.test(cell))
        throw bad(line, 'import.metricsNotANumber', { what, value: cell });
      return Number(cell);
    };
    const step = num(row[0], 'step');
    if (!Number.isSafeInteger(step))
      throw bad(line, 'import.metricsStepNotInteger', { value: row[0] });
    if (seen.has(step)) throw bad(line, 'import.metricsStepTwice', { step });
    seen.add(step);
    const values = keys.map((key, j) => {
      const cell = row[j + 1];
      if (cell === '') return null;
      return { key, value: cell === 'NaN' ? NaN : num(cell, `"${key}"`) };
    });
    if (values.every((v) => v === null)) return;
    const rowWall = row[wallAt] === '' ? 0 : num(row[wallAt], 'wall_ms');
    for (const v of values) {
      if (!v) continue;
      const own = ownWall.get(v.key);
      const wallMs = own === undefined || row[own] === '' ? rowWall : num(row[own], header[own]);
      points.push({ step, key: v.key, value: v.value, wallMs });
    }
  });
  return points;
}

/** An exported run folder stored as a new run of the library, with everything it holds. */
export async function importRunFolder(store: Store, dir: string): Promise<RunInfo> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw badData('import.notAFolder', { path: root });
  const paramsText = await readText(root, 'params.json', true);
  if (paramsText === null) {
    const comparison = await readText(root, 'comparison.json', true);
    throw badData(comparison === null ? 'import.notARunFolder' : 'import.comparisonFolder', {
      path: root,
    });
  }
  const meta = parseJsonFile('params.json', paramsText, paramsFileSchema);
  const spec = specOf(meta.algorithm);
  if (!spec) throw badData('import.unknownAlgorithm', { algorithm: meta.algorithm });
  const params = spec.params.safeParse(meta.params);
  if (!params.success) throw badData('import.badParams', { issues: issuesText(params.error) });
  const summary = parseJsonFile(
    'summary.json',
    (await readText(root, 'summary.json'))!,
    summaryFileSchema,
  );
  const points = parseMetricsCsv((await readText(root, 'metrics.csv'))!);

  // model.json, of any algorithm, is JSON (a folder with a broken one is refused); what it and
  // the other files of the algorithm bring back is the algorithm's exporter's to say.
  const folder = importFolder(root);
  await folder.optionalJson('model.json', z.unknown());
  const artifacts =
    (await runExporterOf(meta.algorithm)?.importArtifacts?.(folder, { points })) ?? [];

  const status: EndedStatus = (endedStatuses as readonly RunStatus[]).includes(meta.run.status)
    ? (meta.run.status as EndedStatus)
    : 'interrupted';
  const dataset = meta.dataset.hash
    ? (store.listDatasets().find((d) => d.hash === meta.dataset.hash) ?? null)
    : null;
  try {
    return store.insertImportedRun(
      {
        name: meta.run.name,
        algorithm: meta.algorithm,
        datasetId: dataset?.id ?? null,
        datasetName: meta.dataset.name,
        columns: meta.columns,
        params: params.data as ParamValues,
        seed: meta.seed,
        backend: meta.backend,
        status,
        progress: status === 'completed' ? 1 : (meta.run.progress ?? 0),
        error:
          meta.run.error ??
          (status !== meta.run.status ? `exported while ${meta.run.status}` : null),
        notes: [...meta.run.notes, `imported from ${root}`],
        tags: meta.run.tags,
        note: meta.run.note,
        summary,
        startedAt: meta.run.startedAt,
        finishedAt: meta.run.finishedAt,
      },
      points,
      artifacts,
    );
  } catch (e) {
    throw ApiError.of('internal', localText('import.failed', { reason: (e as Error).message }));
  }
}
