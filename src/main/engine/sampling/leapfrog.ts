/**
 * The leapfrog (Störmer–Verlet) integrator for H(q, p) = −log π(q) + ½ pᵀ M⁻¹ p with a diagonal
 * inverse metric M⁻¹, working in place on caller-owned buffers. The gradient at the current
 * position is carried along with it, so each step costs exactly one gradient evaluation.
 */
import type { Rng } from '../../../shared/rng';
import type { Target } from './types';

export class Leapfrog {
  /** Gradient evaluations so far (every `gradient` call and every step). */
  evaluations = 0;

  /**
   * @param invMetric diagonal of M⁻¹; held by reference, so adaptation that rewrites it in place
   *   takes effect at the next step.
   */
  constructor(
    readonly target: Target,
    readonly invMetric: Float64Array,
  ) {}

  get dim(): number {
    return this.invMetric.length;
  }

  /** log π(q), with its gradient written into `grad`. Counted as one evaluation. */
  gradient(q: Float64Array, grad: Float64Array): number {
    this.evaluations++;
    return this.target.logDensityGrad(q, grad);
  }

  /**
   * One step of size eps (negative to go back in time). On entry `grad` must hold ∇log π(q); on
   * exit q, p and grad are the new state's. Returns log π at the new q.
   */
  step(q: Float64Array, p: Float64Array, grad: Float64Array, eps: number): number {
    const n = q.length;
    const inv = this.invMetric;
    const half = 0.5 * eps;
    for (let i = 0; i < n; i++) {
      const pi = p[i] + half * grad[i];
      p[i] = pi;
      q[i] += eps * inv[i] * pi;
    }
    this.evaluations++;
    const logp = this.target.logDensityGrad(q, grad);
    for (let i = 0; i < n; i++) p[i] += half * grad[i];
    return logp;
  }

  /** `steps` steps of size eps; returns log π at the end. */
  run(q: Float64Array, p: Float64Array, grad: Float64Array, eps: number, steps: number): number {
    let logp = NaN;
    for (let s = 0; s < steps; s++) logp = this.step(q, p, grad, eps);
    return logp;
  }

  /** ½ pᵀ M⁻¹ p. */
  kinetic(p: Float64Array): number {
    const inv = this.invMetric;
    let k = 0;
    for (let i = 0; i < p.length; i++) k += p[i] * p[i] * inv[i];
    return 0.5 * k;
  }

  /** The Hamiltonian at a state with log density logp; NaN (a blown-up state) becomes +∞. */
  hamiltonian(logp: number, p: Float64Array): number {
    const h = -logp + this.kinetic(p);
    return h === h ? h : Infinity;
  }

  /** p ~ N(0, M), i.e. p_i = z_i / sqrt(M⁻¹_i). */
  sampleMomentum(rng: Rng, p: Float64Array): void {
    const inv = this.invMetric;
    for (let i = 0; i < p.length; i++) p[i] = rng.normal() / Math.sqrt(inv[i]);
  }
}
