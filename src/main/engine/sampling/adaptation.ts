/**
 * Stan's warm-up for HMC and NUTS (Stan reference manual, "HMC algorithm parameters"):
 *  - dual-averaging step-size adaptation (Hoffman & Gelman 2014, §3.2), with Stan's constants;
 *  - windowed estimation of a diagonal inverse metric: an initial fast buffer, doubling slow
 *    windows in which the draws' variances are accumulated, and a terminal fast buffer; after each
 *    slow window the metric is replaced by the regularised variances, the step-size heuristic is
 *    re-run and dual averaging restarts around the new step size;
 *  - Stan's heuristic for a starting step size (double or halve until one leapfrog step's
 *    acceptance probability crosses 0.8).
 * Written from the published description and Stan's documented behaviour; all buffers are
 * allocated up front.
 */
import { localText, TextError } from '../../../shared/i18n';
import type { Rng } from '../../../shared/rng';
import type { Leapfrog } from './leapfrog';

export const stanWarmupDefaults = {
  /** Target acceptance statistic δ. */
  delta: 0.8,
  gamma: 0.05,
  t0: 10,
  kappa: 0.75,
  initBuffer: 75,
  termBuffer: 50,
  baseWindow: 25,
} as const;

/** Nesterov dual averaging of log ε towards a target mean acceptance statistic. */
export class DualAveraging {
  mu = Math.log(10);
  counter = 0;
  private sBar = 0;
  private xBar = 0;

  constructor(
    public delta: number = stanWarmupDefaults.delta,
    readonly gamma: number = stanWarmupDefaults.gamma,
    readonly t0: number = stanWarmupDefaults.t0,
    readonly kappa: number = stanWarmupDefaults.kappa,
  ) {}

  /** Centre the iterates' shrinkage on 10 ε: large steps are tried first, which is cheap. */
  setMu(stepSize: number): void {
    this.mu = Math.log(10 * stepSize);
  }

  restart(): void {
    this.counter = 0;
    this.sBar = 0;
    this.xBar = 0;
  }

  /** Feed one acceptance statistic; returns the step size to use next. */
  learn(acceptStat: number): number {
    this.counter++;
    const stat = acceptStat > 1 ? 1 : acceptStat;
    const t = this.counter;
    const eta = 1 / (t + this.t0);
    this.sBar = (1 - eta) * this.sBar + eta * (this.delta - stat);
    const x = this.mu - (this.sBar * Math.sqrt(t)) / this.gamma;
    const w = Math.pow(t, -this.kappa);
    this.xBar = (1 - w) * this.xBar + w * x;
    return Math.exp(x);
  }

  /** The averaged iterate: the step size to freeze at the end of warm-up. */
  finalStepSize(): number {
    return Math.exp(this.xBar);
  }
}

export interface WindowParams {
  initBuffer: number;
  termBuffer: number;
  baseWindow: number;
}

/**
 * Stan's window bookkeeping. With fewer than 20 warm-up iterations nothing is estimated; when the
 * three stages do not fit, they are scaled to 15% / 75% / 10% of the warm-up (the documented
 * behaviour; see the note in the report about Stan 2.21's code path for this case).
 */
export class AdaptationWindows {
  readonly enabled: boolean;
  readonly initBuffer: number;
  readonly termBuffer: number;
  readonly baseWindow: number;
  private counter = 0;
  private size: number;
  private nextEnd: number;

  constructor(
    readonly numWarmup: number,
    params: WindowParams = stanWarmupDefaults,
  ) {
    this.enabled = numWarmup >= 20;
    if (params.initBuffer + params.baseWindow + params.termBuffer > numWarmup) {
      this.initBuffer = Math.floor(0.15 * numWarmup);
      this.termBuffer = Math.floor(0.1 * numWarmup);
      this.baseWindow = numWarmup - (this.initBuffer + this.termBuffer);
    } else {
      this.initBuffer = params.initBuffer;
      this.termBuffer = params.termBuffer;
      this.baseWindow = params.baseWindow;
    }
    this.size = this.baseWindow;
    this.nextEnd = this.initBuffer + this.size - 1;
  }

  /** Whether the current iteration's draw belongs to a slow window. */
  inWindow(): boolean {
    const c = this.counter;
    return (
      this.enabled &&
      c >= this.initBuffer &&
      c < this.numWarmup - this.termBuffer &&
      c !== this.numWarmup
    );
  }

  /** Whether the current iteration closes a slow window. */
  atWindowEnd(): boolean {
    return this.enabled && this.counter === this.nextEnd && this.counter !== this.numWarmup;
  }

