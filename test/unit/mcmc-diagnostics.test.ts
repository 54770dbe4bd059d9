import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/shared/rng';
import {
  autocorrelation,
  diagnosticThresholds,
  ebfmi,
  essBulk,
  essMean,
  essTail,
  mcseMean,
  normalQuantile,
  quantile,
  rankOffsets,
  rhat,
  splitRhat,
  summarizeParameter,
  type ChainDraws,
} from '../../src/shared/mcmc-diagnostics';

// shared/ sits next to the repository (CI clones it as a sibling folder).
const reference = path.resolve(__dirname, '../../../shared/reference');

interface ReferenceCase {
  name: string;
  iterations: number;
  chains: number;
  rhat: number;
  ess_bulk: number;
  ess_tail: number;
  draws_by_chain: number[][];
}

const cases: ReferenceCase[] = JSON.parse(
  readFileSync(path.join(reference, 'mcmc-diagnostics.json'), 'utf8'),
).cases;

const relErr = (a: number, b: number): number => Math.abs(a / b - 1);

function iidChains(rng: Rng, chains: number, n: number, centre = (_c: number) => 0): ChainDraws {
  return Array.from({ length: chains }, (_, c) =>
    Float64Array.from({ length: n }, () => centre(c) + rng.normal()),
  );
}

function ar1(rng: Rng, n: number, rho: number): Float64Array {
  const x = new Float64Array(n);
  let v = rng.normal() / Math.sqrt(1 - rho * rho); // start in the stationary distribution
  for (let t = 0; t < n; t++) {
    x[t] = v;
    v = rho * v + rng.normal();
  }
  return x;
}

describe('normalQuantile', () => {
  it('matches known values of Φ⁻¹', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 14);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.6448536269514729, 14);
    expect(normalQuantile(0.8413447460685429)).toBeCloseTo(1, 13);
    expect(relErr(normalQuantile(1e-10), -6.361340902404056)).toBeLessThan(1e-13);
    expect(relErr(normalQuantile(1e-300), -37.0470962993612)).toBeLessThan(1e-12);
  });

  it('is odd about 1/2 and handles the ends', () => {
    for (const p of [1e-8, 0.01, 0.2, 0.4]) {
      expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 8);
    }
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.1)).toBeNaN();
    expect(normalQuantile(NaN)).toBeNaN();
  });
});

describe('quantile (type 7)', () => {
  const sorted = Float64Array.of(1, 2, 3, 4);
  it('interpolates as R quantile(type = 7)', () => {
    expect(quantile(sorted, 0)).toBe(1);
    expect(quantile(sorted, 0.25)).toBeCloseTo(1.75, 15);
    expect(quantile(sorted, 0.5)).toBeCloseTo(2.5, 15);
    expect(quantile(sorted, 0.9)).toBeCloseTo(3.7, 15);
    expect(quantile(sorted, 1)).toBe(4);
    expect(quantile(Float64Array.of(-2, 0, 5, 5, 10), 0.7)).toBe(5);
    expect(quantile(Float64Array.of(0, 10, 20), 0.05)).toBeCloseTo(1, 15);
    expect(quantile(Float64Array.of(7), 0.3)).toBe(7);
  });

  it('is NaN without values or with p outside [0, 1]', () => {
    expect(quantile(new Float64Array(0), 0.5)).toBeNaN();
    expect(quantile(sorted, 1.5)).toBeNaN();
    expect(quantile(sorted, -0.5)).toBeNaN();
  });
});

