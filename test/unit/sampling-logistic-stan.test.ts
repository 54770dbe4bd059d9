import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parameterDraws, sampleChains } from '../../src/main/engine/sampling/chains';
import { logisticRegressionTarget } from '../../src/main/engine/sampling/regression';
import { mcseMean } from '../../src/shared/mcmc-diagnostics';

// shared/ sits next to the repository (CI clones it as a sibling folder).
const reference = path.resolve(__dirname, '../../../shared/reference');

interface StanSummary {
  parameters: string[];
  mean: number[];
  sd: number[];
  mcse: number[];
}

function readLogistic() {
  const [header, ...lines] = readFileSync(path.join(reference, 'logistic.csv'), 'utf8')
    .trim()
    .split(/\r?\n/);
  const columns = header.split(',').map((c) => c.replace(/"/g, '').trim());
  const yIndex = columns.indexOf('y');
  const predictors = columns.filter((_, j) => j !== yIndex);
  const rows = lines.map((l) => l.split(',').map(Number));
  const X = new Float64Array(rows.length * predictors.length);
  const y = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    y[i] = r[yIndex];
    let k = 0;
    r.forEach((v, j) => {
      if (j !== yIndex) X[i * predictors.length + k++] = v;
    });
  });
  return { X, y, predictors };
}

function sd(chains: Float64Array[]): number {
  const all = chains.flatMap((c) => Array.from(c));
  const m = all.reduce((a, b) => a + b, 0) / all.length;
  return Math.sqrt(all.reduce((a, b) => a + (b - m) ** 2, 0) / (all.length - 1));
}

describe('Bayesian logistic regression: NUTS against Stan', () => {
  it('posterior means within 4 MCSE and sds within 10% of Stan (4 × (1000 + 1000))', () => {
    const stan = JSON.parse(
      readFileSync(path.join(reference, 'logistic-stan.json'), 'utf8'),
    ) as StanSummary;
    const { X, y, predictors } = readLogistic();
    expect(predictors).toEqual(['x1', 'x2', 'x3']);
    // Stan's model: alpha, b_j ~ Normal(0, 2.5).
    const target = logisticRegressionTarget({
      X,
      y,
      predictors: ['b1', 'b2', 'b3'],
      priorScale: 2.5,
      interceptScale: 2.5,
    });
    expect(target.names).toEqual(stan.parameters);
    const runs = sampleChains('nuts', target, {
      seed: 20240611,
      chains: 4,
      warmup: 1000,
      draws: 1000,
    });
    expect(runs.reduce((a, r) => a + r.divergences, 0)).toBe(0);
    stan.parameters.forEach((name, j) => {
      const draws = parameterDraws(runs, j);
      const mean = draws.flatMap((c) => Array.from(c)).reduce((a, b) => a + b, 0) / (4 * 1000);
      const mcse = Math.hypot(mcseMean(draws), stan.mcse[j]);
      const s = sd(draws);
      console.log(
        `${name}: mean ${mean.toFixed(4)} (Stan ${stan.mean[j].toFixed(4)}, ` +
          `${(Math.abs(mean - stan.mean[j]) / mcse).toFixed(2)} MCSE), ` +
          `sd ${s.toFixed(4)} (Stan ${stan.sd[j].toFixed(4)}, ${((s / stan.sd[j] - 1) * 100).toFixed(1)}%)`,
      );
      expect(Math.abs(mean - stan.mean[j])).toBeLessThan(4 * mcse);
      expect(Math.abs(s / stan.sd[j] - 1)).toBeLessThan(0.1);
    });
  });
});
