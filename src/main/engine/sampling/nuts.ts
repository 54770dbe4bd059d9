/**
 * The No-U-Turn Sampler as Stan (2.2x) runs it (Hoffman & Gelman 2014; Betancourt 2017):
 *  - the trajectory doubles in a random direction until the generalised no-U-turn criterion on
 *    the summed momenta fails, a subtree diverges (H − H0 > 1000) or the depth limit is reached;
 *  - the draw is chosen multinomially, by weights exp(H0 − H): uniform progressive sampling inside
 *    a subtree, biased progressive sampling (favouring the new subtree) when merging at the top;
 *  - the criterion is checked across each merged pair of subtrees and, as added in Stan 2.2x,
 *    also across the two subtrees' adjoining ends (each subtree plus the first/last point of the
 *    other), which catches U-turns that fall between the subtrees;
 *  - acceptStat is the mean of min(1, exp(H0 − H)) over all points the tree computed.
 * Written from the papers and Stan's documented behaviour. Every vector is allocated once per
 * chain (per depth level for the recursion); proposals are kept by swapping buffers, not copying.
 */
import type { Rng } from '../../../shared/rng';
import { HmcWarmup, type HmcWarmupOptions } from './adaptation';
import { MAX_DELTA_H } from './hmc';
import { Leapfrog } from './leapfrog';
import type { Chain, Target, Transition } from './types';

export interface NutsOptions extends HmcWarmupOptions {
  initial: Float64Array;
  /** Maximum number of doublings (Stan's max_depth, default 10). */
  maxTreeDepth: number;
  /** Initial diagonal inverse metric (default ones). */
  inverseMetric?: Float64Array;
}

function logSumExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

const vectors = (n: number, d: number) => Array.from({ length: n }, () => new Float64Array(d));

export class NutsChain implements Chain {
  readonly q: Float64Array;
  readonly inverseMetric: Float64Array;
  readonly maxTreeDepth: number;
  private grad: Float64Array;
  private logp = NaN;
  private started = false;
  private readonly integrator: Leapfrog;
  private readonly warm: HmcWarmup;

  // The two ends of the trajectory (position, momentum, gradient); the end being extended is
  // integrated in place.
  private readonly fwdQ: Float64Array;
  private readonly fwdP: Float64Array;
  private readonly fwdG: Float64Array;
  private readonly bckQ: Float64Array;
  private readonly bckP: Float64Array;
  private readonly bckG: Float64Array;
  private zQ: Float64Array;
  private zP: Float64Array;
  private zG: Float64Array;

  // The current draw, and proposals: [0] for the subtree being built at the top level, [k] for
  // the second half of a depth-k subtree. Choosing a proposal swaps buffers.
  private sampleQ: Float64Array;
  private sampleG: Float64Array;
  private sampleLp = NaN;
  /** H at the current draw (its momentum from the trajectory), Stan's energy__. */
  private sampleH = NaN;
  /** H at the point weighed last. */
  private hLast = NaN;
  private readonly propQ: Float64Array[];
  private readonly propG: Float64Array[];
  private readonly propLp: Float64Array;
  private readonly propH: Float64Array;

  // Momenta (p) and sharp momenta (M⁻¹p) at the ends of the backward and forward subtrees.
  private readonly pFwdFwd: Float64Array;
  private readonly psFwdFwd: Float64Array;
  private readonly pFwdBck: Float64Array;
  private readonly psFwdBck: Float64Array;
  private readonly pBckFwd: Float64Array;
  private readonly psBckFwd: Float64Array;
  private readonly pBckBck: Float64Array;
  private readonly psBckBck: Float64Array;
  private readonly rho: Float64Array;
  private readonly rhoFwd: Float64Array;
  private readonly rhoBck: Float64Array;

  // Per recursion depth k: the inner ends of a depth-k subtree's halves and their momentum sums.
  private readonly pInitEnd: Float64Array[];
  private readonly psInitEnd: Float64Array[];
  private readonly pFinalBeg: Float64Array[];
  private readonly psFinalBeg: Float64Array[];
  private readonly rhoInit: Float64Array[];
  private readonly rhoFinal: Float64Array[];