describe('reference fixtures (rstan 2.21)', () => {
  it('holds five cases of 4 chains × 1000 draws', () => {
    expect(cases.map((c) => c.name)).toHaveLength(5);
    for (const c of cases) {
      expect(c.draws_by_chain).toHaveLength(c.chains);
      for (const chain of c.draws_by_chain) expect(chain).toHaveLength(c.iterations);
    }
  });

  // rstan 2.21 rank-normalised with (r − 1/2)/S; with that offset the algorithms are the same
  // and agree to rounding.
  it.each(cases)('$name: R-hat, bulk and tail ESS agree with rstan', (c) => {
    const chains = c.draws_by_chain.map((x) => Float64Array.from(x));
    const options = { rankOffset: rankOffsets.rstan221 };
    expect(relErr(rhat(chains, options), c.rhat)).toBeLessThan(1e-9);
    expect(relErr(essBulk(chains, options), c.ess_bulk)).toBeLessThan(1e-9);
    expect(relErr(essTail(chains), c.ess_tail)).toBeLessThan(1e-9);
    const summary = summarizeParameter(c.name, chains, options);
    expect(relErr(summary.rhat, c.rhat)).toBeLessThan(1e-9);
    expect(relErr(summary.essBulk, c.ess_bulk)).toBeLessThan(1e-9);
    expect(relErr(summary.essTail, c.ess_tail)).toBeLessThan(1e-9);
  });

  // The default Blom offset (posterior ≥ 1.0, current Stan) moves ranks slightly: R-hat and bulk
  // ESS differ from rstan 2.21 by ~1e-4 relative; tail ESS uses no ranks and is unchanged.
  it.each(cases)('$name: the default (Blom) offset stays close to rstan', (c) => {
    const chains = c.draws_by_chain.map((x) => Float64Array.from(x));
    expect(relErr(rhat(chains), c.rhat)).toBeLessThan(5e-4);
    expect(relErr(essBulk(chains), c.ess_bulk)).toBeLessThan(1e-3);
    expect(relErr(essTail(chains), c.ess_tail)).toBeLessThan(1e-9);
  });

  it('flags the bad cases and passes the good ones', () => {
    const byName = new Map(
      cases.map((c) => [c.name, c.draws_by_chain.map((x) => Float64Array.from(x))]),
    );
    expect(rhat(byName.get('iid_normal')!)).toBeLessThan(diagnosticThresholds.rhat);
    expect(rhat(byName.get('one_chain_shifted')!)).toBeGreaterThan(1.1);
    // Same location, different scales: classic split R-hat misses it, the folded one does not.
    expect(splitRhat(byName.get('different_scales')!)).toBeLessThan(1.01);
    expect(rhat(byName.get('different_scales')!)).toBeGreaterThan(1.1);
    expect(essTail(byName.get('different_scales')!)).toBeLessThan(diagnosticThresholds.ess);
  });
});

describe('effective sample size', () => {
  it('AR(1) with ρ = 0.9: essMean ≈ S (1 − ρ)/(1 + ρ)', () => {
    const rng = createRng(20240901);
    const rho = 0.9;
    const chains = Array.from({ length: 4 }, () => ar1(rng, 20_000, rho));
    const expected = (4 * 20_000 * (1 - rho)) / (1 + rho);
    expect(relErr(essMean(chains), expected)).toBeLessThan(0.1);
    expect(relErr(essBulk(chains), expected)).toBeLessThan(0.1);
  });

  it('iid draws: ESS close to the number of draws, MCSE ≈ sd/√S', () => {
    const chains = iidChains(createRng(7), 4, 1000);
    for (const ess of [essMean(chains), essBulk(chains), essTail(chains)]) {
      expect(ess).toBeGreaterThan(3000);
      expect(ess).toBeLessThan(5000);
    }
    expect(mcseMean(chains)).toBeGreaterThan(0.85 / Math.sqrt(4000));
    expect(mcseMean(chains)).toBeLessThan(1.15 / Math.sqrt(4000));
  });

  it('antithetic draws: ESS above S but capped at S·log10(S)', () => {
    const rng = createRng(11);
    const chains = Array.from({ length: 4 }, () => ar1(rng, 1000, -0.6));
    const ess = essMean(chains);
    expect(ess).toBeGreaterThan(4000);
    expect(ess).toBeLessThanOrEqual(4000 * Math.log10(4000) * (1 + 1e-12));
  });

  it('is invariant to monotone transforms when rank-normalised', () => {
    const rng = createRng(3);
    const chains = Array.from({ length: 4 }, () => ar1(rng, 500, 0.5));
    const transformed = chains.map((c) => c.map(Math.exp));
    expect(essBulk(transformed)).toBeCloseTo(essBulk(chains), 9);
    expect(rhat(transformed)).toBeCloseTo(rhat(chains), 12);
    expect(essTail(transformed)).toBeCloseTo(essTail(chains), 9);
  });
});

