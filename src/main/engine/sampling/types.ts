/**
 * The sampling module's contract, shared by MCMC (Metropolis–Hastings, Gibbs) and HMC / NUTS.
 * Everything is float64 and allocation-free in the inner loop: a target writes its gradient into
 * a caller's buffer, a chain owns its buffers and advances in place.
 */
import type { Rng } from '../../../shared/rng';

/** A log density on R^d (up to a constant) and its gradient: all a sampler may see of a model. */
export interface Target {
  dim: number;
  /** Parameter names, e.g. ['x', 'y'] or ['alpha', 'b1', 'b2']. */
  names: string[];
  /** log p(q) up to a constant; −Infinity outside the support. */
  logDensity(q: Float64Array): number;
  /** log p(q), with ∂ log p / ∂q written into `grad` (length dim). */
  logDensityGrad(q: Float64Array, grad: Float64Array): number;
  /**
   * A dispersed start for one chain, written into `out` (Stan's default is uniform on [−2, 2] in
   * the unconstrained space). Optional: samplers fall back to that default.
   */
  initial?(rng: Rng, out: Float64Array): void;
  /**
   * Exact draw of coordinate i from its full conditional given the others, in place (Gibbs). Only
   * for targets whose conditionals are known (e.g. the bivariate Gaussian).
   */
  conditional?(q: Float64Array, i: number, rng: Rng): void;
  /** The box to draw a 2-D target's density over: per dimension [low, high]. */
  bounds?: [number, number][];
  /** Known moments, where the target has them (tests and the run page compare against them). */
  truth?: { mean: number[]; variance: number[] };
  /**
   * For a target sampled on an unconstrained scale (e.g. log σ): maps a draw q to the values to
   * report (e.g. σ) in `out` (length dim). Optional: without it, draws are reported as they are.
   */
  constrain?(q: Float64Array, out: Float64Array): void;
  /** Names of what `constrain` writes, in order (e.g. […, 'sigma'] where `names` has 'log_sigma'). */
  constrainedNames?: string[];
}

/** What one transition did, for metrics, animation and step mode. */
export interface Transition {
  /** Metropolis–Hastings: whether the proposal was accepted. HMC: the same. NUTS: whether it moved. */
  accepted: boolean;
  /** The acceptance statistic averaged in adaptation and reported as the acceptance rate, in [0, 1]. */
  acceptStat: number;
  /** log p at the chain's new position. */
  logDensity: number;
  /** Gradient (or, for Metropolis, density) evaluations spent by this transition. */
  evaluations: number;
  /** Step size used (HMC, NUTS). */
  stepSize?: number;
  /** Leapfrog steps taken (HMC, NUTS). */
  leapfrogSteps?: number;
  /** NUTS tree depth. */
  treeDepth?: number;
  /** Whether the energy error exceeded 1000 somewhere on the trajectory (HMC, NUTS). */
  divergent?: boolean;
  /** The Hamiltonian at the state the transition ends in (Stan's energy__), for E-BFMI. */
  energy?: number;
  /** Only when `record` was asked for (step mode, 2-D animation): */
  detail?: {
    /** Metropolis: the proposed point; Gibbs: the point after each coordinate update (flattened). */
    proposal?: Float64Array;
    /** HMC / NUTS: leapfrog positions visited, flattened (n × dim), in the order computed. */
    path?: Float64Array;
    /** HMC / NUTS: the momentum drawn at the start. */
    momentum?: Float64Array;
    /** NUTS: for each path point, its tree depth when added (the doubling it belongs to). */
    depthOf?: Int32Array;
    /** NUTS: which direction each doubling went (+1 / −1). */
    directions?: Int8Array;
  };
}

/** One chain: its position, its tuning, and a way to take one transition. */
export interface Chain {
  /** Current position (read only; the chain updates it in place). */
  readonly q: Float64Array;
  /** Current step size (HMC, NUTS) or proposal scale (Metropolis). */
  readonly stepSize: number;
  /** Diagonal of the inverse metric (HMC, NUTS); ones for others. */
  readonly inverseMetric: Float64Array;
  /**
   * One transition. The first `warmup` calls (set when the chain was made) adapt the step size /
   * scale and the metric; at the end of warm-up the tuning is frozen.
   */
  next(rng: Rng, record: boolean): Transition;
}

export type SamplerKind = 'rwm' | 'gibbs' | 'hmc' | 'nuts';

export interface ChainOptions {
  /** Warm-up iterations (adaptation happens in them, Stan's windows scaled to this length). */
  warmup: number;
  /** Starting position (copied). */
  initial: Float64Array;
}