  // Per-transition state read by the recursion.
  private rng!: Rng;
  private eps = 0;
  private sign = 1;
  private h0 = 0;
  private nLeapfrog = 0;
  private sumMetroProb = 0;
  private divergent = false;
  /** Outputs of the recursion, kept in fields so no number is boxed on return. */
  private lw = 0.5;
  private lp = 0.5;

  // Recording (allocated on the first recorded transition).
  private recording = false;
  private pathBuf: Float64Array | null = null;
  private depthBuf: Int32Array | null = null;
  private pathCount = 0;
  private topDepth = 0;

  constructor(target: Target, options: NutsOptions) {
    const d = target.dim;
    const D = options.maxTreeDepth;
    if (!(D >= 1 && Number.isInteger(D)))
      throw new Error('maxTreeDepth must be a positive integer');
    this.maxTreeDepth = D;
    this.q = Float64Array.from(options.initial);
    this.inverseMetric = options.inverseMetric
      ? Float64Array.from(options.inverseMetric)
      : new Float64Array(d).fill(1);
    this.grad = new Float64Array(d);
    this.integrator = new Leapfrog(target, this.inverseMetric);
    this.warm = new HmcWarmup(this.integrator, options);
    [this.fwdQ, this.fwdP, this.fwdG, this.bckQ, this.bckP, this.bckG] = vectors(6, d);
    this.zQ = this.fwdQ;
    this.zP = this.fwdP;
    this.zG = this.fwdG;
    [this.sampleQ, this.sampleG] = vectors(2, d);
    this.propQ = vectors(D + 1, d);
    this.propG = vectors(D + 1, d);
    this.propLp = new Float64Array(D + 1);
    this.propH = new Float64Array(D + 1);
    [
      this.pFwdFwd,
      this.psFwdFwd,
      this.pFwdBck,
      this.psFwdBck,
      this.pBckFwd,
      this.psBckFwd,
      this.pBckBck,
      this.psBckBck,
      this.rho,
      this.rhoFwd,
      this.rhoBck,
    ] = vectors(11, d);
    this.pInitEnd = vectors(D + 1, d);
    this.psInitEnd = vectors(D + 1, d);
    this.pFinalBeg = vectors(D + 1, d);
    this.psFinalBeg = vectors(D + 1, d);
    this.rhoInit = vectors(D + 1, d);
    this.rhoFinal = vectors(D + 1, d);
  }

  get stepSize(): number {
    return this.warm.stepSize;
  }

