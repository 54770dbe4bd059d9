/**
 * Gibbs sampling by systematic scan. Targets that know their full conditionals (`conditional`) get
 * exact draws; others get Metropolis-within-Gibbs: one 1-D Gaussian random-walk step per
 * coordinate, each with its own scale, adapted during warm-up by Robbins–Monro towards 0.44, the
 * optimal acceptance rate for 1-D random-walk proposals.
 */
import { localText, TextError } from '../../../shared/i18n';
import type { Rng } from '../../../shared/rng';
import { robbinsMonroGain } from './rwm';
import type { Chain, Target, Transition } from './types';

export interface GibbsOptions {
  warmup: number;
  initial: Float64Array;
  /** Initial per-coordinate proposal sd for Metropolis-within-Gibbs (default 1). */
  scale?: number;
  /** Adapt the per-coordinate scales during warm-up (default true). */
  adapt?: boolean;
  /** Per-coordinate acceptance rate aimed at (default 0.44). */
  targetAccept?: number;
  /** Use the target's exact conditionals (default: whenever the target has them). */
  exact?: boolean;
}

export class GibbsChain implements Chain {
  readonly q: Float64Array;
  readonly inverseMetric: Float64Array;
  /** Per-coordinate log proposal scales (Metropolis-within-Gibbs). */
  readonly logScales: Float64Array;
  readonly exact: boolean;
  private logp = NaN;
  private started = false;
  private iteration = 0;
  private readonly adapt: boolean;
  private readonly targetAccept: number;
  private readonly warmup: number;

  constructor(
    private readonly target: Target,
    options: GibbsOptions,
  ) {
    const d = target.dim;
    this.q = Float64Array.from(options.initial);
    this.inverseMetric = new Float64Array(d).fill(1);
    this.logScales = new Float64Array(d).fill(Math.log(options.scale ?? 1));
    this.exact = (options.exact ?? true) && target.conditional !== undefined;
    if (options.exact && !target.conditional) {
      throw new TextError(localText('refuse.noExactConditionals'));
    }
    this.adapt = options.adapt ?? true;
    this.targetAccept = options.targetAccept ?? 0.44;
    this.warmup = options.warmup;
  }

  /** Exact Gibbs has no scale (0); otherwise the geometric mean of the coordinates' scales. */
  get stepSize(): number {
    if (this.exact) return 0;
    let s = 0;
    for (let i = 0; i < this.logScales.length; i++) s += this.logScales[i];
    return Math.exp(s / this.logScales.length);
  }

  next(rng: Rng, record: boolean): Transition {
    const q = this.q;
    const d = q.length;
    const path = record ? new Float64Array(d * d) : undefined;
    let evaluations = 0;
    if (this.exact) {
      const conditional = this.target.conditional!;
      for (let i = 0; i < d; i++) {
        conditional(q, i, rng);
        if (path) path.set(q, i * d);
      }
      this.logp = this.target.logDensity(q);
      this.iteration++;
      return {
        accepted: true,
        acceptStat: 1,
        logDensity: this.logp,
        evaluations: 1,
        detail: path ? { proposal: path } : undefined,
      };
    }
    if (!this.started) {
      this.logp = this.target.logDensity(q);
      evaluations++;
      this.started = true;
    }
    const adapting = this.adapt && this.iteration < this.warmup;
    const gain = adapting ? robbinsMonroGain(this.iteration) : 0;
    let sumAlpha = 0;
    let moved = false;
    for (let i = 0; i < d; i++) {
      const old = q[i];
      q[i] = old + Math.exp(this.logScales[i]) * rng.normal();
      const lp = this.target.logDensity(q);
      evaluations++;
      const ratio = Math.exp(lp - this.logp);
      const alpha = ratio >= 1 ? 1 : ratio === ratio ? ratio : 0;
      if (rng.uniform() < alpha) {
        this.logp = lp;
        moved = true;
      } else {
        q[i] = old;
      }
      sumAlpha += alpha;
      if (adapting) this.logScales[i] += gain * (alpha - this.targetAccept);
      if (path) path.set(q, i * d);
    }
    this.iteration++;
    return {
      accepted: moved,
      acceptStat: sumAlpha / d,
      logDensity: this.logp,
      evaluations,
      stepSize: this.stepSize,
      detail: path ? { proposal: path } : undefined,
    };
  }
}
