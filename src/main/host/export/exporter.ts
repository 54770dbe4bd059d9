/**
 * What an algorithm adds to the export of one of its runs, and brings back when an exported
 * folder is imported. Each algorithm's exporter is a module of algorithms/, registered by its id
 * in registry.ts; the files every run has (params.json, summary.json, metrics.csv, README.md)
 * are run.ts's, the reading of those on import import.ts's.
 */
import type { z } from 'zod';
import type { RunInfo } from '../../../shared/api';
import type { ArtifactKind } from '../../../shared/artifacts';
import type { Label } from '../../../shared/charts';
import type { Store } from '../store';
import type { Bundle } from './bundle';
import type { DrawnSeries } from './metric-pages';

export interface RunFilesContext {
  store: Store;
  run: RunInfo;
  /** The run's metrics as charts draw them (a long one thinned; metrics.csv has every point). */
  series: DrawnSeries[];
  /** Where the files go (under the run's folder in a comparison). */
  bundle: Bundle;
  /** Lines for the README's notes: what is missing from the export, and why. */
  notes: string[];
  /** Chart titles and axis names in the export's language. */
  t: Label;
}

/** The folder being imported: its files read and checked, a broken one refused. */
export interface ImportFolder {
  /** Absolute. */
  root: string;
  /** A file's text, or null when the folder has no file of that name. */
  optionalText(name: string): Promise<string | null>;
  /** A JSON file checked against `schema`, or null when the folder has no file of that name. */
  optionalJson<T>(name: string, schema: z.ZodType<T>): Promise<T | null>;
}

export interface ImportContext {
  /** The highest step of the run's metric points in metrics.csv (0 without any). */
  lastStep: number;
  /** The run's columns (params.json), that a model's shapes must fit. */
  columns: string[];
  /** summary.json as read (a JSON object or null). */
  summary: Record<string, unknown> | null;
}

/** An artifact of the imported run, stored with it (so its page can draw the fit, the draws…). */
export interface ImportedArtifact {
  kind: ArtifactKind;
  step: number;
  meta: unknown;
  data?: Float64Array;
}

export interface RunExporter {
  /** The algorithm's own files of one run's export (charts, model, draws…); notes explain what is missing. */
  files(ctx: RunFilesContext): void;
  /**
   * What an exported folder of this algorithm brings back on import, beyond metrics and summary
   * (validated: throws a refusal on a broken file).
   */
  importArtifacts?(folder: ImportFolder, ctx: ImportContext): Promise<ImportedArtifact[]>;
}
