import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { inEnglish } from '../../src/shared/i18n';
import {
  CancelledError,
  DataError,
  type AlgorithmContext,
  type EngineData,
} from '../../src/main/engine/algorithm';
import { fitGmm, gmm, precisionMatrices } from '../../src/main/engine/algorithms/gmm';
import { initBackend } from '../../src/main/engine/backend';
import { createRng } from '../../src/shared/rng';
import {
  covarianceTypes,
  gmmInits,
  gmmParams,
  type CovarianceType,
  type GmmParams,
  type GmmSummary,
} from '../../src/shared/algorithms/gmm';
import type { Mixture } from '../../src/shared/artifacts';

// shared/ sits next to the repository (CI clones it as a sibling folder).
const reference = path.resolve(__dirname, '../../../shared/reference');

function readCsv(file: string): EngineData {
  const [header, ...lines] = readFileSync(path.join(reference, file), 'utf8').trim().split(/\r?\n/);
  const columns = header.split(',').map((c) => c.replace(/"/g, ''));
  const values = Float64Array.from(lines.flatMap((l) => l.split(',').map(Number)));
  return { values, rows: lines.length, cols: columns.length, columns };
}

function fromRows(rows: number[][]): EngineData {
  return {
    values: Float64Array.from(rows.flat()),
    rows: rows.length,
    cols: rows[0].length,
    columns: rows[0].map((_, j) => `c${j}`),
  };
}

/** Full parameters from the schema's defaults. */
const P = (p: Partial<GmmParams>): GmmParams => gmmParams.parse(p);

/** Three 2-D Gaussian blobs with different shapes. */
function synthetic(seed: number, n = 600): EngineData {
  const rng = createRng(seed);
  const centres = [
    [0, 0],
    [5, 1],
    [1, 6],
  ];
  const rows = Array.from({ length: n }, (_, i) => {
    const c = i % 3;
    const [a, b] = [rng.normal(), rng.normal()];
    return [centres[c][0] + a * (c + 1) * 0.5, centres[c][1] + 0.6 * a + b * 0.7];
  });
  return fromRows(rows);
}

const relClose = (got: number, want: number, rel: number) =>
  expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want));

const finiteSummary = (s: GmmSummary) =>
  [
    ...s.weights,
    ...s.means.flat(),
    ...s.covariances.flat(2),
    s.meanLogLikelihood,
    s.bic,
    s.aic,
  ].every(Number.isFinite);

beforeAll(async () => {
  await initBackend(null);
});

describe('fitGmm against the seed document (1-D, 2 components)', () => {
  it('reproduces its EM loop', async () => {
    const seed = JSON.parse(readFileSync(path.join(reference, 'seed-gmm.json'), 'utf8'));
    const data = readCsv('seed1d.csv');
    const snapshots: Mixture[] = [];
    const lls: number[] = [];
    const summary = await fitGmm(tf, data, P({ k: 2, maxIter: 100, tol: 1e-6, regCovar: 0 }), {
      rng: createRng(1),
      init: {
        weights: seed.init.weights,
        means: seed.init.means.map((m: number) => [m]),
        covariances: seed.init.stds.map((s: number) => [[s * s]]),
      },
      onIteration: (_iter, ll, mixture) => {
        lls.push(ll);
        snapshots.push(mixture);
      },
    });
    // The seed loop tests convergence right after the E-step and breaks before that iteration's
    // M-step, reporting 27 M-steps; sklearn (and fitGmm) do the M-step first and count 28. Both
    // stop on the same log-likelihood change; sklearn's extra M-step only raises the likelihood,
    // so sklearn's count is the one we keep. Snapshot 27 is the seed's final mixture, and the
    // 28th E-step's log-likelihood is the seed's final one.
    expect(summary.iterations).toBe(28);
    expect(summary.converged).toBe(true);
    const want = seed.float64;
    const at27 = snapshots[26];
    for (let c = 0; c < 2; c++) {
      expect(Math.abs(at27.means[c][0] - want.means[c])).toBeLessThan(1e-4);
      expect(Math.abs(Math.sqrt(at27.covariances[c][0][0]) - want.stds[c])).toBeLessThan(1e-4);
      expect(Math.abs(at27.weights[c] - want.weights[c])).toBeLessThan(1e-4);
      // One more M-step moves the final answer by ~3e-4 at most.
      expect(Math.abs(summary.means[c][0] - want.means[c])).toBeLessThan(1e-3);
    }
    relClose(lls[27], want.final_mean_loglik, 1e-5);
    relClose(summary.meanLogLikelihood, want.final_mean_loglik, 1e-5);
    expect(summary.meanLogLikelihood).toBeGreaterThanOrEqual(want.final_mean_loglik - 1e-6);
  });
});

