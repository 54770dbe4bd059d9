import { describe, expect, it, vi } from 'vitest';
import { parseFormula } from '../../src/main/engine/sampling/formula';

// Every allowed function is differentiable by mathjs (log1p through log(1 + u)), so to see the
// error path this file makes mathjs refuse cosh, with the message mathjs itself gives.
vi.mock('mathjs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('mathjs')>();
  return {
    ...actual,
    derivative: (expr: import('mathjs').MathNode, variable: string) => {
      if (expr.toString().includes('cosh')) {
        throw new Error(
          'Cannot process function "cosh" in derivative: the function is not supported, ' +
            'undefined, or the number of arguments passed to it are not supported',
        );
      }
      return actual.derivative(expr, variable);
    },
  };
});

describe('formula: a derivative mathjs cannot compute', () => {
  it('names the function and underlines it', () => {
    const source = '-x^2/2 - cosh(y)';
    const r = parseFormula(source);
    expect('error' in r).toBe(true);
    if (!('error' in r)) return;
    // A sum is differentiated term by term, so cosh(y) is only differentiated by y.
    expect(r.error.message).toMatch(
      /^Cannot differentiate with respect to y \(mathjs cannot differentiate cosh\): Cannot process function "cosh"/,
    );
    expect(source.slice(r.error.start, r.error.end)).toBe('cosh');
    expect(r.error.start).toBe(9);
  });

  it('other formulas are unaffected', () => {
    expect('target' in parseFormula('-x^2/2 - y^2/2')).toBe(true);
  });
});
