/**
 * Export of runs to a folder (or a zip) and import of a run folder back into the library: the
 * entry that the host (lazily), the command line and the tests load.
 *
 * - bundle.ts: safe names and paths, the files of an export as they are made, metrics.csv, README;
 * - write.ts: writing them to a folder or a zip;
 * - run.ts: one run's files and a comparison's; each algorithm's own files come from its exporter
 *   (algorithms/, registered by id in registry.ts);
 * - import.ts: an exported run folder back into the library.
 */
export { metricsCsv, runFolderName, sanitizeName } from './bundle';
export type {
  ImportContext,
  ImportFolder,
  ImportedArtifact,
  RunExporter,
  RunFilesContext,
} from './exporter';
export { importRunFolder, parseMetricsCsv } from './import';
export { runExporters } from './registry';
export { exportRuns, exportRunsZip, runEntries, type ExportContext } from './run';
