import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/main/engine/algorithm';
import { createRng, type Rng } from '../../src/shared/rng';
import { createBayesGmmChain } from '../../src/main/engine/sampling/bayes-gmm';
import { parseFormula } from '../../src/main/engine/sampling/formula';
import { gmmTarget } from '../../src/main/engine/sampling/gmm-target';
import {
  linearRegressionTarget,
  logisticRegressionTarget,
} from '../../src/main/engine/sampling/regression';
import type { Target } from '../../src/main/engine/sampling/types';
import type { Mixture } from '../../src/shared/artifacts';
import { translate } from '../../src/shared/i18n';

/** Central finite differences of target.logDensity at q. */
function numericGradient(target: Target, q: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(q.length);
  const p = Float64Array.from(q);
  for (let i = 0; i < q.length; i++) {
    const step = h * Math.max(1, Math.abs(q[i]));
    p[i] = q[i] + step;
    const up = target.logDensity(p);
    p[i] = q[i] - step;
    const down = target.logDensity(p);
    p[i] = q[i];
    g[i] = (up - down) / (2 * step);
  }
  return g;
}

/** Analytic gradient agrees with finite differences, and logDensityGrad returns logDensity. */
function expectGradientMatches(target: Target, q: Float64Array, tol = 1e-6): void {
  const g = new Float64Array(target.dim);
  const lp = target.logDensityGrad(q, g);
  expect(lp).toBeCloseTo(target.logDensity(q), 10);
  const fd = numericGradient(target, q);
  for (let i = 0; i < q.length; i++) {
    expect(Math.abs(g[i] - fd[i])).toBeLessThan(tol * Math.max(1, Math.abs(fd[i])));
  }
}

function randomPoint(rng: Rng, d: number, spread = 2): Float64Array {
  return Float64Array.from({ length: d }, () => spread * (2 * rng.uniform() - 1));
}

function formulaTarget(source: string, dim?: number): Target {
  const r = parseFormula(source, dim);
  if ('error' in r) throw new Error(`unexpected error: ${r.error.message}`);
  return r.target;
}

function formulaError(source: string, dim?: number) {
  const r = parseFormula(source, dim);
  if (!('error' in r)) throw new Error(`expected an error for ${source}`);
  return { ...r.error, text: source.slice(r.error.start, r.error.end) };
}