  next(rng: Rng, record: boolean): Transition {
    const integ = this.integrator;
    const ev0 = integ.evaluations;
    if (!this.started) {
      this.logp = this.warm.start(this.q, this.grad, rng);
      this.started = true;
    }
    const d = this.q.length;
    const inv = this.inverseMetric;
    this.rng = rng;
    this.eps = this.warm.sampleStepSize(rng);
    this.recording = record;
    if (record && !this.pathBuf) {
      this.pathBuf = new Float64Array(2 ** this.maxTreeDepth * d);
      this.depthBuf = new Int32Array(2 ** this.maxTreeDepth);
    }
    this.pathCount = 0;
    const directions = record ? new Int8Array(this.maxTreeDepth) : null;

    // Both ends start at the current point with a fresh momentum.
    const p = this.fwdP;
    integ.sampleMomentum(rng, p);
    const momentum = record ? Float64Array.from(p) : undefined;
    this.fwdQ.set(this.q);
    this.fwdG.set(this.grad);
    this.bckQ.set(this.q);
    this.bckP.set(p);
    this.bckG.set(this.grad);
    let k = 0;
    for (let i = 0; i < d; i++) {
      const ps = inv[i] * p[i];
      k += p[i] * ps;
      this.psFwdFwd[i] = ps;
    }
    this.h0 = -this.logp + 0.5 * k;
    this.pFwdFwd.set(p);
    this.pFwdBck.set(p);
    this.pBckFwd.set(p);
    this.pBckBck.set(p);
    this.psFwdBck.set(this.psFwdFwd);
    this.psBckFwd.set(this.psFwdFwd);
    this.psBckBck.set(this.psFwdFwd);
    this.rho.set(p);

    let logSumWeight = 0; // the initial point's weight, exp(H0 − H0)
    let moved = false;
    let depth = 0;
    let doublings = 0;
    this.nLeapfrog = 0;
    this.sumMetroProb = 0;
    this.divergent = false;

    while (depth < this.maxTreeDepth) {
      let valid: boolean;
      this.topDepth = depth;
      if (rng.uniform() > 0.5) {
        // Forward: the old trajectory becomes the backward subtree.
        this.sign = 1;
        this.zQ = this.fwdQ;
        this.zP = this.fwdP;
        this.zG = this.fwdG;
        this.rhoBck.set(this.rho);
        this.pBckFwd.set(this.pFwdFwd);
        this.psBckFwd.set(this.psFwdFwd);
        valid = this.buildTree(
          depth,
          0,
          this.psFwdBck,
          this.psFwdFwd,
          this.rhoFwd,
          this.pFwdBck,
          this.pFwdFwd,
        );
      } else {
        // Backward: the old trajectory becomes the forward subtree.
        this.sign = -1;
        this.zQ = this.bckQ;
        this.zP = this.bckP;
        this.zG = this.bckG;
        this.rhoFwd.set(this.rho);
        this.pFwdBck.set(this.pBckBck);
        this.psFwdBck.set(this.psBckBck);
        valid = this.buildTree(
          depth,
          0,
          this.psBckFwd,
          this.psBckBck,
          this.rhoBck,
          this.pBckFwd,
          this.pBckBck,
        );
      }
      if (directions) directions[depth] = this.sign;
      doublings++;
      if (!valid) break; // divergent, or a U-turn inside the new subtree
      const lwSubtree = this.lw;

      depth++;
      // Biased progressive sampling: move to the new subtree with probability min(1, w_new/w_old).
      if (lwSubtree > logSumWeight || rng.uniform() < Math.exp(lwSubtree - logSumWeight)) {
        this.takeProposal();
        moved = true;
      }
      logSumWeight = logSumExp(logSumWeight, lwSubtree);

      // No-U-turn across the whole trajectory, and across each subtree extended by the adjoining
      // end of the other.
      const merged = noUTurnAcross(
        this.rhoBck,
        this.rhoFwd,
        this.psBckBck,
        this.psFwdFwd,
        this.psBckFwd,
        this.pBckFwd,
        this.psFwdBck,
        this.pFwdBck,
        this.rho,
      );
      if (!merged) break;
    }

    if (moved) {
      this.q.set(this.sampleQ);
      const g = this.grad;
      this.grad = this.sampleG;
      this.sampleG = g;
      this.logp = this.sampleLp;
    }
    const acceptStat = this.sumMetroProb / this.nLeapfrog;
    const eps = this.eps;
    this.warm.learn(acceptStat, this.q, this.grad, this.logp, rng);

    let detail: Transition['detail'];
    if (record) {
      const n = this.pathCount;
      detail = {
        path: this.pathBuf!.slice(0, n * d),
        momentum,
        depthOf: this.depthBuf!.slice(0, n),
        directions: directions!.slice(0, doublings),
      };
    }
    return {
      accepted: moved,
      acceptStat,
      logDensity: this.logp,
      evaluations: integ.evaluations - ev0,
      stepSize: eps,
      leapfrogSteps: this.nLeapfrog,
      treeDepth: depth,
      divergent: this.divergent,
      energy: moved ? this.sampleH : this.h0, // Stan's energy__: H at the draw
      detail,
    };
  }

  /** The top-level proposal becomes the draw (a buffer swap). */
  private takeProposal(): void {
    const q = this.sampleQ,
      g = this.sampleG;
    this.sampleQ = this.propQ[0];
    this.sampleG = this.propG[0];
    this.sampleLp = this.propLp[0];
    this.sampleH = this.propH[0];
    this.propQ[0] = q;
    this.propG[0] = g;
  }

