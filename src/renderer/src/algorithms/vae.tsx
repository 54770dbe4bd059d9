import { VaePanel } from '../components/VaePanel';
import { VaeUseModel } from '../components/VaeUseModel';
import type { AlgorithmView } from './types';

export const vaeView: AlgorithmView = {
  Panel: VaePanel,
  // Once the run has ended: its saved model, if it got to save one.
  UseModel: VaeUseModel,
  summaryRows: [
    'testLoss',
    'testIwae',
    'iwaeK',
    'trainLoss',
    'activeUnits',
    'epochs',
    'steps',
    'trainRows',
    'testRows',
  ],
};
