/**
 * Every sampler against Gaussian targets with known moments: 4 seeded chains, then the pooled mean
 * and variance of each coordinate must lie within a few Monte Carlo standard errors of the truth.
 * The variance is checked as the mean of (x − μ)², whose MCSE the same estimator gives.
 */
import { describe, expect, it } from 'vitest';
import {
  parameterDraws,
  sampleChains,
  type RunSettings,
} from '../../src/main/engine/sampling/chains';
import { createPreset, independentGaussian } from '../../src/main/engine/sampling/presets';
import type { SamplerKind, Target } from '../../src/main/engine/sampling/types';
import { mcseMean } from '../../src/shared/mcmc-diagnostics';

/** Largest |estimate − truth| / MCSE over coordinates, for the mean and for the variance. */
function worstZ(kind: SamplerKind, target: Target, run: RunSettings) {
  const runs = sampleChains(kind, target, run);
  const truth = target.truth!;
  let zMean = 0,
    zVar = 0;
  for (let j = 0; j < target.dim; j++) {
    const chains = parameterDraws(runs, j);
    const n = chains.length * chains[0].length;
    const mean = chains.reduce((s, c) => s + c.reduce((a, b) => a + b, 0), 0) / n;
    zMean = Math.max(zMean, Math.abs(mean - truth.mean[j]) / mcseMean(chains));
    const sq = chains.map((c) => c.map((x) => (x - truth.mean[j]) ** 2));
    const v = sq.reduce((s, c) => s + c.reduce((a, b) => a + b, 0), 0) / n;
    zVar = Math.max(zVar, Math.abs(v - truth.variance[j]) / mcseMean(sq));
  }
  return { zMean, zVar, runs };
}

const scaled10 = independentGaussian(Array.from({ length: 10 }, (_, i) => 0.2 * (i + 1)));

const cases: [SamplerKind, string, Target, RunSettings][] = [
  ['rwm', 'gaussian', createPreset('gaussian'), { seed: 11, draws: 2000 }],
  ['rwm', 'correlated', createPreset('correlated'), { seed: 12, draws: 2000 }],
  ['gibbs', 'gaussian (exact)', createPreset('gaussian'), { seed: 13 }],
  ['gibbs', 'correlated (exact)', createPreset('correlated'), { seed: 14 }],
  [
    'gibbs',
    'correlated (Metropolis-within-Gibbs)',
    createPreset('correlated'),
    { seed: 15, exactGibbs: false, draws: 2000 },
  ],
  ['hmc', 'gaussian', createPreset('gaussian'), { seed: 16 }],
  ['hmc', 'correlated', createPreset('correlated'), { seed: 17 }],
  // A fixed L·ε near a multiple of the period makes HMC nearly periodic on a Gaussian; a
  // trajectory length (or step-size jitter) keeps it away from that.
  ['hmc', 'scaled 10-D (T = 5)', scaled10, { seed: 18, trajectoryLength: 5 }],
  ['hmc', 'scaled 10-D (jittered ε)', scaled10, { seed: 23, stepSizeJitter: 0.3 }],
  ['nuts', 'gaussian', createPreset('gaussian'), { seed: 19 }],
  ['nuts', 'correlated', createPreset('correlated'), { seed: 20 }],
  ['nuts', 'scaled 10-D', scaled10, { seed: 21 }],
  ['nuts', 'gauss100', createPreset('gauss100'), { seed: 22 }],
];

describe('known moments', () => {
  for (const [kind, name, target, run] of cases) {
    it(`${kind} on ${name}: mean and variance within 4 MCSE of the truth`, () => {
      const { zMean, zVar } = worstZ(kind, target, run);
      expect(zMean).toBeLessThan(4);
      expect(zVar).toBeLessThan(4);
    });
  }

  it('the check can fail: a sampler on the wrong variance is caught', () => {
    // NUTS run on a Gaussian whose sd is 10% too large, judged against the unit-variance truth.
    const wrong = independentGaussian([1.1, 1.1]);
    wrong.truth = createPreset('gaussian').truth;
    const { zVar } = worstZ('nuts', wrong, { seed: 19 });
    expect(zVar).toBeGreaterThan(4);
  });
});
