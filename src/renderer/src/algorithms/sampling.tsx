import { optionLabel } from '../../../shared/i18n';
import { McmcPanel } from '../components/McmcPanel';
import type { AlgorithmView } from './types';

/** MCMC (Metropolis, Gibbs) and HMC / NUTS share their views. */
export const samplingView: AlgorithmView = {
  Panel: McmcPanel,
  summaryRows: [
    'minEssBulk',
    'maxRhat',
    'minEssBulkPerSecond',
    'minEssBulkPerEvaluation',
    'acceptance',
    'divergences',
    'evaluations',
  ],
  phases: { transition: 'run.phase.transition' },
  source: (run, t) => `${t('run.target')}: ${optionLabel(t, 'target', String(run.params.target))}`,
};