interface SklearnCase {
  k: number;
  covariance_type: CovarianceType;
  reg_covar: number;
  tol: number;
  init: {
    weights: number[];
    means: number[][];
    precisions: number[][][] | number[][] | number[];
  };
  mean_loglik: number;
  bic: number;
  aic: number;
  weights: number[];
  means: number[][];
  /** sklearn's shape for the type: full K×d×d, tied d×d, diag K×d, spherical K. */
  covariances: number[][][] | number[][] | number[];
}

/** A fit's covariances in sklearn's shape for its type, as flat lists per component. */
function sklearnShaped(type: CovarianceType, covs: number[][][]): number[][] {
  switch (type) {
    case 'full':
      return covs.map((c) => c.flat());
    case 'tied':
      return [covs[0].flat()];
    case 'diag':
      return covs.map((c) => c.map((row, a) => row[a]));
    case 'spherical':
      return covs.map((c) => [c[0][0]]);
  }
}

function referenceShaped(c: SklearnCase): number[][] {
  switch (c.covariance_type) {
    case 'full':
      return (c.covariances as number[][][]).map((m) => m.flat());
    case 'tied':
      return [(c.covariances as number[][]).flat()];
    case 'diag':
      return c.covariances as number[][];
    case 'spherical':
      return (c.covariances as number[]).map((v) => [v]);
  }
}

/**
 * Covariance entries within 2e-3 of their scale: the entry itself for variances, √(Σ_aa Σ_bb)
 * for covariances (flattened d×d matrices, or lists of variances).
 */
function covarianceClose(got: number[], want: number[], d: number): void {
  const matrix = want.length === d * d && d > 1;
  want.forEach((v, i) => {
    const scale = matrix
      ? Math.sqrt(want[Math.floor(i / d) * (d + 1)] * want[(i % d) * (d + 1)])
      : Math.abs(v);
    expect(Math.abs(got[i] - v)).toBeLessThan(2e-3 * scale);
  });
}

describe('fitGmm against scikit-learn on faithful', () => {
  const ref = JSON.parse(readFileSync(path.join(reference, 'gmm-faithful-sklearn.json'), 'utf8'));
  const data = readCsv('faithful.csv');
  const cases = ref.cases as SklearnCase[];

  it('has every covariance type for K = 2 and 3', () => {
    expect(cases.length).toBe(8);
    for (const type of covarianceTypes)
      expect(cases.filter((c) => c.covariance_type === type).map((c) => c.k)).toEqual([2, 3]);
  });

  it.each(cases.map((c) => ({ k: c.k, type: c.covariance_type, c })))(
    '$type, K = $k',
    async ({ c }) => {
      const d = c.means[0].length;
      const summary = await fitGmm(
        tf,
        data,
        P({
          k: c.k,
          covarianceType: c.covariance_type,
          maxIter: 2000,
          tol: c.tol,
          regCovar: c.reg_covar,
        }),
        {
          rng: createRng(1),
          init: {
            weights: c.init.weights,
            means: c.init.means,
            precisions: precisionMatrices(c.covariance_type, c.k, d, c.init.precisions),
          },
        },
      );
      expect(summary.covarianceType).toBe(c.covariance_type);
      expect(summary.covariances.length).toBe(c.k);
      relClose(summary.meanLogLikelihood, c.mean_loglik, 1e-4);
      relClose(summary.bic, c.bic, 1e-4);
      relClose(summary.aic, c.aic, 1e-4);
      const ours = sklearnShaped(c.covariance_type, summary.covariances);
      const theirs = referenceShaped(c);
      c.means.forEach((mean: number[], i: number) => {
        // Match by nearest mean, in case components come out permuted.
        const dist = summary.means.map((m) =>
          Math.hypot(...m.map((v, j) => (v - mean[j]) / (Math.abs(mean[j]) + 1))),
        );
        const j = dist.indexOf(Math.min(...dist));
        expect(Math.abs(summary.weights[j] - c.weights[i])).toBeLessThan(1e-3);
        mean.forEach((v, a) => relClose(summary.means[j][a], v, 1e-3));
        if (c.covariance_type !== 'tied') covarianceClose(ours[j], theirs[i], d);
      });
      if (c.covariance_type === 'tied') covarianceClose(ours[0], theirs[0], d);
      // Every component reports the same matrix when tied; a diagonal one for diag/spherical.
      if (c.covariance_type === 'tied')
        summary.covariances.forEach((m) => expect(m).toEqual(summary.covariances[0]));
      if (c.covariance_type === 'diag' || c.covariance_type === 'spherical')
        summary.covariances.forEach((m) => expect(m[0][1]).toBe(0));
    },
  );
});