describe('R-hat', () => {
  it('is ≈ 1 for independent iid normal chains', () => {
    const chains = iidChains(createRng(42), 4, 1000);
    expect(rhat(chains)).toBeLessThan(diagnosticThresholds.rhat);
    expect(splitRhat(chains)).toBeLessThan(diagnosticThresholds.rhat);
    expect(rhat(chains)).toBeGreaterThan(0.99);
  });

  it('is large for chains stuck in different modes', () => {
    const chains = iidChains(createRng(42), 4, 1000, (c) => (c % 2 === 0 ? -3 : 3));
    expect(rhat(chains)).toBeGreaterThan(1.1);
    expect(splitRhat(chains)).toBeGreaterThan(1.1);
  });

  it('splitting catches a chain that drifts', () => {
    const rng = createRng(5);
    const chains = Array.from({ length: 4 }, () =>
      Float64Array.from({ length: 1000 }, (_, t) => (4 * t) / 1000 + rng.normal()),
    );
    expect(splitRhat(chains)).toBeGreaterThan(1.1);
    expect(rhat(chains)).toBeGreaterThan(1.1);
  });

  it('drops the middle draw of odd-length chains', () => {
    const rng = createRng(9);
    const odd = Array.from({ length: 3 }, () => ar1(rng, 101, 0.3));
    const even = odd.map((c) => Float64Array.of(...c.subarray(0, 50), ...c.subarray(51)));
    expect(splitRhat(odd)).toBe(splitRhat(even));
    expect(essMean(odd)).toBe(essMean(even));
  });

  it('handles tied (discrete) draws with average ranks', () => {
    const rng = createRng(13);
    const rounded = Array.from({ length: 4 }, () =>
      Float64Array.from({ length: 800 }, () => Math.round(3 * rng.normal())),
    );
    expect(rhat(rounded)).toBeLessThan(1.02);
    expect(essBulk(rounded)).toBeGreaterThan(2000);
    expect(essTail(rounded)).toBeGreaterThan(2000);
    // With 4 levels the 95% quantile is the maximum, so I(x ≤ q95) never varies and its ESS is
    // undefined (as in posterior), while bulk diagnostics are still fine.
    const fourLevels = Array.from({ length: 4 }, () =>
      Float64Array.from({ length: 800 }, () => Math.floor(4 * rng.uniform())),
    );
    expect(rhat(fourLevels)).toBeLessThan(1.02);
    expect(essBulk(fourLevels)).toBeGreaterThan(2000);
    expect(essTail(fourLevels)).toBeNaN();
  });
});

describe('degenerate input', () => {
  const constant = [new Float64Array(100).fill(2), new Float64Array(100).fill(2)];

  it('gives NaN for constant or non-finite draws', () => {
    for (const f of [splitRhat, rhat, essBulk, essTail, essMean, mcseMean]) {
      expect(f(constant)).toBeNaN();
    }
    const withNaN = iidChains(createRng(1), 2, 100);
    withNaN[1][17] = NaN;
    expect(rhat(withNaN)).toBeNaN();
    expect(essBulk(withNaN)).toBeNaN();
    const s = summarizeParameter('c', constant);
    expect(s.mean).toBe(2);
    expect(s.q50).toBe(2);
    expect(s.rhat).toBeNaN();
    expect(s.essBulk).toBeNaN();
    expect(autocorrelation(constant[0], 3).every(Number.isNaN)).toBe(true);
  });

  it('gives NaN for too few draws and throws for unequal chains', () => {
    expect(essMean([Float64Array.of(1, 2, 3, 4), Float64Array.of(2, 1, 4, 3)])).toBeNaN();
    expect(rhat([])).toBeNaN();
    const empty = summarizeParameter('none', [new Float64Array(0), new Float64Array(0)]);
    expect([empty.mean, empty.sd, empty.q50, empty.rhat, empty.essBulk].every(Number.isNaN)).toBe(
      true,
    );
    // Two draws per chain: one per half is too few for R-hat.
    expect(rhat([Float64Array.of(1, 2), Float64Array.of(3, 5)])).toBeNaN();
    expect(() => rhat([new Float64Array(10), new Float64Array(9)])).toThrow(RangeError);
  });
});