  /**
   * Build a subtree of 2^depth leapfrog steps from the current end (zQ, zP, zG) in direction
   * `sign`, writing its multinomial proposal into proposal slot `slot`, the sharp momenta and
   * momenta at its two ends, and its momentum sum, and the log of its summed weights exp(H0 − H)
   * into this.lw. Returns false if the subtree is invalid (divergent, or a U-turn inside it).
   */
  private buildTree(
    depth: number,
    slot: number,
    psBeg: Float64Array,
    psEnd: Float64Array,
    rho: Float64Array,
    pBeg: Float64Array,
    pEnd: Float64Array,
  ): boolean {
    if (depth === 0) return this.leaf(slot, psBeg, psEnd, rho, pBeg, pEnd);
    if (depth === 1) return this.pair(slot, psBeg, psEnd, rho, pBeg, pEnd);

    const psInitEnd = this.psInitEnd[depth],
      pInitEnd = this.pInitEnd[depth],
      rhoInit = this.rhoInit[depth];
    if (!this.buildTree(depth - 1, slot, psBeg, psInitEnd, rhoInit, pBeg, pInitEnd)) return false;
    const lwInit = this.lw;

    const psFinalBeg = this.psFinalBeg[depth],
      pFinalBeg = this.pFinalBeg[depth],
      rhoFinal = this.rhoFinal[depth];
    if (!this.buildTree(depth - 1, depth, psFinalBeg, psEnd, rhoFinal, pFinalBeg, pEnd)) {
      return false;
    }
    const lwFinal = this.lw;

    // Uniform progressive sampling between the two halves.
    const lwSubtree = logSumExp(lwInit, lwFinal);
    if (lwFinal > lwSubtree || this.rng.uniform() < Math.exp(lwFinal - lwSubtree)) {
      const q = this.propQ[slot],
        g = this.propG[slot];
      this.propQ[slot] = this.propQ[depth];
      this.propG[slot] = this.propG[depth];
      this.propLp[slot] = this.propLp[depth];
      this.propH[slot] = this.propH[depth];
      this.propQ[depth] = q;
      this.propG[depth] = g;
    }

    this.lw = lwSubtree;
    return noUTurnAcross(
      rhoInit,
      rhoFinal,
      psBeg,
      psEnd,
      psInitEnd,
      pInitEnd,
      psFinalBeg,
      pFinalBeg,
      rho,
    );
  }

  /**
   * The first half of a leapfrog step on the current end (half kick, drift, new gradient); the
   * caller finishes the second half kick inside its own loop over the coordinates, which saves a
   * pass. Returns log π at the new position.
   */
  private drift(): void {
    const q = this.zQ,
      p = this.zP,
      g = this.zG;
    const inv = this.inverseMetric;
    const eps = this.sign * this.eps;
    const half = 0.5 * eps;
    for (let i = 0; i < q.length; i++) {
      const pi = p[i] + half * g[i];
      p[i] = pi;
      q[i] += eps * inv[i] * pi;
    }
    this.nLeapfrog++;
    this.lp = this.integrator.gradient(q, g);
  }

  /** Weigh the new point by exp(H0 − H): acceptance sum, divergence; this.lw = H0 − H. */
  private weigh(twiceKinetic: number, slot: number): void {
    const logp = this.lp;
    let h = -logp + 0.5 * twiceKinetic;
    if (h !== h) h = Infinity;
    const dH = this.h0 - h;
    if (-dH > MAX_DELTA_H) this.divergent = true;
    this.sumMetroProb += dH > 0 ? 1 : Math.exp(dH);
    this.hLast = h;
    if (slot >= 0) {
      this.propQ[slot].set(this.zQ);
      this.propG[slot].set(this.zG);
      this.propLp[slot] = logp;
      this.propH[slot] = h;
    }
    if (this.recording) {
      const n = this.zQ.length;
      this.pathBuf!.set(this.zQ, this.pathCount * n);
      this.depthBuf![this.pathCount] = this.topDepth;
      this.pathCount++;
    }
    this.lw = dH;
  }

