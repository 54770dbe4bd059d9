import type { RunInfo } from '../../../shared/api';
import { optionLabel } from '../../../shared/i18n';
import { GanPanel, GanUseModel } from '../components/GanPanel';
import type { AlgorithmView } from './types';

/** The saved generator is used once the run has completed. */
function CompletedGanUseModel({ run }: { run: RunInfo }) {
  return run.status === 'completed' ? <GanUseModel run={run} /> : null;
}

export const ganView: AlgorithmView = {
  Panel: GanPanel,
  UseModel: CompletedGanUseModel,
  summaryRows: [
    'steps',
    'modesCovered',
    'highQuality',
    'kl',
    'js',
    'dReal',
    'dFake',
    'dLoss',
    'gLoss',
  ],
  phases: { 'd-step': 'run.phase.d-step', 'g-step': 'run.phase.g-step' },
  source: (run, t) =>
    `${t('param.gan.source')}: ${optionLabel(t, 'source', String(run.params.source))}`,
};
