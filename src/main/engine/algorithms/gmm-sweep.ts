/**
 * Model selection in one run: a Gaussian mixture for every K in [kMin, kMax] and every chosen
 * covariance type, each fitted with fitGmm, compared by BIC (scikit-learn's sign: lower is
 * better). Every fit is emitted as a mixture artifact so it can be opened; a fit that fails on
 * the data (e.g. a component collapsing at large K) is recorded with its reason and skipped.
 */
import {
  gmmSweepParams,
  type GmmSweepFit,
  type GmmSweepParams,
  type GmmSweepSummary,
} from '../../../shared/algorithms/gmm';
import { localText } from '../../../shared/i18n';
import { DataError, yieldToEventLoop, type Algorithm } from '../algorithm';
import { createRng } from '../../../shared/rng';
import { fitGmm } from './gmm';

export const gmmSweep: Algorithm<GmmSweepParams, GmmSweepSummary> = {
  id: 'gmm-sweep',
  params: gmmSweepParams,
  async run(ctx) {
    const { kMin, kMax, covarianceTypes, ...fitParams } = ctx.params;
    const kHigh = Math.min(kMax, ctx.data.rows);
    const plan = covarianceTypes.flatMap((covarianceType) =>
      Array.from({ length: Math.max(0, kHigh - kMin + 1) }, (_, i) => ({
        k: kMin + i,
        covarianceType,
      })),
    );
    if (plan.length === 0)
      throw new DataError(localText('refuse.kMinTooLarge', { kMin, rows: ctx.data.rows }));
    const fits: GmmSweepFit[] = [];
    for (const [fitIndex, { k, covarianceType }] of plan.entries()) {
      // Each fit has its own generator seeded from the run's, so fits do not depend on how many
      // random numbers the ones before them drew.
      const rng = createRng(ctx.rng.nextSeed());
      try {
        const s = await fitGmm(
          ctx.tf,
          ctx.data,
          { ...fitParams, k, covarianceType },
          {
            rng,
            signal: ctx.signal,
            // Not steppable inside a fit, but cancel must be heard during a long one.
            checkpoint: () => yieldToEventLoop(),
          },
        );
        const { bic, aic, meanLogLikelihood, iterations, converged } = s;
        fits.push({ k, covarianceType, bic, aic, meanLogLikelihood, iterations, converged });
        ctx.emit.metrics(k, {
          ['bic:' + covarianceType]: bic,
          ['aic:' + covarianceType]: aic,
          ['loglik:' + covarianceType]: meanLogLikelihood,
        });
        ctx.emit.artifact('mixture', fitIndex, {
          weights: s.weights,
          means: s.means,
          covariances: s.covariances,
          k,
          covarianceType,
          bic,
          aic,
          meanLogLikelihood,
          converged,
          iterations,
        });
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        fits.push({
          k,
          covarianceType,
          bic: NaN,
          aic: NaN,
          meanLogLikelihood: NaN,
          iterations: 0,
          converged: false,
          error: e.message,
        });
        ctx.emit.note(localText('note.sweepFitFailed', { k, covarianceType, reason: e.message }));
      }
      // Fits differ in cost (K grows) and each stops at its convergence: no time is told.
      const fraction = (fitIndex + 1) / plan.length;
      ctx.emit.progress(fraction, { name: '', fraction, untimed: true });
      await ctx.checkpoint('fit', fitIndex);
    }
    const ok = fits.filter((f) => f.error === undefined);
    if (ok.length === 0)
      throw new DataError(localText('fail.everyFitFailed', { reason: fits[0].error ?? 'unknown' }));
    const best = ok.reduce((a, b) => (b.bic < a.bic ? b : a));
    return {
      fits,
      best: { k: best.k, covarianceType: best.covarianceType, bic: best.bic },
      bestBic: best.bic,
    };
  },
};
