/** Small dense linear algebra in float64 for d×d matrices (d is the number of columns, small). */

/**
 * Lower Cholesky factor L with A = L Lᵀ, or null when A is not positive definite — or, with
 * `minPivot`, when a pivot is not above its floor (a float32 covariance that collapsed keeps a
 * tiny positive pivot from rounding; the caller says what counts as zero).
 */
export function cholesky(
  a: readonly (readonly number[])[],
  minPivot?: readonly number[],
): number[][] | null {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let s = a[j][j];
    for (let p = 0; p < j; p++) s -= l[j][p] * l[j][p];
    if (!(s > (minPivot?.[j] ?? 0))) return null;
    l[j][j] = Math.sqrt(s);
    for (let i = j + 1; i < n; i++) {
      let t = a[i][j];
      for (let p = 0; p < j; p++) t -= l[i][p] * l[j][p];
      l[i][j] = t / l[j][j];
    }
  }
  return l;
}

/** L⁻ᵀ for a lower-triangular L (forward substitution on the identity, then transpose). */
export function inverseTransposeLower(l: readonly (readonly number[])[]): number[][] {
  const d = l.length;
  const inv = l.map(() => new Array<number>(d).fill(0));
  for (let c = 0; c < d; c++) {
    for (let i = c; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let p = c; p < i; p++) s -= l[i][p] * inv[p][c];
      inv[i][c] = s / l[i][i];
    }
  }
  return inv[0].map((_, i) => inv.map((row) => row[i]));
}

/** Solves L y = b for lower-triangular L. */
export function solveLower(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const y = new Array<number>(b.length);
  for (let i = 0; i < b.length; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  return y;
}

export function logSumExp(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}
