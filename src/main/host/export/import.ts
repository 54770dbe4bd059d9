/**
 * Import of an exported run folder back into the library: params.json, summary.json and
 * metrics.csv as every run has them, then what its algorithm's exporter brings back
 * (`importArtifacts`: a mixture, a sampler's draws…). Every file is checked; a broken one refuses
 * the whole folder, and nothing is stored unless all of it is.
 */
import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { specOf } from '../../../shared/algorithms';
import type { ParamValues } from '../../../shared/algorithms/fields';
import { ApiError, runStatuses, type RunInfo, type RunStatus } from '../../../shared/api';
import { localText, type LocalText, type MessageKey } from '../../../shared/i18n';
import type { Store } from '../store';
import type { ImportFolder } from './exporter';
import { folderHas, readRegularText, regularFileLines } from './import-files';
import { MAX_LINE_CHARS, MetricsCsvReader, type ParsedMetrics } from './metrics-csv';
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

/** A JSON text checked against `schema`; a refusal names the file and what is wrong. */
export function parseJsonFile<T>(name: string, text: string, schema: z.ZodType<T>): T {
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

/** The folder as an algorithm's exporter reads it on import: regular files only (import-files.ts). */
function importFolder(root: string): ImportFolder {
  return {
    root,
    optionalText: (name) => readRegularText(root, name, false),
    async optionalJson(name, schema) {
      const text = await readRegularText(root, name, false);
      return text === null ? null : parseJsonFile(name, text, schema);
    },
  };
}

/** metrics.csv read a line at a time into compact columns (at most MAX_IMPORTED_METRIC_POINTS). */
async function readMetrics(root: string): Promise<ParsedMetrics> {
  const reader = new MetricsCsvReader();
  for await (const lines of regularFileLines(root, 'metrics.csv', MAX_LINE_CHARS))
    for (const line of lines) reader.line(line);
  return reader.finish();
}

/** An exported run folder stored as a new run of the library, with everything it holds. */
export async function importRunFolder(store: Store, dir: string): Promise<RunInfo> {
  const given = resolve(dir);
  // The folder itself may be reached through a link the user chose; nothing inside it is.
  const root = await realpath(given).catch(() => given);
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw badData('import.notAFolder', { path: given });
  const paramsText = await readRegularText(root, 'params.json', false);
  if (paramsText === null)
    throw badData(
      (await folderHas(root, 'comparison.json'))
        ? 'import.comparisonFolder'
        : 'import.notARunFolder',
      { path: given },
    );
  const meta = parseJsonFile('params.json', paramsText, paramsFileSchema);
  const spec = specOf(meta.algorithm);
  if (!spec) throw badData('import.unknownAlgorithm', { algorithm: meta.algorithm.slice(0, 80) });
  const params = spec.params.safeParse(meta.params);
  if (!params.success) throw badData('import.badParams', { issues: issuesText(params.error) });
  const summary = parseJsonFile(
    'summary.json',
    (await readRegularText(root, 'summary.json', true))!,
    summaryFileSchema,
  );
  const metrics = await readMetrics(root);

  // model.json, of any algorithm, is JSON (a folder with a broken one is refused); what it and
  // the other files of the algorithm bring back is the algorithm's exporter's to say.
  const folder = importFolder(root);
  await folder.optionalJson('model.json', z.unknown());
  const artifacts =
    (await runExporterOf(meta.algorithm)?.importArtifacts?.(folder, {
      lastStep: metrics.lastStep,
      columns: meta.columns,
      summary,
    })) ?? [];

  const status: EndedStatus = (endedStatuses as readonly RunStatus[]).includes(meta.run.status)
    ? (meta.run.status as EndedStatus)
    : 'interrupted';
  const dataset = meta.dataset.hash
    ? (store.listDatasets().find((d) => d.hash === meta.dataset.hash) ?? null)
    : null;
  try {
    return await store.insertImportedRun(
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
        notes: [...meta.run.notes, `imported from ${given}`],
        tags: meta.run.tags,
        note: meta.run.note,
        summary,
        startedAt: meta.run.startedAt,
        finishedAt: meta.run.finishedAt,
      },
      metrics.points(),
      artifacts,
    );
  } catch (e) {
    throw ApiError.of('internal', localText('import.failed', { reason: (e as Error).message }));
  }
}
