/**
 * Export of runs to a folder (or a zip) and import of a run folder back into the library: the
 * entry that the host (lazily), the command line and the tests load.
 *
 * - bundle.ts: safe names and paths, the files of an export as they are made, README;
 * - metrics-csv.ts, metric-pages.ts: metrics.csv both ways, a line at a time, and a run's metrics
 *   read from the store a page at a time (charts thinned);
 * - target-folder.ts, write.ts: the folder checked and made, the files written through a staging
 *   folder (or into a zip), never through a link;
 * - import-files.ts: an import's files read safely (regular files only, size limits);
 * - run.ts: one run's files and a comparison's; each algorithm's own files come from its exporter
 *   (algorithms/, registered by id in registry.ts);
 * - import.ts: an exported run folder back into the library.
 */
export { runFolderName, sanitizeName } from './bundle';
export type {
  ImportContext,
  ImportFolder,
  ImportedArtifact,
  RunExporter,
  RunFilesContext,
} from './exporter';
export { importRunFolder } from './import';
export { MAX_IMPORTED_METRIC_POINTS, metricsCsv, parseMetricsCsv } from './metrics-csv';
export { runExporters } from './registry';
export { exportRuns, prepareZip, runEntries, zipFileName, type ExportContext } from './run';
