import { RbmPanel } from '../components/RbmPanel';
import { RbmUseModel } from '../components/RbmUseModel';
import type { AlgorithmView } from './types';

export const rbmView: AlgorithmView = {
  Panel: RbmPanel,
  UseModel: RbmUseModel,
  summaryRows: [
    'epochs',
    'steps',
    'testLogLikelihood',
    'trainLogLikelihood',
    'logZ',
    'logZStd',
    'aisRuns',
    'aisTemperatures',
    'testPll',
    'trainPll',
    'testFreeEnergy',
    'trainFreeEnergy',
    'reconError',
    'secondsPerEpoch',
    'trainRows',
    'testRows',
  ],
};