describe('formula target', () => {
  it('a Gaussian written as a formula matches the analytic log density and gradient', () => {
    // N((0.5, −1), Σ) with sds 1.5, 0.8 and correlation 0.6.
    const [mx, my, sx, sy, rho] = [0.5, -1, 1.5, 0.8, 0.6];
    const target = formulaTarget(
      `-((x - ${mx})^2 / ${sx}^2 - 2 * ${rho} * (x - ${mx}) * (y + 1) / (${sx} * ${sy})` +
        ` + (y + 1)^2 / ${sy}^2) / (2 * (1 - ${rho}^2))`,
    );
    expect(target.dim).toBe(2);
    expect(target.names).toEqual(['x', 'y']);
    expect(target.bounds).toEqual([
      [-4, 4],
      [-4, 4],
    ]);
    const det = sx * sx * sy * sy * (1 - rho * rho);
    const p11 = (sy * sy) / det;
    const p22 = (sx * sx) / det;
    const p12 = (-rho * sx * sy) / det;
    const analytic = (x: number, y: number) => {
      const dx = x - mx;
      const dy = y - my;
      return {
        lp:
          -0.5 * (p11 * dx * dx + 2 * p12 * dx * dy + p22 * dy * dy) -
          0.5 * Math.log(4 * Math.PI ** 2 * det),
        gx: -(p11 * dx + p12 * dy),
        gy: -(p12 * dx + p22 * dy),
      };
    };
    const rng = createRng(3);
    const g = new Float64Array(2);
    let offset: number | null = null;
    for (let t = 0; t < 50; t++) {
      const q = randomPoint(rng, 2, 4);
      const a = analytic(q[0], q[1]);
      const lp = target.logDensityGrad(q, g);
      // Same density up to the normalising constant.
      offset ??= lp - a.lp;
      expect(lp - a.lp).toBeCloseTo(offset, 10);
      expect(g[0]).toBeCloseTo(a.gx, 10);
      expect(g[1]).toBeCloseTo(a.gy, 10);
    }
  });

  it('the banana formula: gradient against central finite differences', () => {
    const target = formulaTarget('-(x^2)/2 - (y - x^2)^2');
    const rng = createRng(4);
    for (let t = 0; t < 20; t++) expectGradientMatches(target, randomPoint(rng, 2, 3));
  });

  it('a formula with many functions: gradient against finite differences', () => {
    const target = formulaTarget(
      '-log1p(x^2) + log(2 + sin(y)) - sqrt(1 + x^2 * y^2) + tanh(x*y) - cosh(y/3) + ' +
        'sinh(x/4) + cos(x) * exp(-y^2) - abs(x - 3) + pow(2 + cos(x), y/2) + tan(x/10) + ' +
        'log(3 + y^2, 10) + pi * e * x / 100',
    );
    const rng = createRng(5);
    for (let t = 0; t < 20; t++) expectGradientMatches(target, randomPoint(rng, 2, 2), 1e-5);
  });

  it('x1 … xd formulas infer their dimension', () => {
    const target = formulaTarget('-(x1^2 + 2 * x2^2 + 3 * x3^2)/2 - x1 * x3');
    expect(target.dim).toBe(3);
    expect(target.names).toEqual(['x1', 'x2', 'x3']);
    expect(target.bounds).toBeUndefined();
    expectGradientMatches(target, Float64Array.of(0.3, -0.7, 1.1));
    // A given dimension may name x1 … xd in the plane too, and x alone in 1-D.
    expect(formulaTarget('-x1^2 - x2^2', 2).names).toEqual(['x1', 'x2']);
    expect(formulaTarget('-x^2', 1).names).toEqual(['x']);
  });

  it('a 30-variable formula parses, with every partial right (its time is logged, not asserted)', () => {
    const d = 30;
    const source =
      Array.from({ length: d }, (_, i) => `-(x${i + 1} - ${i / 10})^2 / ${i + 1}`).join(' + ') +
      ' + ' +
      Array.from({ length: d - 1 }, (_, i) => `0.1 * x${i + 1} * x${i + 2}`).join(' + ');
    const started = performance.now();
    const target = formulaTarget(source);
    console.log(
      `formula: ${d}-variable parse + differentiate + compile in ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(target.dim).toBe(d);
    expectGradientMatches(target, randomPoint(createRng(6), d, 2));
  });

  it('NaN is outside the support (−Infinity), and the gradient there is zero', () => {
    const target = formulaTarget('log(x) + log(y) - x - y');
    const g = new Float64Array(2).fill(7);
    expect(target.logDensity(Float64Array.of(-1, 1))).toBe(-Infinity);
    expect(target.logDensityGrad(Float64Array.of(-1, 1), g)).toBe(-Infinity);
    expect(Array.from(g)).toEqual([0, 0]);
    expect(target.logDensity(Float64Array.of(1, 1))).toBeCloseTo(-2, 12);
    // initial() retries until inside the support.
    const out = new Float64Array(2);
    target.initial!(createRng(1), out);
    expect(out[0] > 0 && out[1] > 0).toBe(true);
  });

  it('a kink (abs at 0) gives the 0 subgradient, not NaN', () => {
    const target = formulaTarget('-abs(x) - abs(y)');
    const g = new Float64Array(2);
    expect(target.logDensityGrad(Float64Array.of(0, 2), g)).toBe(-2);
    expect(Array.from(g)).toEqual([0, -1]);
  });

  it.each([
    ['x + z', "Unknown variable 'z' (use x and y)", 'z'],
    ['-x1^2 - x5^2 - x2^2', "Unknown variable 'x5' (use x1, x2 and x3)", 'x5', 3],
    ['-x^2 - y^2', "Unknown variable 'x' (use x1, x2 and x3)", 'x', 3],
    ['-x^2 - y^2 - x1', 'Use either x, y or x1, x2, … — not both', 'x1'],
    ['-PI * x^2 - y^2', "Unknown variable 'PI' (did you mean pi?)", 'PI'],
    [
      'x + foo(y)',
      "Unknown function 'foo' (allowed: exp, log, log1p, sqrt, abs, sin, cos, tan, sinh, cosh, tanh, pow)",
      'foo',
    ],
    ['x + exp(y, 2)', 'exp takes 1 argument, not 2', 'exp'],
    ['x(2) + y', "'x' is a variable, not a function: write x * (…)", 'x'],
    ['x + * y', 'Syntax error at column 5: Value expected', '*'],
    ['-(x^2 + y^2', 'Syntax error at the end of the formula: Parenthesis ) expected', '2', 10],
    ['-x^2', 'The formula does not depend on y', '-x^2'],
    ['-x^2 + y - y', 'The formula does not depend on y', 'y'],
    ['x1^2 + x3^2', 'The formula does not depend on x2', 'x1^2 + x3^2'],
    [
      'a = x + y',
      'Assignments and function definitions are not allowed: write one expression',
      '=',
    ],
    [
      'f(x) = x^2',
      'Assignments and function definitions are not allowed: write one expression',
      '=',
    ],
    ['x; y', 'Write a single expression (no ; between parts)', ';'],
    ['[x, y]', 'Matrices, vectors and indexing are not allowed', '['],
    ['x + y + "s"', 'Text in quotes is not allowed: a formula is made of numbers', '"'],
    ['x! + y', "The operator '!' is not allowed (use + − * / ^)", '!'],
    ['x mod 2 + y', "The operator 'mod' is not allowed (use + − * / ^)", 'mod'],
    ['x > y', "The operator '>' is not allowed (use + − * / ^)", '>'],
    ['  ', 'The formula is empty', '  '],
    ['exp + x + y', "'exp' is a function: write exp(…)", 'exp'],
  ] as [string, string, string, number?][])('%s → %s', (source, message, underlined, arg) => {
    // The fourth column is the dimension passed, except for an end-of-formula error, where it is
    // the expected start offset (the last character).
    const atEnd = message.includes('end of the formula');
    const e = formulaError(source, atEnd ? undefined : arg);
    expect(e.message).toBe(message);
    expect(e.text).toBe(underlined);
    expect(e.start).toBe(atEnd ? arg : source.indexOf(underlined));
  });

  it('comments and line breaks are allowed, offsets stay on the source', () => {
    const target = formulaTarget('-x^2/2   # the x part\n  - y^2/2');
    expect(target.logDensity(Float64Array.of(1, 2))).toBeCloseTo(-2.5, 12);
    const e = formulaError('-x^2/2   # x part\n  - z^2/2');
    expect(e.text).toBe('z');
    expect(e.start).toBe(22);
  });

  it('explains a problem in Chinese too, from the same key and values', () => {
    const zh = (source: string, dim?: number) => {
      const r = parseFormula(source, dim);
      if (!('error' in r)) throw new Error(`expected an error for ${source}`);
      return translate('zh', r.error.text.key, r.error.text.vars);
    };
    expect(zh('x + z')).toBe('未知变量“z”（可用的变量：x, y）');
    expect(zh('-x1^2 - x5^2 - x2^2', 3)).toBe('未知变量“x5”（可用的变量：x1, x2, x3）');
    expect(zh('x + exp(y, 2)')).toBe('exp 需要 1 个参数，而不是 2 个');
    expect(zh('x + * y')).toBe('第 5 个字符处有语法错误：Value expected');
  });

  it('names that are JavaScript object properties are unknown, not magic', () => {
    expect(formulaError('constructor(x) + y').message).toMatch(/^Unknown function 'constructor'/);
    expect(formulaError('toString + x + y').message).toMatch(/^Unknown variable 'toString'/);
  });

  it('compiled code does not call mathjs at run time (1e6 evaluations)', () => {
    const target = formulaTarget('-(x^2)/2 - (y - x^2)^2 + log1p(exp(-x)) - sqrt(1 + y^2)');
    const q = new Float64Array(2);
    const g = new Float64Array(2);
    let sink = 0;
    const started = performance.now();
    for (let i = 0; i < 1_000_000; i++) {
      q[0] = (i % 1000) / 250 - 2;
      q[1] = 0.5;
      sink += target.logDensityGrad(q, g) + g[0];
    }
    const ms = performance.now() - started;
    console.log(`formula: 1e6 logDensityGrad calls in ${ms.toFixed(0)} ms`);
    expect(Number.isFinite(sink)).toBe(true);
    // The compiled source names nothing but its arguments, its locals and Math.
    for (const fn of [target.logDensity, target.logDensityGrad]) {
      const body = fn.toString().replace(/^function anonymous\([^)]*\) \{/, '');
      const names = new Set(body.match(/[A-Za-z_$][\w$]*/g));
      for (const name of names) {
        expect(name).toMatch(
          /^(q|g|[vtg]\d+|f|const|return|if|use|strict|Infinity|Math|exp|log|log1p|sqrt|pow)$/,
        );
      }
    }
  });
});

// --- regression ------------------------------------------------------------------------------

function syntheticRegression(seed: number, rows: number, p: number, logistic: boolean) {
  const rng = createRng(seed);
  const X = new Float64Array(rows * p);
  const y = new Float64Array(rows);
  const beta = Array.from({ length: p }, (_, j) => (j % 2 ? -0.8 : 1.1) / (j + 1));
  for (let i = 0; i < rows; i++) {
    let eta = 0.3;
    for (let j = 0; j < p; j++) {
      X[i * p + j] = rng.normal();
      eta += X[i * p + j] * beta[j];
    }
    y[i] = logistic ? (rng.uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0) : eta + 0.7 * rng.normal();
  }
  return { X, y };
}

describe('logistic regression target', () => {
  const data = syntheticRegression(7, 80, 3, true);

  it('parameter names and dimension', () => {
    const t = logisticRegressionTarget({ ...data, predictors: ['a', 'b', 'c'] });
    expect(t.names).toEqual(['alpha', 'a', 'b', 'c']);
    expect(t.dim).toBe(4);
    expect(logisticRegressionTarget(data).names).toEqual(['alpha', 'b1', 'b2', 'b3']);
    expect(t.priors).toEqual({ intercept: 2.5, coefficients: 2.5 });
  });

  it('gradient against finite differences', () => {
    const t = logisticRegressionTarget({ ...data, priorScale: 1.5, interceptScale: 4 });
    const rng = createRng(8);
    for (let k = 0; k < 10; k++) expectGradientMatches(t, randomPoint(rng, 4, 2));
  });

  it('log density equals the naive Bernoulli log-likelihood plus the normal log prior', () => {
    const s = 2.5;
    const t = logisticRegressionTarget({ ...data, priorScale: s });
    const rng = createRng(9);
    for (let k = 0; k < 10; k++) {
      const q = randomPoint(rng, 4, 1.5);
      let naive = 0;
      for (let i = 0; i < data.y.length; i++) {
        let eta = q[0];
        for (let j = 0; j < 3; j++) eta += data.X[i * 3 + j] * q[j + 1];
        const p = 1 / (1 + Math.exp(-eta));
        naive += data.y[i] === 1 ? Math.log(p) : Math.log(1 - p);
      }
      for (let j = 0; j < 4; j++) naive -= (q[j] * q[j]) / (2 * s * s);
      expect(t.logDensity(q)).toBeCloseTo(naive, 9);
    }
  });

  it('stays finite at extreme linear predictors (η = ±800)', () => {
    const X = Float64Array.of(1, -1, 2, -2, 0.5);
    const y = Float64Array.of(1, 0, 0, 1, 1);
    const t = logisticRegressionTarget({ X, y, priorScale: 1000, interceptScale: 1000 });
    const g = new Float64Array(2);
    for (const q of [Float64Array.of(0, 400), Float64Array.of(0, -400), Float64Array.of(800, 0)]) {
      const lp = t.logDensityGrad(q, g);
      expect(Number.isFinite(lp)).toBe(true);
      expect(Number.isFinite(t.logDensity(q))).toBe(true);
      expect(g.every(Number.isFinite)).toBe(true);
    }
    // Row 1 (x = 1, y = 1) at η = 800 contributes log 1 = 0; row 3 (x = 2, y = 0) at η = 800
    // contributes −800 exactly, as the stable form computes it.
    const single = logisticRegressionTarget({
      X: Float64Array.of(2, -1),
      y: Float64Array.of(0, 0),
      priorScale: 1e6,
      interceptScale: 1e6,
    });
    expect(single.logDensity(Float64Array.of(0, 400))).toBeCloseTo(-800, 6);
  });

  it('refuses bad data with clear errors', () => {
    const X = Float64Array.of(0.1, 1, 0.3, 2, -0.5, 3);
    const ok = Float64Array.of(1, 0, 1);
    expect(() => logisticRegressionTarget({ X, y: Float64Array.of(1, 2, 0) })).toThrow(
      'Logistic regression needs a 0/1 response: row 2 has 2',
    );
    // The page shows it in its own language from the same key and values.
    const refusal = (() => {
      try {
        logisticRegressionTarget({ X, y: Float64Array.of(1, 2, 0) });
      } catch (e) {
        return (e as DataError).text!;
      }
      throw new Error('no refusal');
    })();
    expect(translate('zh', refusal.key, refusal.vars)).toBe(
      'Logistic 回归的响应变量必须是 0 或 1：第 2 行是 2',
    );
    expect(() =>
      logisticRegressionTarget({ X: Float64Array.of(1, NaN, 2, 3, 4, 5), y: ok }),
    ).toThrow("Predictor 'b2' is not a finite number in row 1 (NaN)");
    expect(() => logisticRegressionTarget({ X, y: Float64Array.of(1, Infinity, 0) })).toThrow(
      'The response is not a finite number in row 2 (Infinity)',
    );
    expect(() =>
      logisticRegressionTarget({ X: Float64Array.of(1, 2, 3, 4, 5, 6), y: Float64Array.of(1, 0) }),
    ).toThrow('2 rows for 4 parameters: need at least 4 rows');
    expect(() =>
      logisticRegressionTarget({
        X: Float64Array.of(1, 5, 2, 5, 3, 5, 4, 5),
        y: Float64Array.of(1, 0, 1, 0),
      }),
    ).toThrow("Predictor 'b2' is constant (5 in every row): it duplicates the intercept");
    expect(() => logisticRegressionTarget({ X, y: ok, priorScale: 0 })).toThrow(DataError);
    expect(() => logisticRegressionTarget({ X, y: ok, predictors: ['alpha', 'b'] })).toThrow(
      "A predictor cannot be named 'alpha'",
    );
  });

  it('words its refusals in both languages', () => {
    const X = Float64Array.of(0.1, 1, 0.3, 2, -0.5, 3);
    const ok = Float64Array.of(1, 0, 1);
    const refusal = (f: () => unknown): DataError => {
      try {
        f();
      } catch (e) {
        if (e instanceof DataError) return e;
      }
      throw new Error('expected a DataError');
    };
    const zh = (e: DataError) => translate('zh', e.text!.key, e.text!.vars);
    const reserved = refusal(() =>
      logisticRegressionTarget({ X, y: ok, predictors: ['alpha', 'b'] }),
    );
    expect(reserved.text?.key).toBe('refuse.reservedPredictor');
    expect(zh(reserved)).toBe('预测变量不能命名为“alpha”（这是模型参数的名字）');
    const scale = refusal(() => logisticRegressionTarget({ X, y: ok, priorScale: 0 }));
    expect(scale.message).toBe('The prior scale must be a positive number, got 0');
    expect(zh(scale)).toBe('先验尺度必须是正数，实际为 0');
    const rows = refusal(() =>
      logisticRegressionTarget({ X: Float64Array.of(1, 2, 3, 4), y: Float64Array.of(1, 0) }),
    );
    expect(rows.message).toBe('2 rows for 3 parameters: need at least 3 rows');
    expect(zh(rows)).toBe('2 行数据对应 3 个参数：至少需要 3 行');
  });
});

describe('linear regression target', () => {
  const data = syntheticRegression(10, 60, 2, false);

  it('names, constrained names and the σ transform', () => {
    const t = linearRegressionTarget(data);
    expect(t.names).toEqual(['alpha', 'b1', 'b2', 'log_sigma']);
    expect(t.constrainedNames).toEqual(['alpha', 'b1', 'b2', 'sigma']);
    const out = new Float64Array(4);
    t.constrain!(Float64Array.of(1, 2, 3, Math.log(0.7)), out);
    expect(Array.from(out)).toEqual([1, 2, 3, expect.closeTo(0.7, 12)]);
  });

  it('gradient against finite differences (including log σ)', () => {
    const t = linearRegressionTarget({ ...data, sigmaScale: 1.3, interceptScale: 5 });
    const rng = createRng(11);
    for (let k = 0; k < 10; k++) {
      const q = randomPoint(rng, 4, 1.5);
      expectGradientMatches(t, q, 1e-5);
    }
  });

  it('log density is the normal likelihood × priors × Jacobian, up to a constant', () => {
    const [s, sa, ss] = [2, 3, 1.5];
    const t = linearRegressionTarget({
      ...data,
      priorScale: s,
      interceptScale: sa,
      sigmaScale: ss,
    });
    const logN = (x: number, m: number, sd: number) =>
      -0.5 * Math.log(2 * Math.PI) - Math.log(sd) - ((x - m) * (x - m)) / (2 * sd * sd);
    const rng = createRng(12);
    let offset: number | null = null;
    for (let k = 0; k < 10; k++) {
      const q = randomPoint(rng, 4, 1.5);
      const sigma = Math.exp(q[3]);
      let direct = logN(q[0], 0, sa) + logN(q[1], 0, s) + logN(q[2], 0, s);
      direct += Math.log(2) + logN(sigma, 0, ss) + q[3]; // half-normal, Jacobian
      for (let i = 0; i < data.y.length; i++) {
        direct += logN(data.y[i], q[0] + q[1] * data.X[i * 2] + q[2] * data.X[i * 2 + 1], sigma);
      }
      const lp = t.logDensity(q);
      offset ??= lp - direct;
      expect(lp - direct).toBeCloseTo(offset, 8);
    }
  });

  it('extreme log σ gives −Infinity or a finite value, never NaN', () => {
    const t = linearRegressionTarget(data);
    const g = new Float64Array(4);
    for (const tau of [-400, 400, 1000]) {
      const lp = t.logDensityGrad(Float64Array.of(0, 0, 0, tau), g);
      expect(Number.isNaN(lp)).toBe(false);
    }
  });

  it('a dispersed start near the residual scale', () => {
    const big = { X: data.X, y: data.y.map((v) => 1000 * v) };
    const t = linearRegressionTarget(big);
    const out = new Float64Array(4);
    t.initial!(createRng(2), out);
    expect(Number.isFinite(t.logDensity(out))).toBe(true);
    expect(Math.exp(out[3])).toBeGreaterThan(50);
  });
});

// --- fitted mixture -------------------------------------------------------------------------

const mixture: Mixture = {
  weights: [0.5, 0.3, 0.2],
  means: [
    [-1, 0.5],
    [2, -1],
    [0.5, 2.5],
  ],
  covariances: [
    [
      [0.8, 0.3],
      [0.3, 0.5],
    ],
    [
      [0.4, -0.1],
      [-0.1, 0.6],
    ],
    [
      [1.2, 0],
      [0, 0.3],
    ],
  ],
};

function directMixtureDensity(m: Mixture, x: number, y: number): number {
  let p = 0;
  m.weights.forEach((w, k) => {
    const [[a, b], [, c]] = m.covariances[k];
    const det = a * c - b * b;
    const dx = x - m.means[k][0];
    const dy = y - m.means[k][1];
    const quad = (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / det;
    p += (w * Math.exp(-0.5 * quad)) / (2 * Math.PI * Math.sqrt(det));
  });
  return p;
}

describe('fitted GMM target', () => {
  const target = gmmTarget(mixture);

  it('matches a direct mixture computation', () => {
    const rng = createRng(13);
    for (let k = 0; k < 50; k++) {
      const q = randomPoint(rng, 2, 4);
      expect(target.logDensity(q)).toBeCloseTo(
        Math.log(directMixtureDensity(mixture, q[0], q[1])),
        10,
      );
    }
  });

  it('integrates to 1, and its moments match `truth`', () => {
    const n = 400;
    const [x0, x1, y0, y1] = [-8, 8, -7, 8];
    const hx = (x1 - x0) / n;
    const hy = (y1 - y0) / n;
    let mass = 0;
    let mx = 0;
    let my = 0;
    let sx = 0;
    let sy = 0;
    const q = new Float64Array(2);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        q[0] = x0 + (i + 0.5) * hx;
        q[1] = y0 + (j + 0.5) * hy;
        const p = Math.exp(target.logDensity(q)) * hx * hy;
        mass += p;
        mx += p * q[0];
        my += p * q[1];
        sx += p * q[0] * q[0];
        sy += p * q[1] * q[1];
      }
    expect(mass).toBeCloseTo(1, 5);
    expect(target.truth!.mean[0]).toBeCloseTo(mx, 5);
    expect(target.truth!.mean[1]).toBeCloseTo(my, 5);
    expect(target.truth!.variance[0]).toBeCloseTo(sx - mx * mx, 4);
    expect(target.truth!.variance[1]).toBeCloseTo(sy - my * my, 4);
    // The drawing box is the means ± 3 sd.
    expect(target.bounds![0][0]).toBeCloseTo(-1 - 3 * Math.sqrt(0.8), 12);
    expect(target.bounds![1][1]).toBeCloseTo(2.5 + 3 * Math.sqrt(0.3), 12);
  });

  it('gradient against finite differences, also far in the tails', () => {
    const rng = createRng(14);
    for (let k = 0; k < 20; k++) expectGradientMatches(target, randomPoint(rng, 2, 5));
    const g = new Float64Array(2);
    expect(Number.isFinite(target.logDensityGrad(Float64Array.of(300, -400), g))).toBe(true);
    expect(g.every(Number.isFinite)).toBe(true);
  });

  it('3-D mixture gradient, zero-weight components dropped', () => {
    const m3: Mixture = {
      weights: [2, 0, 1],
      means: [
        [0, 1, 2],
        [9, 9, 9],
        [1, -1, 0],
      ],
      covariances: [
        [
          [1, 0.2, 0.1],
          [0.2, 2, -0.3],
          [0.1, -0.3, 0.7],
        ],
        [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        [
          [0.5, 0, 0],
          [0, 0.5, 0.1],
          [0, 0.1, 0.4],
        ],
      ],
    };
    const t = gmmTarget(m3);
    expect(t.names).toEqual(['x1', 'x2', 'x3']);
    expect(t.truth!.mean[0]).toBeCloseTo(1 / 3, 12);
    const rng = createRng(15);
    for (let k = 0; k < 10; k++) expectGradientMatches(t, randomPoint(rng, 3, 3));
  });

  it('exact Gibbs conditionals reproduce the mixture moments', () => {
    const rng = createRng(16);
    const q = Float64Array.of(0, 0);
    const n = 40_000;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    for (let t = 0; t < n; t++) {
      target.conditional!(q, 0, rng);
      target.conditional!(q, 1, rng);
      sx += q[0];
      sy += q[1];
      sxx += q[0] * q[0];
    }
    const { mean, variance } = target.truth!;
    expect(Math.abs(sx / n - mean[0])).toBeLessThan(0.06);
    expect(Math.abs(sy / n - mean[1])).toBeLessThan(0.06);
    expect(Math.abs(sxx / n - (sx / n) ** 2 - variance[0])).toBeLessThan(0.1);
  });

  it('refuses a covariance that is not positive definite', () => {
    const bad: Mixture = {
      weights: [1],
      means: [[0, 0]],
      covariances: [
        [
          [1, 2],
          [2, 1],
        ],
      ],
    };
    expect(() => gmmTarget(bad)).toThrow(/not positive definite/);
  });
});

// --- Bayesian mixture by Gibbs -----------------------------------------------------------------

function twoClusters(seed: number, n: number) {
  const rng = createRng(seed);
  const values = new Float64Array(n * 2);
  const truth = {
    weights: [0.3, 0.7],
    means: [
      [-3, 0],
      [2.5, 1],
    ],
    // Cholesky factors of the covariances [[1, 0.3], [0.3, 0.5]] and [[0.6, −0.2], [−0.2, 1]].
    chol: [
      [
        [1, 0],
        [0.3, Math.sqrt(0.5 - 0.09)],
      ],
      [
        [Math.sqrt(0.6), 0],
        [-0.2 / Math.sqrt(0.6), Math.sqrt(1 - 0.04 / 0.6)],
      ],
    ],
  };
  let first = 0;
  for (let i = 0; i < n; i++) {
    const k = rng.uniform() < truth.weights[0] ? 0 : 1;
    if (k === 0) first++;
    const z0 = rng.normal();
    const z1 = rng.normal();
    const l = truth.chol[k];
    values[i * 2] = truth.means[k][0] + l[0][0] * z0;
    values[i * 2 + 1] = truth.means[k][1] + l[1][0] * z0 + l[1][1] * z1;
  }
  return { values, truth, firstFraction: first / n };
}

describe('Bayesian GMM (blocked Gibbs)', () => {
  const n = 300;
  const { values, truth, firstFraction } = twoClusters(17, n);

  it('names and dimension of q', () => {
    const chain = createBayesGmmChain(values, n, 2, { components: 2 });
    expect(chain.names).toEqual([
      'w[1]',
      'w[2]',
      'mu[1,1]',
      'mu[1,2]',
      'mu[2,1]',
      'mu[2,2]',
      'Sigma[1,1,1]',
      'Sigma[1,1,2]',
      'Sigma[1,2,2]',
      'Sigma[2,1,1]',
      'Sigma[2,1,2]',
      'Sigma[2,2,2]',
    ]);
    expect(chain.q.length).toBe(12);
    expect(chain.prior.nu0).toBe(4);
    expect(chain.prior.kappa0).toBe(0.01);
  });

  it('posterior means of weights and means are near the truth', () => {
    const rng = createRng(18);
    const chain = createBayesGmmChain(values, n, 2, { components: 2, rng });
    const iterations = 600;
    const burn = 100;
    const sums = new Float64Array(chain.dim);
    for (let t = 0; t < iterations; t++) {
      const tr = chain.next(rng, false);
      expect(Number.isFinite(tr.logDensity)).toBe(true);
      if (t >= burn) for (let j = 0; j < chain.dim; j++) sums[j] += chain.q[j];
    }
    const post = Array.from(sums, (s) => s / (iterations - burn));
    console.log('bayes-gmm posterior means', post.map((v) => v.toFixed(3)).join(' '));
    expect(Math.abs(post[0] - firstFraction)).toBeLessThan(0.05);
    expect(Math.abs(post[0] - truth.weights[0])).toBeLessThan(0.08);
    expect(post[0] + post[1]).toBeCloseTo(1, 12);
    for (let k = 0; k < 2; k++)
      for (let i = 0; i < 2; i++)
        expect(Math.abs(post[2 + k * 2 + i] - truth.means[k][i])).toBeLessThan(0.25);
    // Covariance entries of component 1: [[1, 0.3], [0.3, 0.5]].
    expect(Math.abs(post[6] - 1)).toBeLessThan(0.35);
    expect(Math.abs(post[7] - 0.3)).toBeLessThan(0.2);
    expect(Math.abs(post[8] - 0.5)).toBeLessThan(0.2);
    // Assignments agree with the sign of the first coordinate.
    let agree = 0;
    for (let i = 0; i < n; i++) if ((chain.assignments[i] === 0) === values[i * 2] < 0) agree++;
    expect(agree / n).toBeGreaterThan(0.97);
  });

  it('is deterministic given the seed', () => {
    const run = (seed: number) => {
      const rng = createRng(seed);
      const chain = createBayesGmmChain(values, n, 2, { components: 3, rng });
      const trace: number[] = [];
      for (let t = 0; t < 30; t++) trace.push(chain.next(rng, false).logDensity, ...chain.q);
      return trace;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('keeps components ordered by the first coordinate of their means', () => {
    const rng = createRng(19);
    const chain = createBayesGmmChain(values, n, 2, { components: 3 });
    for (let t = 0; t < 50; t++) {
      chain.next(rng, false);
      const m = chain.mixture();
      expect(m.means[0][0]).toBeLessThanOrEqual(m.means[1][0]);
      expect(m.means[1][0]).toBeLessThanOrEqual(m.means[2][0]);
    }
  });

  it('refuses data it cannot model', () => {
    const constant = Float64Array.of(1, 2, 1, 3, 1, 4, 1, 5);
    expect(() => createBayesGmmChain(constant, 4, 2, { components: 2 })).toThrow(/singular/);
    expect(() => createBayesGmmChain(values, n, 2, { components: 400 })).toThrow(/too few/);
    expect(() =>
      createBayesGmmChain(Float64Array.of(1, NaN, 2, 3), 2, 2, { components: 1 }),
    ).toThrow(/not a finite number/);
  });
});