  /** Double the window; stretch it to the terminal buffer if the one after it would not fit. */
  private computeNext(): void {
    const last = this.numWarmup - this.termBuffer - 1;
    if (this.nextEnd === last) return;
    this.size *= 2;
    this.nextEnd = this.counter + this.size;
    if (this.nextEnd === last) return;
    if (this.nextEnd + 2 * this.size >= this.numWarmup - this.termBuffer) this.nextEnd = last;
  }

  /**
   * Advance one warm-up iteration. Returns 1 if the draw should be accumulated, 2 if it should
   * be accumulated and the window then closed, 0 otherwise. (The draw is accumulated before the
   * window is closed, as Stan does.)
   */
  advance(): 0 | 1 | 2 {
    const add = this.inWindow();
    if (this.atWindowEnd()) {
      this.computeNext();
      this.counter++;
      return 2;
    }
    this.counter++;
    return add ? 1 : 0;
  }

  /** The 0-based warm-up iterations after which the metric is updated (for tests and the UI). */
  static ends(numWarmup: number, params: WindowParams = stanWarmupDefaults): number[] {
    const w = new AdaptationWindows(numWarmup, params);
    const out: number[] = [];
    for (let i = 0; i < numWarmup; i++) if (w.advance() === 2) out.push(i);
    return out;
  }
}

/** Welford's running mean and variance of vectors. */
export class Welford {
  n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(dim: number) {
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim);
  }

  restart(): void {
    this.n = 0;
    this.mean.fill(0);
    this.m2.fill(0);
  }

  add(x: Float64Array): void {
    this.n++;
    const mean = this.mean,
      m2 = this.m2;
    const n = this.n;
    for (let i = 0; i < mean.length; i++) {
      const d = x[i] - mean[i];
      mean[i] += d / n;
      m2[i] += d * (x[i] - mean[i]);
    }
  }

  /** Sample variance (n − 1 denominator) into out; leaves out alone with fewer than 2 draws. */
  variance(out: Float64Array): void {
    if (this.n < 2) return;
    for (let i = 0; i < out.length; i++) out[i] = this.m2[i] / (this.n - 1);
  }
}

/**
 * Windowed diagonal-metric estimation. `learn` is called with each warm-up draw; when a slow
 * window closes, the inverse metric is overwritten by the window's variances shrunk towards 1e-3
 * (Stan's regularisation: (n/(n+5))·var + 1e-3·(5/(n+5))) and true is returned.
 */
export class WindowedVariance {
  readonly windows: AdaptationWindows;
  private readonly estimator: Welford;

  constructor(dim: number, numWarmup: number, params: WindowParams = stanWarmupDefaults) {
    this.windows = new AdaptationWindows(numWarmup, params);
    this.estimator = new Welford(dim);
  }

  learn(q: Float64Array, invMetric: Float64Array): boolean {
    const what = this.windows.advance();
    if (what === 0) return false;
    this.estimator.add(q);
    if (what === 1) return false;
    const n = this.estimator.n;
    this.estimator.variance(invMetric);
    const a = n / (n + 5),
      b = 1e-3 * (5 / (n + 5));
    for (let i = 0; i < invMetric.length; i++) {
      invMetric[i] = a * invMetric[i] + b;
      if (!Number.isFinite(invMetric[i])) {
        throw new TextError(localText('fail.metricOverflow'));
      }
    }
    this.estimator.restart();
    return true;
  }
}

/**
 * Stan's step-size heuristic: from ε, take one leapfrog step from q with a fresh momentum; if the
 * acceptance probability exceeds 0.8 keep doubling ε (fresh momentum each time) until it no longer
 * does, otherwise keep halving until it does. The chain's state is left untouched.
 */
export class StepSizeHeuristic {
  private readonly q: Float64Array;
  private readonly p: Float64Array;
  private readonly grad: Float64Array;

  constructor(dim: number) {
    this.q = new Float64Array(dim);
    this.p = new Float64Array(dim);
    this.grad = new Float64Array(dim);
  }

  run(
    integrator: Leapfrog,
    q: Float64Array,
    grad: Float64Array,
    logp: number,
    stepSize: number,
    rng: Rng,
  ): number {
    let eps = stepSize;
    // Extreme step sizes would loop for ever: leave them as they are.
    if (eps === 0 || eps > 1e7 || Number.isNaN(eps)) return eps;
    const log08 = Math.log(0.8);
    let direction = 0;
    for (;;) {
      const dH = this.trial(integrator, q, grad, logp, eps, rng);
      if (direction === 0) {
        // The first trial only picks the direction; the loop then retries at the same ε.
        direction = dH > log08 ? 1 : -1;
        continue;
      }
      if (direction === 1 && !(dH > log08)) break;
      if (direction === -1 && !(dH < log08)) break;
      eps = direction === 1 ? 2 * eps : 0.5 * eps;
      if (eps > 1e7) throw new TextError(localText('fail.improperPosterior'));
      if (eps === 0) throw new TextError(localText('fail.noStepSize'));
    }
    return eps;
  }

