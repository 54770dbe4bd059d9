/**
 * What the page knows of one algorithm, in one place: its run panel, its "use the model" section,
 * its result rows, its step explanations and its pictures on the compare page. The run and
 * compare pages look an algorithm up in the registry (`./index.ts`) and know no algorithm by name.
 */
import type { ComponentType, ReactNode } from 'react';
import type { RunInfo, StoredArtifact } from '../../../shared/api';
import type { ArtifactKind } from '../../../shared/artifacts';
import type { MessageKey } from '../../../shared/i18n';
import type { MetricMap } from '../hooks/useRunData';
import type { useI18n } from '../i18n';

export type T = ReturnType<typeof useI18n>['t'];

/** The run's columns of its data set, row-major; null while loading or if the data set is gone. */
export type RunTable = { values: Float64Array; cols: number } | null;

/** What a run page hands the panel that draws an algorithm's results. */
export interface RunPanelProps {
  run: RunInfo;
  metrics: MetricMap;
  /** The artifacts of the view's `stepArtifactKind`, by step (empty when it names none). */
  artifacts: Map<number, StoredArtifact>;
  data: RunTable;
}

/** One run's picture on the compare page, at the step the user chose. */
export interface CompareViewProps {
  run: RunInfo;
  artifact: StoredArtifact;
  data: RunTable;
  title: string;
}

export interface AlgorithmView {
  /**
   * The kind of artifact the run page keeps by step for the panel (a GMM's mixture after each
   * M-step); panels that fetch their own artifacts leave it out.
   */
  stepArtifactKind?: ArtifactKind;
  /** Charts and pictures of a run, live while it runs. */
  Panel: ComponentType<RunPanelProps>;
  /** Shown under the panel once the run has ended: a saved model used in the page. */
  UseModel?: ComponentType<{ run: RunInfo; data: RunTable }>;
  /** Summary keys shown (when present) in the run's result table, in this order. */
  summaryRows: readonly string[];
  /** How a summary value reads where a plain number would mislead (a 0-based index). */
  summaryFormats?: Partial<Record<string, (value: unknown) => string>>;
  /** More rows of the result table, computed from the summary (restarts, the best model). */
  summaryExtras?(summary: Record<string, unknown>, t: T): ReactNode;
  /** Shown under the result table (a GMM's fitted components). */
  ResultDetail?: ComponentType<{ run: RunInfo }>;
  /** What a step-mode pause after each phase means (phase name → text, with `{n}` the step). */
  phases?: Partial<Record<string, MessageKey>>;
  /** What a run that took no data set was made from (a sampler's target, a GAN's preset). */
  source?(run: RunInfo, t: T): string;
  /**
   * Pictures of several runs side by side at one step on the compare page: of the artifacts of
   * `kind`, each run's newest at or before the step; with `needsData`, only of runs whose data
   * set is still there.
   */
  compare?: {
    kind: ArtifactKind;
    View: ComponentType<CompareViewProps>;
    needsData?: boolean;
    /** The section's heading when every compared run's pictures are of this kind. */
    title?: MessageKey;
  };
}
