/**
 * MCMC convergence diagnostics after Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021),
 * "Rank-normalization, folding, and localization: an improved R-hat", as Stan and the R package
 * posterior compute them: split chains, rank normalisation over all pooled draws, Geyer's initial
 * positive and monotone sequences on the multi-chain autocorrelation, folded R-hat for the tails.
 *
 * Pure float64 code with no Node or DOM APIs: the renderer and the engine both import it.
 *
 * Degenerate input: every diagnostic is NaN when a draw is not finite, when all draws are the
 * same (to within rounding of their magnitude) or when there are too few draws (R-hat needs two
 * draws per half chain, ESS three). Chains of unequal length are a programming error and throw.
 */

/** Draws of one parameter: one array per chain, equal lengths. */
export type ChainDraws = readonly Float64Array[];

/** Usual cut-offs: R-hat below 1.01 and bulk/tail ESS above 400 (100 per chain for 4 chains). */
export const diagnosticThresholds = { rhat: 1.01, ess: 400 } as const;

/**
 * Fractional offsets c for turning average ranks r of S draws into probabilities
 * (r − c) / (S − 2c + 1) before Φ⁻¹. Blom's 3/8 is what posterior and current Stan use; rstan 2.21
 * (and posterior before 1.0) used (r − 1/2) / S, which is c = 1/2. The two give R-hat and bulk ESS
 * that differ by about 1e-4 relative.
 */
export const rankOffsets = { blom: 3 / 8, rstan221: 1 / 2 } as const;

export interface RankOptions {
  /** Fractional offset c of the rank normalisation; defaults to `rankOffsets.blom`. */
  rankOffset?: number;
}

export interface ParameterSummary {
  name: string;
  mean: number;
  sd: number;
  mcseMean: number;
  q5: number;
  q50: number;
  q95: number;
  rhat: number;
  essBulk: number;
  essTail: number;
}

// ---------------------------------------------------------------------------------------------
// Inverse normal CDF

// Wichura (1988), Algorithm AS 241 (PPND16), accurate to about 1 part in 1e16. R's qnorm uses the
// same approximation, which is why rank-normalised values can agree with R to the last bits.
const AS241_A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
];
const AS241_B = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852854,
];
const AS241_C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684,
  0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
];
const AS241_D = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008,
  0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9,
];
const AS241_E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
  0.026532189526576124, 0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7,
];
const AS241_F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  0.000018463183175100548, 1.421511758316446e-7, 2.0442631033899397e-15,
];

function ratio(num: readonly number[], den: readonly number[], r: number): number {
  let p = 0;
  let q = 0;
  for (let i = num.length - 1; i >= 0; i--) {
    p = p * r + num[i];
    q = q * r + den[i];
  }
  return p / q;
}

/** Φ⁻¹(p), the standard normal quantile; −∞ at 0, +∞ at 1, NaN outside [0, 1]. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return q * ratio(AS241_A, AS241_B, r);
  }
  const tail = q < 0 ? p : 1 - p;
  if (tail === 0) return q < 0 ? -Infinity : Infinity;
  const r = Math.sqrt(-Math.log(tail));
  const z = r <= 5 ? ratio(AS241_C, AS241_D, r - 1.6) : ratio(AS241_E, AS241_F, r - 5);
  return q < 0 ? -z : z;
}

// ---------------------------------------------------------------------------------------------
// Small statistics

/** Type-7 quantile (R's default) of values sorted ascending; NaN for no values or p outside [0, 1]. */
export function quantile(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0 || !(p >= 0 && p <= 1)) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo];
  const w = h - lo;
  if (w === 0 || lo + 1 >= n) return a;
  const b = sorted[lo + 1];
  // R's weighting form, so a quantile that falls on a tie is that value exactly.
  return a === b ? a : (1 - w) * a + w * b;
}