  /** One leapfrog step: a one-point subtree (only at the top level's first doubling). */
  private leaf(
    slot: number,
    psBeg: Float64Array,
    psEnd: Float64Array,
    rho: Float64Array,
    pBeg: Float64Array,
    pEnd: Float64Array,
  ): boolean {
    this.drift();
    const p = this.zP,
      g = this.zG,
      inv = this.inverseMetric;
    const half = 0.5 * this.sign * this.eps;
    let k = 0;
    for (let i = 0; i < p.length; i++) {
      const pi = p[i] + half * g[i];
      p[i] = pi;
      const ps = inv[i] * pi;
      k += pi * ps;
      psBeg[i] = ps;
      psEnd[i] = ps;
      rho[i] = pi;
      pBeg[i] = pi;
      pEnd[i] = pi;
    }
    this.weigh(k, slot);
    return !this.divergent;
  }

  /**
   * A depth-1 subtree (two steps) written out: the same as two leaves merged, but with the ends
   * written once. For two points the checks across the halves coincide with the check across the
   * whole, so only that one is made.
   */
  private pair(
    slot: number,
    psBeg: Float64Array,
    psEnd: Float64Array,
    rho: Float64Array,
    pBeg: Float64Array,
    pEnd: Float64Array,
  ): boolean {
    const p = this.zP,
      g = this.zG,
      inv = this.inverseMetric;
    const half = 0.5 * this.sign * this.eps;
    const n = p.length;

    this.drift();
    let k = 0;
    for (let i = 0; i < n; i++) {
      const pi = p[i] + half * g[i];
      p[i] = pi;
      const ps = inv[i] * pi;
      k += pi * ps;
      psBeg[i] = ps;
      pBeg[i] = pi;
    }
    this.weigh(k, slot);
    if (this.divergent) return false;
    const wA = this.lw;

    this.drift();
    k = 0;
    let a = 0,
      b = 0;
    for (let i = 0; i < n; i++) {
      const pi = p[i] + half * g[i];
      p[i] = pi;
      const ps = inv[i] * pi;
      k += pi * ps;
      psEnd[i] = ps;
      pEnd[i] = pi;
      const r = pBeg[i] + pi;
      rho[i] = r;
      a += psBeg[i] * r;
      b += ps * r;
    }
    this.weigh(k, -1);
    if (this.divergent) return false;
    const wB = this.lw;

    // Uniform progressive sampling: the second point replaces the first with weight wB/(wA+wB).
    const lw = logSumExp(wA, wB);
    if (wB > lw || this.rng.uniform() < Math.exp(wB - lw)) {
      this.propQ[slot].set(this.zQ);
      this.propG[slot].set(g);
      this.propLp[slot] = this.lp;
      this.propH[slot] = this.hLast;
    }
    this.lw = lw;
    return a > 0 && b > 0;
  }
}

/**
 * Stan's no-U-turn test on two adjoining subtrees, A then B: writes ρ = ρA + ρB into `rho` and
 * checks the criterion across the merged tree, and (Stan 2.2x's extra checks) across A extended by
 * B's first point and across B extended by A's last. `psBeg`/`psEnd` are the sharp momenta at the
 * merged tree's ends; `psAEnd`, `pAEnd` A's last point's; `psBBeg`, `pBBeg` B's first point's.
 */
function noUTurnAcross(
  rhoA: Float64Array,
  rhoB: Float64Array,
  psBeg: Float64Array,
  psEnd: Float64Array,
  psAEnd: Float64Array,
  pAEnd: Float64Array,
  psBBeg: Float64Array,
  pBBeg: Float64Array,
  rho: Float64Array,
): boolean {
  let a1 = 0,
    b1 = 0,
    a2 = 0,
    b2 = 0,
    a3 = 0,
    b3 = 0;
  for (let i = 0; i < rho.length; i++) {
    const r = rhoA[i] + rhoB[i];
    rho[i] = r;
    a1 += psBeg[i] * r;
    b1 += psEnd[i] * r;
    const e2 = rhoA[i] + pBBeg[i];
    a2 += psBeg[i] * e2;
    b2 += psBBeg[i] * e2;
    const e3 = rhoB[i] + pAEnd[i];
    a3 += psAEnd[i] * e3;
    b3 += psEnd[i] * e3;
  }
  return a1 > 0 && b1 > 0 && a2 > 0 && b2 > 0 && a3 > 0 && b3 > 0;
}
