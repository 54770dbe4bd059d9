import { SweepPanel } from '../components/SweepPanel';
import { fmt, formatParam } from '../format';
import type { AlgorithmView } from './types';

export const gmmSweepView: AlgorithmView = {
  stepArtifactKind: 'mixture',
  Panel: SweepPanel,
  summaryRows: [],
  summaryExtras(summary, t) {
    const best = summary.best as { k: number; covarianceType: string; bic: number } | undefined;
    if (!best) return null;
    return (
      <tr>
        <th>{t('summary.bestModel')}</th>
        <td data-testid="best-model">
          K = {best.k}, {formatParam('covarianceType', best.covarianceType, t)}, BIC {fmt(best.bic)}
        </td>
      </tr>
    );
  },
};
