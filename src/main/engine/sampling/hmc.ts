/**
 * Static Hamiltonian Monte Carlo: a fresh Gaussian momentum, L leapfrog steps of size ε with a
 * diagonal metric, then a Metropolis accept/reject on the energy error. L is either fixed or
 * derived from a trajectory length T as max(1, ⌊T/ε⌋) (as Stan's static HMC does), so it follows
 * ε while ε adapts. Warm-up adaptation (Stan's) is optional.
 */
import type { Rng } from '../../../shared/rng';
import { HmcWarmup, type HmcWarmupOptions } from './adaptation';
import { Leapfrog } from './leapfrog';
import type { Chain, Target, Transition } from './types';

/** Energy error beyond which a trajectory is called divergent (Stan's max_deltaH). */
export const MAX_DELTA_H = 1000;
/** Leapfrog steps per transition at most when a trajectory length sets them (NUTS's 2^10). */
export const MAX_TRAJECTORY_STEPS = 1024;

export interface HmcOptions extends HmcWarmupOptions {
  initial: Float64Array;
  /** Leapfrog steps per transition (used unless trajectoryLength is given). */
  steps: number;
  /** Integration time T; when set, L = max(1, ⌊T/ε⌋). */
  trajectoryLength?: number;
  /** Initial diagonal inverse metric (default ones). */
  inverseMetric?: Float64Array;
}

export class HmcChain implements Chain {
  readonly q: Float64Array;
  readonly inverseMetric: Float64Array;
  private grad: Float64Array;
  private qNew: Float64Array;
  private gradNew: Float64Array;
  private readonly p: Float64Array;
  private logp = NaN;
  private started = false;
  private readonly integrator: Leapfrog;
  private readonly warm: HmcWarmup;

  constructor(
    target: Target,
    private readonly options: HmcOptions,
  ) {
    const d = target.dim;
    this.q = Float64Array.from(options.initial);
    this.inverseMetric = options.inverseMetric
      ? Float64Array.from(options.inverseMetric)
      : new Float64Array(d).fill(1);
    this.grad = new Float64Array(d);
    this.qNew = new Float64Array(d);
    this.gradNew = new Float64Array(d);
    this.p = new Float64Array(d);
    this.integrator = new Leapfrog(target, this.inverseMetric);
    this.warm = new HmcWarmup(this.integrator, options);
  }

  get stepSize(): number {
    return this.warm.stepSize;
  }

  /** Leapfrog steps the next transition will take. */
  get steps(): number {
    const T = this.options.trajectoryLength;
    // Capped: a tiny adapted ε must not turn one transition into millions of gradient steps.
    return T === undefined
      ? this.options.steps
      : Math.min(MAX_TRAJECTORY_STEPS, Math.max(1, Math.floor(T / this.warm.stepSize)));
  }

  next(rng: Rng, record: boolean): Transition {
    const integ = this.integrator;
    const ev0 = integ.evaluations;
    if (!this.started) {
      this.logp = this.warm.start(this.q, this.grad, rng);
      this.started = true;
    }
    const L = this.steps;
    const eps = this.warm.sampleStepSize(rng);
    const p = this.p;
    integ.sampleMomentum(rng, p);
    const momentum = record ? Float64Array.from(p) : undefined;
    const h0 = integ.hamiltonian(this.logp, p);
    const qn = this.qNew,
      gn = this.gradNew;
    qn.set(this.q);
    gn.set(this.grad);
    const path = record ? new Float64Array(L * qn.length) : undefined;
    let lp = this.logp;
    let h = h0;
    let divergent = false;
    let taken = 0;
    // Stop early, and reject, once the energies seen so far spread by more than MAX_DELTA_H: the
    // rule depends only on the set of states visited, which is the same for the reversed
    // trajectory, so the chain stays exact (a test on H − H0 alone would not be symmetric).
    let hMin = h0,
      hMax = h0;
    for (let s = 0; s < L; s++) {
      lp = integ.step(qn, p, gn, eps);
      taken++;
      if (path) path.set(qn, s * qn.length);
      h = integ.hamiltonian(lp, p);
      if (h < hMin) hMin = h;
      if (h > hMax) hMax = h;
      if (hMax - hMin > MAX_DELTA_H) {
        divergent = true;
        break;
      }
    }
    const acceptStat = divergent ? 0 : h0 - h >= 0 ? 1 : Math.exp(h0 - h);
    const accepted = rng.uniform() < acceptStat;
    if (accepted) {
      this.q.set(qn);
      const g = this.grad;
      this.grad = gn;
      this.gradNew = g;
      this.logp = lp;
    }
    this.warm.learn(acceptStat, this.q, this.grad, this.logp, rng);
    return {
      accepted,
      acceptStat,
      logDensity: this.logp,
      evaluations: integ.evaluations - ev0,
      stepSize: eps,
      leapfrogSteps: taken,
      divergent,
      // Stan's energy__: H where the transition ends (the end point if accepted, else the start).
      energy: accepted ? h : h0,
      detail: path ? { path: path.subarray(0, taken * qn.length), momentum } : undefined,
    };
  }
}
