/**
 * A run's progress by stage, and the time left that can honestly be told from it. A run whose
 * stages cost differently (an RBM's training, then its AIS estimate) must not be timed as one
 * whole: 3.9 s left after training said nothing of a 22 s AIS. So the time left is the current
 * stage's, measured from its own pace since it began (or since the run went on after a pause),
 * and the stage after it is named without a time: it has none until it starts.
 */
import { z } from 'zod';

/** Stage names the engine reports (each has a label `run.stage.NAME`); '' is the whole run. */
const namedStages = ['train', 'ais', 'iwae'] as const;
export const stageNames = ['', ...namedStages] as const;
export type StageName = (typeof stageNames)[number];

/** What the engine says of its stage with each progress report. */
export const stageReportSchema = z.object({
  name: z.enum(stageNames),
  /** Fraction of this stage done, in [0, 1]. */
  fraction: z.number().min(0).max(1),
  /** The stage that follows, when there is one (its time is unknown until it starts). */
  next: z.enum(namedStages).optional(),
  /**
   * Its length is not known in advance (EM stops when it converges, long before its maximum of
   * iterations): no time left is told, only the fraction of the maximum.
   */
  untimed: z.boolean().optional(),
});
export type StageReport = z.infer<typeof stageReportSchema>;

/** A stage as the host keeps it with the run: the report, and where its clock started. */
export interface RunStage extends StageReport {
  /** When the pace of this stage began to be measured (its start, or going on after a pause). */
  since: string;
  /** The stage's fraction at `since`. */
  sinceFraction: number;
}

/** The stage after a new report: its clock kept within a stage, started again at a new one. */
export function nextStage(previous: RunStage | null, report: StageReport, now: Date): RunStage {
  if (previous && previous.name === report.name)
    return { ...report, since: previous.since, sinceFraction: previous.sinceFraction };
  return { ...report, since: now.toISOString(), sinceFraction: report.fraction };
}

/** The clock started again (a run going on after a pause: the pause is not the stage's pace). */
export function restartClock(stage: RunStage, now: Date): RunStage {
  return { ...stage, since: now.toISOString(), sinceFraction: stage.fraction };
}

/** Below this much of a stage seen, or this long, its pace says too little to tell a time. */
export const MIN_STAGE_FRACTION = 0.02;
export const MIN_STAGE_SECONDS = 1;

/**
 * Seconds left in the current stage at `nowMs`, or null when they cannot be told yet (too little
 * of the stage seen) or at all (no stage reported).
 */
export function stageSecondsLeft(stage: RunStage | null, nowMs: number): number | null {
  if (!stage || stage.untimed) return null;
  const done = stage.fraction - stage.sinceFraction;
  const seconds = (nowMs - Date.parse(stage.since)) / 1000;
  if (!(done >= MIN_STAGE_FRACTION) || !(seconds >= MIN_STAGE_SECONDS)) return null;
  return (seconds * (1 - stage.fraction)) / done;
}