function mean(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample variance with n − 1 (two-pass); NaN for fewer than two values. */
function variance(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const m = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
  return ss / (n - 1);
}

function pool(chains: ChainDraws): Float64Array {
  const n = chains.length === 0 ? 0 : chains[0].length;
  const out = new Float64Array(chains.length * n);
  chains.forEach((c, j) => out.set(c, j * n));
  return out;
}

/** Draws per chain; throws when the chains have different lengths. */
function drawsPerChain(chains: ChainDraws): number {
  const n = chains.length === 0 ? 0 : chains[0].length;
  for (const c of chains) {
    if (c.length !== n) throw new RangeError('MCMC diagnostics: chains must have equal lengths');
  }
  return n;
}

/**
 * True when the diagnostics are undefined: no draws, a non-finite draw, or all draws equal up to
 * rounding of their magnitude (relative, so parameters on a tiny scale still count as varying).
 */
function degenerate(values: Float64Array): boolean {
  if (values.length === 0) return true;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) return true;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo <= Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi));
}

// ---------------------------------------------------------------------------------------------
// Split chains, ranks

/** Each chain cut into a first and a second half; the middle draw of an odd length is dropped. */
function splitChains(chains: ChainDraws): Float64Array[] {
  const n = drawsPerChain(chains);
  if (n < 2) return chains.slice();
  const h = Math.floor(n / 2);
  return chains.flatMap((c) => [c.subarray(0, h), c.subarray(n - h)]);
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Indices that sort finite values ascending. An LSD radix sort (six 11-bit passes) on the
 * order-preserving integer form of the float64 bits: sorting with a comparator callback, or
 * binary searches in a sorted copy, cost several times more because their branches are
 * unpredictable on random draws.
 */
function argsort(values: Float64Array): Uint32Array {
  const s = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * s);
  const hiOff = littleEndian ? 1 : 0;
  const keyHi = new Uint32Array(s);
  const keyLo = new Uint32Array(s);
  for (let i = 0; i < s; i++) {
    const hi = words[2 * i + hiOff];
    const lo = words[2 * i + 1 - hiOff];
    // Negative numbers: flip every bit (larger magnitude sorts first); others: set the sign bit.
    const negative = hi >>> 31 === 1;
    keyHi[i] = negative ? ~hi >>> 0 : (hi | 0x80000000) >>> 0;
    keyLo[i] = negative ? ~lo >>> 0 : lo;
  }
  let order = new Uint32Array(s);
  let next = new Uint32Array(s);
  for (let i = 0; i < s; i++) order[i] = i;
  const count = new Uint32Array(2048);
  for (const key of [keyLo, keyHi]) {
    for (const shift of [0, 11, 22]) {
      count.fill(0);
      for (let i = 0; i < s; i++) count[(key[i] >>> shift) & 0x7ff]++;
      let sum = 0;
      for (let d = 0; d < 2048; d++) {
        const c = count[d];
        count[d] = sum;
        sum += c;
      }
      for (let i = 0; i < s; i++) {
        const j = order[i];
        next[count[(key[j] >>> shift) & 0x7ff]++] = j;
      }
      [order, next] = [next, order];
    }
  }
  return order;
}

/**
 * Rank normalisation: average ranks r over all pooled draws (ties share their mean rank, which
 * keeps discrete parameters discrete), then z = Φ⁻¹((r − c) / (S − 2c + 1)).
 */
function rankNormalize(chains: readonly Float64Array[], offset: number): Float64Array[] {
  const n = chains[0].length;
  const values = pool(chains);
  const s = values.length;
  const order = argsort(values);
  const z = new Float64Array(s);
  const denom = s - 2 * offset + 1;
  for (let i = 0; i < s;) {
    let j = i + 1;
    while (j < s && values[order[j]] === values[order[i]]) j++;
    // 1-based ranks i+1 … j share their average.
    const zi = normalQuantile(((i + 1 + j) / 2 - offset) / denom);
    for (let k = i; k < j; k++) z[order[k]] = zi;
    i = j;
  }
  return chains.map((_, c) => z.subarray(c * n, (c + 1) * n));
}

