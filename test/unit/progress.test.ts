/** The time left of a run told per stage (issue 20: "3.9 s left" before a 22 s AIS). */
import { describe, expect, it } from 'vitest';
import {
  nextStage,
  restartClock,
  stageSecondsLeft,
  type RunStage,
  type StageReport,
} from '../../src/shared/progress';

const t0 = Date.parse('2026-12-03T10:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000);

/** Feeds reports at the given seconds, as the host does with each progress message. */
function feed(reports: [number, StageReport][]): RunStage {
  let stage: RunStage | null = null;
  for (const [s, report] of reports) stage = nextStage(stage, report, at(s));
  return stage!;
}

describe('time left per stage', () => {
  it('times a stage by its own pace from its first report', () => {
    // Training: 10 % at 1 s, 60 % at 6 s: 10 s per whole stage, 4 s left.
    const stage = feed([
      [1, { name: 'train', fraction: 0.1, next: 'ais' }],
      [6, { name: 'train', fraction: 0.6, next: 'ais' }],
    ]);
    expect(stage.since).toBe(at(1).toISOString());
    expect(stageSecondsLeft(stage, at(6).getTime())).toBeCloseTo(4, 6);
  });

  it('tells nothing of a new stage until its own pace is seen, then its own time', () => {
    // Training ran fast (10 s for all of it); AIS is slow: 10 % in 2.4 s.
    const training: [number, StageReport][] = [
      [0, { name: 'train', fraction: 0 }],
      [10, { name: 'train', fraction: 1, next: 'ais' }],
    ];
    const justBegun = feed([...training, [10.1, { name: 'ais', fraction: 0.001 }]]);
    expect(justBegun.name).toBe('ais');
    expect(stageSecondsLeft(justBegun, at(10.5).getTime())).toBeNull();
    const under = feed([
      ...training,
      [10, { name: 'ais', fraction: 0 }],
      [12.4, { name: 'ais', fraction: 0.1 }],
    ]);
    // 2.4 s for 10 %: 21.6 s left — not the training pace's 2.4 s.
    expect(stageSecondsLeft(under, at(12.4).getTime())).toBeCloseTo(21.6, 6);
  });

  it('leaves out a pause: the clock starts again when the run goes on', () => {
    const before = feed([
      [0, { name: '', fraction: 0 }],
      [2, { name: '', fraction: 0.2 }],
    ]);
    // Paused from 2 s to 100 s, then on: 20 % more in the next 2 s.
    const resumed = restartClock(before, at(100));
    const after = nextStage(resumed, { name: '', fraction: 0.4 }, at(102));
    expect(stageSecondsLeft(after, at(102).getTime())).toBeCloseTo(6, 6);
    // Without the restart the pause would count as work: a time far too long.
    const naive = nextStage(before, { name: '', fraction: 0.4 }, at(102));
    expect(stageSecondsLeft(naive, at(102).getTime())!).toBeGreaterThan(100);
  });

  it('tells no time for a stage of unknown length, or with too little seen', () => {
    const em = feed([
      [0, { name: '', fraction: 0, untimed: true }],
      [5, { name: '', fraction: 0.5, untimed: true }],
    ]);
    expect(stageSecondsLeft(em, at(5).getTime())).toBeNull();
    const early = feed([
      [0, { name: 'train', fraction: 0 }],
      [5, { name: 'train', fraction: 0.01 }],
    ]);
    expect(stageSecondsLeft(early, at(5).getTime())).toBeNull();
    expect(stageSecondsLeft(null, t0)).toBeNull();
  });
});
