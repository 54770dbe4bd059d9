/**
 * A fitted mixture read back from an export (model.json, a GMM's summary.json): its parts must
 * fit together and fit the run, or the run page and "use the model" would index past its ends.
 */
import { ApiError } from '../../../../shared/api';
import type { Mixture } from '../../../../shared/artifacts';
import { localText, type LocalText, type MessageKey } from '../../../../shared/i18n';

const refuse = (key: MessageKey, vars: LocalText['vars']) =>
  ApiError.of('bad-data', localText(key, vars));

/**
 * Refuses a mixture without one weight, one mean and one covariance matrix per component, means
 * of the run's dimension (`columns`, when it has any) and D × D covariances, finite numbers
 * throughout, and non-negative weights that sum to 1.
 */
export function checkMixture(file: string, m: Mixture, columns: readonly string[]): void {
  const k = m.weights.length;
  if (k === 0 || m.means.length !== k || m.covariances.length !== k)
    throw refuse('import.mixtureCount', {
      file,
      weights: k,
      means: m.means.length,
      covariances: m.covariances.length,
    });
  const dim = columns.length > 0 ? columns.length : m.means[0].length;
  const finite = (xs: number[]) => xs.every(Number.isFinite);
  for (let c = 0; c < k; c++) {
    const cov = m.covariances[c];
    if (m.means[c].length !== dim)
      throw refuse('import.mixtureDimension', {
        file,
        component: c + 1,
        size: m.means[c].length,
        dim,
      });
    if (cov.length !== dim || cov.some((row) => row.length !== dim))
      throw refuse('import.mixtureDimension', {
        file,
        component: c + 1,
        size: cov.map((row) => row.length).join('+'),
        dim: `${dim}×${dim}`,
      });
    if (!finite(m.means[c]) || !cov.every(finite))
      throw refuse('import.mixtureNotFinite', { file });
  }
  if (!finite(m.weights)) throw refuse('import.mixtureNotFinite', { file });
  const sum = m.weights.reduce((s, w) => s + w, 0);
  if (m.weights.some((w) => w < 0) || Math.abs(sum - 1) > 1e-6)
    throw refuse('import.mixtureWeights', { file, sum });
}