function folded(chains: ChainDraws, median: number): Float64Array[] {
  return chains.map((c) => c.map((v) => Math.abs(v - median)));
}

// ---------------------------------------------------------------------------------------------
// FFT and autocovariance

interface FftPlan {
  cos: Float64Array;
  sin: Float64Array;
  rev: Uint32Array;
}

const plans = new Map<number, FftPlan>();

function fftPlan(size: number): FftPlan {
  let plan = plans.get(size);
  if (plan) return plan;
  const half = size >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / size);
    sin[k] = Math.sin((2 * Math.PI * k) / size);
  }
  const bits = Math.round(Math.log2(size));
  const rev = new Uint32Array(size);
  for (let i = 1; i < size; i++) rev[i] = (rev[i >> 1] >> 1) | ((i & 1) << (bits - 1));
  plan = { cos, sin, rev };
  plans.set(size, plan);
  return plan;
}

/** In-place forward DFT (e^{−2πi kt/n}), iterative radix-2; n is a power of two. */
function fft(re: Float64Array, im: Float64Array, plan: FftPlan): void {
  const n = re.length;
  const { cos, sin, rev } = plan;
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    // Twiddle outermost so each one is loaded once per stage.
    for (let j = 0, k = 0; j < half; j++, k += step) {
      const wr = cos[k];
      const wi = -sin[k];
      for (let a = j; a < n; a += size) {
        const b = a + half;
        const tr = re[b] * wr - im[b] * wi;
        const ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/**
 * Σ over series of Σ_t (y_t − ȳ)(y_{t+k} − ȳ) for lags k = 0 … n−1, each series centred on its own
 * mean. Zero padding to at least 2n makes the circular correlation a linear one. Only the sum
 * over series is needed, so two real series share one complex FFT (one in the real part, one in
 * the imaginary part: |A_k|² + |B_k|² = (|Z_k|² + |Z_{−k}|²) / 2) and one inverse FFT serves all.
 */
function summedAutocovariance(series: readonly Float64Array[], n: number): Float64Array {
  let size = 2;
  while (size < 2 * n) size <<= 1;
  const plan = fftPlan(size);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const power = new Float64Array(size);
  for (let c = 0; c < series.length; c += 2) {
    const a = series[c];
    const b = c + 1 < series.length ? series[c + 1] : null;
    const ma = mean(a);
    const mb = b ? mean(b) : 0;
    for (let t = 0; t < n; t++) {
      re[t] = a[t] - ma;
      im[t] = b ? b[t] - mb : 0;
    }
    re.fill(0, n);
    im.fill(0, n);
    fft(re, im, plan);
    for (let k = 0; k < size; k++) {
      const j = (size - k) & (size - 1);
      power[k] += 0.5 * (re[k] * re[k] + im[k] * im[k] + re[j] * re[j] + im[j] * im[j]);
    }
  }
  // The power spectrum is real and even, so its forward DFT is real and equals size × its inverse.
  re.set(power);
  im.fill(0);
  fft(re, im, plan);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = re[t] / size;
  return out;
}

/**
 * Autocorrelation of one chain at lags 0 … maxLag (biased estimator, as Geyer recommends),
 * computed by FFT and normalised so ρ0 = 1. Lags at or beyond the chain length are 0. All NaN for
 * a constant or non-finite chain; throws for a non-finite maxLag.
 */
export function autocorrelation(x: Float64Array, maxLag: number): Float64Array {
  if (!Number.isFinite(maxLag)) throw new RangeError('autocorrelation: maxLag must be finite');
  const lags = Math.max(0, Math.floor(maxLag));
  const out = new Float64Array(lags + 1);
  if (degenerate(x)) return out.fill(NaN);
  const acov = summedAutocovariance([x], x.length);
  for (let k = 0; k <= lags && k < x.length; k++) out[k] = acov[k] / acov[0];
  return out;
}

// ---------------------------------------------------------------------------------------------
// R-hat and ESS on already split (and possibly rank-normalised) chains

/** Gelman–Rubin potential scale reduction of the given chains. */
function rhatOf(chains: readonly Float64Array[]): number {
  const m = chains.length;
  const n = chains[0].length;
  if (m < 2 || n < 2) return NaN;
  const means = new Float64Array(m);
  let within = 0;
  for (let c = 0; c < m; c++) {
    means[c] = mean(chains[c]);
    within += variance(chains[c]) / m;
  }
  const between = n * variance(means);
  return Math.sqrt((between / within + n - 1) / n);
}

/**
 * Effective sample size of the given chains as in Stan: multi-chain autocorrelation
 * ρ_t = 1 − (W − mean autocovariance_t) / var⁺, Geyer's initial positive sequence on pairs of lags,
 * then the initial monotone sequence, with the last positive even lag added ("improved" estimate
 * that helps antithetic chains) and τ bounded below by 1/log10(S) so ESS ≤ S·log10(S).
 */
function essOf(chains: readonly Float64Array[]): number {
  const m = chains.length;
  const n = chains[0].length;
  if (n < 3 || degenerate(pool(chains))) return NaN;
  const acov = summedAutocovariance(chains, n);
  for (let t = 0; t < n; t++) acov[t] /= n * m; // mean over chains of the biased autocovariance
  const means = new Float64Array(m);
  for (let c = 0; c < m; c++) means[c] = mean(chains[c]);
  const meanVar = (acov[0] * n) / (n - 1);
  const varPlus = acov[0] + (m > 1 ? variance(means) : 0);
  const rhoAt = (t: number): number => 1 - (meanVar - acov[t]) / varPlus;

  const rho = new Float64Array(n);
  rho[0] = 1;
  let even = 1;
  let odd = rhoAt(1);
  rho[1] = odd;
  let t = 0;
  // Initial positive sequence: stop after the first pair of lags whose sum is not positive (or is
  // NaN); a negative pair is not kept.
  while (t < n - 5 && even + odd > 0) {
    t += 2;
    even = rhoAt(t);
    odd = rhoAt(t + 1);
    if (even + odd >= 0) {
      rho[t] = even;
      rho[t + 1] = odd;
    }
  }
  const maxT = t;
  if (even > 0) rho[maxT] = even;
  for (t = 2; t <= maxT - 2; t += 2) {
    const previous = rho[t - 2] + rho[t - 1];
    if (rho[t] + rho[t + 1] > previous) {
      rho[t] = previous / 2;
      rho[t + 1] = previous / 2;
    }
  }
  let sum = 0;
  for (let i = 0; i < maxT; i++) sum += rho[i];
  const total = m * n;
  const tau = Math.max(-1 + 2 * sum + rho[maxT], 1 / Math.log10(total));
  return total / tau;
}

function tailEss(chains: ChainDraws, q05: number, q95: number): number {
  const indicator = (q: number): Float64Array[] =>
    chains.map((c) => c.map((v) => (v <= q ? 1 : 0)));
  return Math.min(essOf(splitChains(indicator(q05))), essOf(splitChains(indicator(q95))));
}

// ---------------------------------------------------------------------------------------------
// Public diagnostics

/** Classic split R-hat on the raw draws (no ranks). */
export function splitRhat(chains: ChainDraws): number {
  drawsPerChain(chains);
  if (degenerate(pool(chains))) return NaN;
  return rhatOf(splitChains(chains));
}

function rankRhat(chains: ChainDraws, median: number, offset: number): number {
  const bulk = rhatOf(rankNormalize(splitChains(chains), offset));
  const tail = rhatOf(rankNormalize(splitChains(folded(chains, median)), offset));
  return Math.max(bulk, tail);
}

/**
 * R-hat of Vehtari et al. (2021), as rstan's `Rhat` and posterior's `rhat`: the larger of the
 * rank-normalised split R-hat and the same on draws folded about the median (|x − median|), which
 * catches chains that agree in location but not in scale.
 */
export function rhat(chains: ChainDraws, options: RankOptions = {}): number {
  drawsPerChain(chains);
  const all = pool(chains);
  if (degenerate(all)) return NaN;
  const median = quantile(all.sort(), 0.5);
  return rankRhat(chains, median, options.rankOffset ?? rankOffsets.blom);
}

/** Bulk ESS: ESS of the rank-normalised split chains. */
export function essBulk(chains: ChainDraws, options: RankOptions = {}): number {
  drawsPerChain(chains);
  if (degenerate(pool(chains))) return NaN;
  return essOf(rankNormalize(splitChains(chains), options.rankOffset ?? rankOffsets.blom));
}

/**
 * Tail ESS: the smaller ESS of the split indicator chains I(x ≤ q05) and I(x ≤ q95). NaN when an
 * indicator never varies, as for a discrete parameter whose 95% quantile is its maximum (posterior
 * does the same; rstan 2.21 returned the number of draws there).
 */
export function essTail(chains: ChainDraws): number {
  drawsPerChain(chains);
  const all = pool(chains);
  if (degenerate(all)) return NaN;
  all.sort();
  return tailEss(chains, quantile(all, 0.05), quantile(all, 0.95));
}

/** ESS of the mean: split chains, no ranks. */
export function essMean(chains: ChainDraws): number {
  drawsPerChain(chains);
  if (degenerate(pool(chains))) return NaN;
  return essOf(splitChains(chains));
}

/** Monte Carlo standard error of the mean: sd of all draws / √essMean. */
export function mcseMean(chains: ChainDraws): number {
  drawsPerChain(chains);
  return Math.sqrt(variance(pool(chains)) / essMean(chains));
}

/**
 * E-BFMI of one chain's Hamiltonian energies, Σ(E_n − E_{n−1})² / Σ(E_n − Ē)²; below about 0.3
 * the momentum resampling explores the energy distribution poorly. NaN for fewer than two or
 * constant energies. (rstan scales this by (N−1)/N, a difference of 1/N.)
 */
export function ebfmi(energy: Float64Array): number {
  const n = energy.length;
  if (n < 2 || degenerate(energy)) return NaN;
  const m = mean(energy);
  let num = 0;
  let den = (energy[0] - m) * (energy[0] - m);
  for (let i = 1; i < n; i++) {
    const d = energy[i] - energy[i - 1];
    num += d * d;
    den += (energy[i] - m) * (energy[i] - m);
  }
  return num / den;
}

/** Mean, sd, quantiles and every convergence diagnostic of one parameter, sharing the work. */
export function summarizeParameter(
  name: string,
  chains: ChainDraws,
  options: RankOptions = {},
): ParameterSummary {
  drawsPerChain(chains);
  const all = pool(chains);
  const mu = mean(all);
  const sd = Math.sqrt(variance(all));
  const bad = degenerate(all);
  all.sort();
  const q5 = quantile(all, 0.05);
  const q50 = quantile(all, 0.5);
  const q95 = quantile(all, 0.95);
  if (bad) {
    return {
      name,
      mean: mu,
      sd,
      mcseMean: NaN,
      q5,
      q50,
      q95,
      rhat: NaN,
      essBulk: NaN,
      essTail: NaN,
    };
  }
  const offset = options.rankOffset ?? rankOffsets.blom;
  const split = splitChains(chains);
  const zBulk = rankNormalize(split, offset);
  const zTail = rankNormalize(splitChains(folded(chains, q50)), offset);
  return {
    name,
    mean: mu,
    sd,
    mcseMean: sd / Math.sqrt(essOf(split)),
    q5,
    q50,
    q95,
    rhat: Math.max(rhatOf(zBulk), rhatOf(zTail)),
    essBulk: essOf(zBulk),
    essTail: tailEss(chains, q5, q95),
  };
}
