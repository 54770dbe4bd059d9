/**
 * Random-walk Metropolis with isotropic Gaussian proposals q' = q + s·z. During warm-up log s can
 * follow a Robbins–Monro recursion towards a target acceptance rate (0.234, Roberts, Gelman & Gilks
 * 1997; 0.44 in one dimension); it is frozen afterwards.
 */
import type { Rng } from '../../../shared/rng';
import type { Chain, Target, Transition } from './types';

export interface RwmOptions {
  warmup: number;
  initial: Float64Array;
  /** Proposal standard deviation s (default 2.38/√d). */
  scale?: number;
  /** Adapt s during warm-up (default true). */
  adapt?: boolean;
  /** Acceptance rate aimed at (default 0.234, or 0.44 when d = 1). */
  targetAccept?: number;
}

/** Robbins–Monro gain at adaptation step t (0-based): decays so the scale settles. */
export function robbinsMonroGain(t: number): number {
  return Math.pow(t + 1, -0.6);
}

export class RwmChain implements Chain {
  readonly q: Float64Array;
  readonly inverseMetric: Float64Array;
  private readonly proposal: Float64Array;
  private logScale: number;
  private scale: number;
  private logp = NaN;
  private started = false;
  private iteration = 0;
  private readonly adapt: boolean;
  private readonly targetAccept: number;
  private readonly warmup: number;

  constructor(
    private readonly target: Target,
    options: RwmOptions,
  ) {
    const d = target.dim;
    this.q = Float64Array.from(options.initial);
    this.proposal = new Float64Array(d);
    this.inverseMetric = new Float64Array(d).fill(1);
    this.scale = options.scale ?? 2.38 / Math.sqrt(d);
    this.logScale = Math.log(this.scale);
    this.adapt = options.adapt ?? true;
    this.targetAccept = options.targetAccept ?? (d === 1 ? 0.44 : 0.234);
    this.warmup = options.warmup;
  }

  get stepSize(): number {
    return this.scale;
  }

  next(rng: Rng, record: boolean): Transition {
    let evaluations = 0;
    if (!this.started) {
      this.logp = this.target.logDensity(this.q);
      evaluations++;
      this.started = true;
    }
    const s = this.scale;
    const q = this.q,
      prop = this.proposal;
    for (let i = 0; i < q.length; i++) prop[i] = q[i] + s * rng.normal();
    const lp = this.target.logDensity(prop);
    evaluations++;
    const ratio = Math.exp(lp - this.logp);
    // NaN (both densities zero, or a NaN density) counts as a certain rejection.
    const alpha = ratio >= 1 ? 1 : ratio === ratio ? ratio : 0;
    const accepted = rng.uniform() < alpha;
    const detail = record ? { proposal: Float64Array.from(prop) } : undefined;
    if (accepted) {
      q.set(prop);
      this.logp = lp;
    }
    if (this.adapt && this.iteration < this.warmup) {
      this.logScale += robbinsMonroGain(this.iteration) * (alpha - this.targetAccept);
      this.scale = Math.exp(this.logScale);
    }
    this.iteration++;
    return { accepted, acceptStat: alpha, logDensity: this.logp, evaluations, stepSize: s, detail };
  }
}