describe('scikit-learn issue #30382', () => {
  it('gives both spherical variances reg_covar for X = [[9999], [0]]', async () => {
    const summary = await fitGmm(
      tf,
      fromRows([[9999], [0]]),
      P({ k: 2, covarianceType: 'spherical', regCovar: 0.1 }),
      { rng: createRng(1) },
    );
    expect(summary.converged).toBe(true);
    for (const cov of summary.covariances) relClose(cov[0][0], 0.1, 1e-3);
    expect(summary.means.map((m) => m[0]).sort((a, b) => a - b)).toEqual([0, 9999]);
  });

  it.each(['diag', 'full', 'tied'] as const)('and for %s', async (type) => {
    const summary = await fitGmm(
      tf,
      fromRows([[9999], [0]]),
      P({ k: 2, covarianceType: type, regCovar: 0.1 }),
      { rng: createRng(1) },
    );
    // Tied pools the two components' zero scatter: reg_covar again.
    for (const cov of summary.covariances) relClose(cov[0][0], 0.1, 1e-3);
  });
});

async function logLikelihoods(
  data: EngineData,
  params: GmmParams,
  seed: number,
): Promise<number[]> {
  const lls: number[] = [];
  await fitGmm(tf, data, params, {
    rng: createRng(seed),
    onIteration: (_i, ll) => void lls.push(ll),
  });
  return lls;
}