describe('autocorrelation', () => {
  it('of an AR(1) at lag k is ≈ ρ^k', () => {
    const rho = 0.9;
    const acf = autocorrelation(ar1(createRng(99), 100_000, rho), 10);
    expect(acf).toHaveLength(11);
    expect(acf[0]).toBe(1);
    for (let k = 1; k <= 10; k++) expect(Math.abs(acf[k] - rho ** k)).toBeLessThan(0.04);
  });

  it('equals the direct biased sum, also past the chain length', () => {
    const x = Float64Array.from({ length: 37 }, (_, i) => Math.sin(i * 1.3) + 0.1 * i);
    const m = x.reduce((a, b) => a + b) / x.length;
    const acov = (k: number): number => {
      let s = 0;
      for (let t = 0; t + k < x.length; t++) s += (x[t] - m) * (x[t + k] - m);
      return s;
    };
    const acf = autocorrelation(x, 40);
    for (let k = 0; k < 37; k++) expect(acf[k]).toBeCloseTo(acov(k) / acov(0), 12);
    for (let k = 37; k <= 40; k++) expect(acf[k]).toBe(0);
    expect(autocorrelation(x, 0)).toEqual(Float64Array.of(1));
    expect(() => autocorrelation(x, NaN)).toThrow(RangeError);
  });
});

describe('E-BFMI', () => {
  it('matches the formula on a hand example', () => {
    // diffs 1, 2 → 5; deviations from 7/3 → 42/9.
    expect(ebfmi(Float64Array.of(1, 2, 4))).toBeCloseTo(45 / 42, 14);
  });

  it('is ≈ 2 for independent energies and small for a random walk', () => {
    const rng = createRng(21);
    expect(ebfmi(Float64Array.from({ length: 20_000 }, () => rng.normal()))).toBeCloseTo(2, 1);
    let e = 0;
    const walk = Float64Array.from({ length: 5000 }, () => (e += rng.normal()));
    expect(ebfmi(walk)).toBeLessThan(0.05);
    expect(ebfmi(Float64Array.of(3, 3, 3))).toBeNaN();
    expect(ebfmi(Float64Array.of(3))).toBeNaN();
  });
});

describe('summarizeParameter', () => {
  it('agrees with the single diagnostics', () => {
    const rng = createRng(77);
    const chains = Array.from({ length: 4 }, () => ar1(rng, 1000, 0.7).map((v) => 2 + 0.5 * v));
    const s = summarizeParameter('theta', chains);
    const all = Float64Array.from(chains.flatMap((c) => [...c])).sort();
    expect(s.name).toBe('theta');
    expect(s.mean).toBeCloseTo(all.reduce((a, b) => a + b) / all.length, 12);
    expect(s.q5).toBe(quantile(all, 0.05));
    expect(s.q50).toBe(quantile(all, 0.5));
    expect(s.q95).toBe(quantile(all, 0.95));
    expect(s.rhat).toBe(rhat(chains));
    expect(s.essBulk).toBe(essBulk(chains));
    expect(s.essTail).toBe(essTail(chains));
    expect(s.mcseMean).toBeCloseTo(mcseMean(chains), 14);
    expect(s.mcseMean).toBeCloseTo(s.sd / Math.sqrt(essMean(chains)), 14);
  });

  it('summarises 100 parameters × 4 chains × 1000 draws', () => {
    // Its speed is measured by `npm run bench -- nuts` (no timing assertions in tests).
    const rng = createRng(1234);
    const params = Array.from({ length: 100 }, () =>
      Array.from({ length: 4 }, () => ar1(rng, 1000, 0.5)),
    );
    const out = params.map((chains, i) => summarizeParameter(`p${i}`, chains));
    expect(out.every((s) => s.rhat < 1.05 && s.essBulk > 500)).toBe(true);
  });
});