  /** H0 − H after one step of size eps from (q, fresh p). */
  private trial(
    integrator: Leapfrog,
    q: Float64Array,
    grad: Float64Array,
    logp: number,
    eps: number,
    rng: Rng,
  ): number {
    this.q.set(q);
    this.grad.set(grad);
    integrator.sampleMomentum(rng, this.p);
    const h0 = integrator.hamiltonian(logp, this.p);
    const lp = integrator.step(this.q, this.p, this.grad, eps);
    const h = integrator.hamiltonian(lp, this.p);
    return h0 - h;
  }
}

export interface HmcWarmupOptions {
  /** Warm-up iterations. */
  warmup: number;
  /** Target acceptance statistic δ. */
  delta: number;
  /** Adapt the step size by dual averaging (and the metric, if adaptMetric) during warm-up. */
  adapt: boolean;
  /** Estimate a diagonal inverse metric in Stan's windows (only when adapt). */
  adaptMetric: boolean;
  /** The user's step size: the heuristic's starting point, and μ = log(10 ε0) as in Stan. */
  stepSize: number;
  /** Without adaptation: keep `stepSize` as given (true) or run the heuristic once (false). */
  fixedStepSize: boolean;
  /** Each transition uses ε·(1 + jitter·u), u ~ U(−1, 1) (Stan's stepsize_jitter; default 0). */
  jitter?: number;
  windows?: WindowParams;
  gamma?: number;
  t0?: number;
  kappa?: number;
}

/**
 * The warm-up driver shared by static HMC and NUTS: owns the step size while adapting, rewrites
 * the integrator's inverse metric in place at each window's end, and freezes both when warm-up
 * ends (ε = exp(x̄), the dual-averaging average).
 */
export class HmcWarmup {
  stepSize: number;
  private iteration = 0;
  private readonly dual: DualAveraging;
  private readonly variance: WindowedVariance | null;
  private readonly heuristic: StepSizeHeuristic;

  constructor(
    private readonly integrator: Leapfrog,
    private readonly options: HmcWarmupOptions,
  ) {
    this.stepSize = options.stepSize;
    this.dual = new DualAveraging(options.delta, options.gamma, options.t0, options.kappa);
    this.dual.setMu(options.stepSize);
    this.variance =
      options.adapt && options.adaptMetric
        ? new WindowedVariance(integrator.dim, options.warmup, options.windows)
        : null;
    this.heuristic = new StepSizeHeuristic(integrator.dim);
  }

  get adapting(): boolean {
    return this.options.adapt && this.iteration < this.options.warmup;
  }

  /** The step size for one transition: the nominal one, jittered if asked. */
  sampleStepSize(rng: Rng): number {
    const j = this.options.jitter ?? 0;
    return j > 0 ? this.stepSize * (1 + j * (2 * rng.uniform() - 1)) : this.stepSize;
  }

  /**
   * Before the first transition, at the chain's start q: writes ∇log π(q) into `grad` and returns
   * log π(q), refusing a start where the density is zero; then runs Stan's step-size heuristic.
   */
  start(q: Float64Array, grad: Float64Array, rng: Rng): number {
    const logp = this.integrator.gradient(q, grad);
    if (!Number.isFinite(logp)) throw new TextError(localText('fail.zeroDensityStart'));
    if (this.options.adapt || !this.options.fixedStepSize) {
      this.stepSize = this.heuristic.run(this.integrator, q, grad, logp, this.stepSize, rng);
    }
    return logp;
  }

  /** After each transition, with its acceptance statistic and the chain's new state. */
  learn(acceptStat: number, q: Float64Array, grad: Float64Array, logp: number, rng: Rng): void {
    if (!this.adapting) return;
    this.iteration++;
    this.stepSize = this.dual.learn(acceptStat);
    if (this.variance?.learn(q, this.integrator.invMetric)) {
      this.stepSize = this.heuristic.run(this.integrator, q, grad, logp, this.stepSize, rng);
      this.dual.setMu(this.stepSize);
      this.dual.restart();
    }
    // (A window closing on the very last iteration leaves nothing averaged: keep the heuristic's ε.)
    if (this.iteration === this.options.warmup && this.dual.counter > 0) {
      this.stepSize = this.dual.finalStepSize();
    }
  }
}