describe('fitGmm properties', () => {
  it.each(covarianceTypes)('EM never lowers the log-likelihood (%s)', async (type) => {
    const faithful = readCsv('faithful.csv');
    for (const [data, k] of [
      [faithful, 3],
      [synthetic(7), 3],
    ] as const) {
      for (const seed of [1, 2, 3]) {
        const lls = await logLikelihoods(
          data,
          P({ k, covarianceType: type, maxIter: 200, tol: 1e-9, regCovar: 1e-6 }),
          seed,
        );
        expect(lls.length).toBeGreaterThan(2);
        for (let i = 1; i < lls.length; i++)
          expect(lls[i]).toBeGreaterThanOrEqual(lls[i - 1] - 1e-5 * Math.abs(lls[i - 1]));
      }
    }
  });

  it('with K = 1 gives the sample mean, the biased sample covariance and the Gaussian likelihood', async () => {
    const data = synthetic(3, 301);
    const regCovar = 1e-3;
    const summary = await fitGmm(tf, data, P({ k: 1, maxIter: 10, tol: 1e-8, regCovar }), {
      rng: createRng(1),
    });
    const { values, rows: n } = data;
    const mean = [0, 1].map(
      (j) => Array.from({ length: n }, (_, i) => values[i * 2 + j]).reduce((a, b) => a + b) / n,
    );
    const cov = [0, 1].map((a) =>
      [0, 1].map((b) => {
        let s = 0;
        for (let i = 0; i < n; i++)
          s += (values[i * 2 + a] - mean[a]) * (values[i * 2 + b] - mean[b]);
        return s / n + (a === b ? regCovar : 0);
      }),
    );
    const det = cov[0][0] * cov[1][1] - cov[0][1] ** 2;
    let ll = 0;
    for (let i = 0; i < n; i++) {
      const [u, v] = [values[i * 2] - mean[0], values[i * 2 + 1] - mean[1]];
      const q = (cov[1][1] * u * u - 2 * cov[0][1] * u * v + cov[0][0] * v * v) / det;
      ll += -0.5 * q - 0.5 * Math.log(det) - Math.log(2 * Math.PI);
    }
    expect(summary.weights).toEqual([1]);
    mean.forEach((m, j) => expect(summary.means[0][j]).toBeCloseTo(m, 5));
    cov.forEach((row, a) =>
      row.forEach((v, b) =>
        expect(Math.abs(summary.covariances[0][a][b] - v)).toBeLessThan(1e-5 * cov[a][a]),
      ),
    );
    relClose(summary.meanLogLikelihood, ll / n, 1e-6);

    // K = 1 with the other types: the same means; diag keeps the diagonal, spherical its mean.
    for (const type of ['diag', 'spherical', 'tied'] as const) {
      const s = await fitGmm(
        tf,
        data,
        P({ k: 1, covarianceType: type, maxIter: 10, tol: 1e-8, regCovar }),
        { rng: createRng(1) },
      );
      mean.forEach((m, j) => expect(s.means[0][j]).toBeCloseTo(m, 5));
      const want =
        type === 'tied'
          ? cov
          : type === 'diag'
            ? [
                [cov[0][0], 0],
                [0, cov[1][1]],
              ]
            : [
                [(cov[0][0] + cov[1][1]) / 2, 0],
                [0, (cov[0][0] + cov[1][1]) / 2],
              ];
      want.forEach((row, a) =>
        row.forEach((v, b) =>
          expect(Math.abs(s.covariances[0][a][b] - v)).toBeLessThan(1e-5 * cov[a][a]),
        ),
      );
    }
  });

  it('gives the same summary for the same seed', async () => {
    const data = synthetic(11);
    for (const type of covarianceTypes) {
      const params = P({ k: 3, covarianceType: type, maxIter: 50, tol: 1e-6, nInit: 2 });
      const a = await fitGmm(tf, data, params, { rng: createRng(5) });
      const b = await fitGmm(tf, data, params, { rng: createRng(5) });
      expect(b).toEqual(a);
    }
  });

  it.each(covarianceTypes)(
    'keeps the tensor count flat across iterations and frees everything (%s)',
    async (type) => {
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      await fitGmm(
        tf,
        synthetic(2, 3000),
        P({ k: 3, covarianceType: type, maxIter: 8, tol: 1e-12, nInit: 2 }),
        { rng: createRng(1), onIteration: () => void counts.push(tf.memory().numTensors) },
      );
      expect(counts.length).toBe(16);
      expect(new Set(counts).size).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('works on data larger than one block, with padding', async () => {
    // 20,001 rows of 2 columns with K = 3 spans several blocks and a padded last chunk.
    const data = synthetic(5, 20_001);
    const before = tf.memory().numTensors;
    const s = await fitGmm(tf, data, P({ k: 3, tol: 1e-8, maxIter: 300 }), {
      rng: createRng(3),
    });
    expect(tf.memory().numTensors).toBe(before);
    // Compare with the float64 log-likelihood of the returned mixture.
    const { values, rows: n } = data;
    let ll = 0;
    for (let i = 0; i < n; i++) {
      const parts = s.weights.map((w, c) => {
        const [[a, b], [, e]] = s.covariances[c];
        const det = a * e - b * b;
        const [u, v] = [values[i * 2] - s.means[c][0], values[i * 2 + 1] - s.means[c][1]];
        const q = (e * u * u - 2 * b * u * v + a * v * v) / det;
        return (w * Math.exp(-0.5 * q)) / (2 * Math.PI * Math.sqrt(det));
      });
      ll += Math.log(parts.reduce((x, y) => x + y));
    }
    relClose(s.meanLogLikelihood, ll / n, 2e-6);
    expect(s.weights.reduce((x, y) => x + y)).toBeCloseTo(1, 12);
  });
});

describe('initialisations', () => {
  const faithful = readCsv('faithful.csv');

  it.each(gmmInits.filter((i) => i !== 'means'))('%s gives a finite fit', async (init) => {
    for (const type of covarianceTypes) {
      const s = await fitGmm(tf, faithful, P({ k: 3, covarianceType: type, init }), {
        rng: createRng(2),
      });
      expect(finiteSummary(s)).toBe(true);
      expect(s.meanLogLikelihood).toBeGreaterThan(-7);
    }
  });

  it('means starts from the given means (in original units, also when standardising)', async () => {
    const initMeans = [
      [2, 55],
      [4.5, 80],
    ];
    for (const standardize of [false, true]) {
      const starts: Mixture[] = [];
      const s = await fitGmm(
        tf,
        faithful,
        P({ k: 2, init: 'means', initMeans, standardize, maxIter: 5 }),
        { rng: createRng(1), onInit: (_step, m) => void starts.push(m) },
      );
      expect(starts.length).toBe(1);
      starts[0].means.forEach((m, c) =>
        m.forEach((v, j) => expect(v).toBeCloseTo(initMeans[c][j], 10)),
      );
      // The component around (2, 55) stays the one there.
      expect(s.means[0][0]).toBeLessThan(3);
      expect(finiteSummary(s)).toBe(true);
    }
  });

  it('means refuses means of the wrong shape', async () => {
    await expect(
      fitGmm(tf, faithful, P({ k: 3, init: 'means', initMeans: [[1, 2]] }), { rng: createRng(1) }),
    ).rejects.toThrow(DataError);
  });

  it('nInit = 5 keeps the best restart', async () => {
    const s = await fitGmm(tf, faithful, P({ k: 4, init: 'random_from_data', nInit: 5 }), {
      rng: createRng(3),
    });
    expect(s.initLogLikelihoods.length).toBe(5);
    expect(s.meanLogLikelihood).toBe(Math.max(...s.initLogLikelihoods));
    expect(s.initLogLikelihoods[s.bestInit]).toBe(s.meanLogLikelihood);
    // The restarts differ (otherwise this test shows nothing).
    expect(new Set(s.initLogLikelihoods.map((v) => v.toFixed(6))).size).toBeGreaterThan(1);
  });
});

describe('standardize', () => {
  // Two columns on very different scales: x and 1000·y.
  const base = synthetic(9, 900);
  const data: EngineData = {
    ...base,
    values: base.values.map((v, i) => (i % 2 ? 1000 * v : v)),
  };

  it.each(covarianceTypes)('reports %s fits in the original units', async (type) => {
    const init = {
      weights: [1 / 3, 1 / 3, 1 / 3],
      means: [
        [0, 0],
        [5, 1000],
        [1, 6000],
      ],
      covariances: Array.from({ length: 3 }, () => [
        [1, 0],
        [0, 1e6],
      ]),
    };
    const params = P({ k: 3, covarianceType: type, tol: 1e-9, maxIter: 500, regCovar: 0 });
    const plain = await fitGmm(tf, data, params, { rng: createRng(1), init });
    const scaled = await fitGmm(
      tf,
      data,
      { ...params, standardize: true },
      {
        rng: createRng(1),
        init,
      },
    );
    // The log-likelihood of the original data (standardising changes it by −Σ log sd per row,
    // which fitGmm adds back); spherical is not scale invariant, so it is a different model.
    if (type === 'spherical') {
      expect(scaled.meanLogLikelihood).not.toBeCloseTo(plain.meanLogLikelihood, 1);
      // The standardised spherical model is a better fit for such columns.
      expect(scaled.meanLogLikelihood).toBeGreaterThan(plain.meanLogLikelihood);
      return;
    }
    relClose(scaled.meanLogLikelihood, plain.meanLogLikelihood, 1e-5);
    relClose(scaled.bic, plain.bic, 1e-5);
    relClose(scaled.aic - scaled.bic, plain.aic - plain.bic, 1e-9);
    scaled.means.forEach((m, c) =>
      m.forEach((v, j) =>
        expect(Math.abs(v - plain.means[c][j])).toBeLessThan(1e-3 * (j ? 1000 : 1)),
      ),
    );
    scaled.covariances.forEach((m, c) =>
      m.forEach((row, a) =>
        row.forEach((v, b) => {
          const scale = Math.sqrt(plain.covariances[c][a][a] * plain.covariances[c][b][b]);
          expect(Math.abs(v - plain.covariances[c][a][b])).toBeLessThan(1e-3 * scale);
        }),
      ),
    );
  });
});

describe('fitGmm refusals', () => {
  const params = P({ k: 2, maxIter: 20, tol: 1e-3, regCovar: 1e-6 });

  it('refuses NaN and Infinity and names the row and column', async () => {
    const data = synthetic(1, 30);
    data.values[5 * 2 + 1] = NaN;
    const before = tf.memory().numTensors;
    await expect(fitGmm(tf, data, params, { rng: createRng(1) })).rejects.toThrow(DataError);
    await expect(fitGmm(tf, data, params, { rng: createRng(1) })).rejects.toThrow(
      /row 6, column "c1"/,
    );
    data.values[5 * 2 + 1] = 0;
    data.values[7 * 2] = -Infinity;
    await expect(fitGmm(tf, data, params, { rng: createRng(1) })).rejects.toThrow(
      /row 8, column "c0" is -Infinity/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses K larger than the number of rows', async () => {
    await expect(
      fitGmm(tf, synthetic(1, 3), { ...params, k: 4 }, { rng: createRng(1) }),
    ).rejects.toThrow(/reduce K/);
  });

  it('refuses a constant column when standardising, or with reg_covar = 0, and names it', async () => {
    const rows = synthetic(1, 40).values;
    const data = fromRows(Array.from({ length: 40 }, (_, i) => [rows[2 * i], 7, rows[2 * i + 1]]));
    const refused = [
      { ...params, standardize: true },
      { ...params, regCovar: 0 },
      { ...params, covarianceType: 'spherical' as const },
    ];
    for (const p of refused) {
      const fit = fitGmm(tf, data, p, { rng: createRng(1) });
      await expect(fit).rejects.toThrow(DataError);
      await expect(fit).rejects.toThrow(/column "c1" is constant.*drop the column/);
    }
    // With reg_covar > 0 a full fit is well defined: the column is N(7, reg_covar) everywhere.
    const s = await fitGmm(tf, data, params, { rng: createRng(1) });
    expect(finiteSummary(s)).toBe(true);
    s.covariances.forEach((m) => relClose(m[1][1], params.regCovar, 1e-3));
  });

  it('reports a collapsed component instead of returning NaN', async () => {
    const twoPoints = fromRows(Array.from({ length: 40 }, (_, i) => (i % 2 ? [1, 2] : [3, -1])));
    for (const type of covarianceTypes) {
      const before = tf.memory().numTensors;
      const fit = fitGmm(
        tf,
        twoPoints,
        P({ k: 3, covarianceType: type, maxIter: 50, tol: 1e-6, regCovar: 0 }),
        { rng: createRng(1) },
      );
      await expect(fit).rejects.toThrow(DataError);
      await expect(fit).rejects.toThrow(/raise reg_covar, reduce K or standardise/);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('reports a component that collapses during EM', async () => {
    // 30 copies of one point plus a spread cloud: a component shrinks onto the copies.
    const rng = createRng(4);
    const rows = [
      ...Array.from({ length: 30 }, () => [2.5, 7.25]),
      ...Array.from({ length: 60 }, () => [rng.normal() * 3, rng.normal() * 3]),
    ];
    const lls: number[] = [];
    const before = tf.memory().numTensors;
    const fit = fitGmm(tf, fromRows(rows), P({ k: 2, maxIter: 500, tol: 1e-12, regCovar: 0 }), {
      rng: createRng(1),
      onIteration: (_i, ll) => void lls.push(ll),
    });
    await expect(fit).rejects.toThrow(DataError);
    expect(lls.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('gmm.run', () => {
  function context(
    signal: AbortSignal,
    onMetrics?: (step: number) => void,
    checkpoint: (phase: string, step: number) => Promise<void> = async () => {},
  ) {
    const metrics: { step: number; values: Record<string, number> }[] = [];
    const artifacts: { kind: string; step: number; meta: unknown }[] = [];
    const progress: number[] = [];
    const notes: string[] = [];
    const ctx: AlgorithmContext<GmmParams> = {
      tf,
      data: readCsv('faithful.csv'),
      params: P({ k: 2, maxIter: 100, tol: 1e-3, regCovar: 1e-6 }),
      seed: 1,
      rng: createRng(1),
      signal,
      checkpoint,
      emit: {
        metrics: (step, values) => {
          metrics.push({ step, values });
          onMetrics?.(step);
        },
        artifact: (kind, step, meta) => void artifacts.push({ kind, step, meta }),
        progress: (f) => void progress.push(f),
        note: (m) => void notes.push(inEnglish(m)),
      },
    };
    return { ctx, metrics, artifacts, progress, notes };
  }

  it('emits the starting mixture, then metrics, mixtures and progress for every iteration', async () => {
    const { ctx, metrics, artifacts, progress } = context(new AbortController().signal);
    const summary = await gmm.run(ctx);
    expect(metrics.map((m) => m.step)).toEqual(
      Array.from({ length: summary.iterations }, (_, i) => i + 1),
    );
    expect(metrics.every((m) => Number.isFinite(m.values.meanLogLikelihood))).toBe(true);
    expect(artifacts.map((a) => a.step)).toEqual(
      Array.from({ length: summary.iterations + 1 }, (_, i) => i),
    );
    expect(artifacts.every((a) => a.kind === 'mixture')).toBe(true);
    expect((artifacts.at(-1)!.meta as Mixture).means).toEqual(summary.means);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);
  });

  it('with nInit > 1 steps run on across restarts and the last mixture is the kept one', async () => {
    const { ctx, metrics, artifacts, notes } = context(new AbortController().signal);
    ctx.params = { ...ctx.params, k: 3, nInit: 3, init: 'random' };
    const summary = await gmm.run(ctx);
    const steps = metrics.map((m) => m.step);
    expect(steps.every((s, i) => i === 0 || s > steps[i - 1])).toBe(true);
    const mixtureSteps = artifacts.map((a) => a.step);
    expect(new Set(mixtureSteps).size).toBe(mixtureSteps.length);
    expect((artifacts.at(-1)!.meta as Mixture).means).toEqual(summary.means);
    expect(notes.join()).toMatch(/kept restart/);
  });

  it('calls the checkpoints e-step, m-step in order, after the metric and the mixture', async () => {
    const events: string[] = [];
    const { ctx } = context(new AbortController().signal, undefined, async (phase, step) => {
      events.push(`${phase} ${step}`);
    });
    const emit = ctx.emit;
    ctx.emit = {
      ...emit,
      metrics: (step, v) => {
        events.push(`metrics ${step}`);
        emit.metrics(step, v);
      },
      artifact: (kind, step, meta) => {
        events.push(`${kind} ${step}`);
        emit.artifact(kind, step, meta);
      },
    };
    const summary = await gmm.run(ctx);
    const want = ['mixture 0'];
    for (let i = 1; i <= summary.iterations; i++)
      want.push(`metrics ${i}`, `e-step ${i}`, `mixture ${i}`, `m-step ${i}`);
    expect(events).toEqual(want);
  });

  it.each(['e-step', 'm-step'])(
    'stops with CancelledError thrown by a checkpoint (%s) and leaks nothing',
    async (phase) => {
      const before = tf.memory().numTensors;
      const { ctx } = context(new AbortController().signal, undefined, async (p, step) => {
        if (p === phase && step === 3) throw new CancelledError();
      });
      ctx.params = { ...ctx.params, tol: 1e-12 };
      await expect(gmm.run(ctx)).rejects.toThrow(CancelledError);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it('stops with CancelledError when the signal is aborted', async () => {
    const abort = new AbortController();
    const before = tf.memory().numTensors;
    const { ctx, metrics } = context(abort.signal, (step) => {
      if (step === 2) abort.abort();
    });
    ctx.params = { ...ctx.params, tol: 1e-12 };
    await expect(gmm.run(ctx)).rejects.toThrow(CancelledError);
    expect(metrics.length).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
