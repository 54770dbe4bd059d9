/**
 * One factory for every sampler, the settings they take (defaults as Stan's where Stan has one),
 * a dispersed start, and a plain runner (chains one after another, as Stan runs them) for tests,
 * benchmarks and headless use.
 */
import { createRng, type Rng } from '../../../shared/rng';
import { stanWarmupDefaults } from './adaptation';
import { GibbsChain } from './gibbs';
import { HmcChain } from './hmc';
import { NutsChain } from './nuts';
import { RwmChain } from './rwm';
import type { Chain, ChainOptions, SamplerKind, Target } from './types';

export interface SamplerSettings {
  /**
   * Metropolis proposal sd: rwm's isotropic scale (default 2.38/√d), or the starting scale of each
   * coordinate for Metropolis-within-Gibbs (default 1).
   */
  scale?: number;
  /** Adapt during warm-up (default true): rwm/gibbs scales; hmc/nuts step size (and metric). */
  adapt?: boolean;
  /**
   * hmc/nuts step size (default 1, Stan's). When adapting it is only the heuristic's starting
   * point; without adaptation it is used as given, and when omitted the heuristic picks one.
   */
  stepSize?: number;
  /** hmc/nuts: jitter each transition's step size uniformly by ±this fraction (default 0, Stan's). */
  stepSizeJitter?: number;
  /** hmc: leapfrog steps per transition (default 10), unless trajectoryLength is given. */
  steps?: number;
  /** hmc: integration time T; the number of steps becomes max(1, ⌊T/ε⌋). */
  trajectoryLength?: number;
  /** Target acceptance: hmc/nuts δ = 0.8; rwm 0.234 (0.44 when d = 1); gibbs 0.44 per coordinate. */
  targetAccept?: number;
  /** nuts: maximum tree depth (default 10). */
  maxTreeDepth?: number;
  /** hmc/nuts: estimate a diagonal metric in Stan's windows during warm-up (default true). */
  adaptMetric?: boolean;
  /** hmc/nuts: initial diagonal inverse metric (default ones). */
  inverseMetric?: Float64Array;
  /** gibbs: use exact conditionals (default: when the target has them). */
  exactGibbs?: boolean;
  /** Stan's warm-up windows (defaults 75 / 50 / 25), scaled down for short warm-ups. */
  initBuffer?: number;
  termBuffer?: number;
  baseWindow?: number;
}

/** Defaults of the run as a whole and of the samplers (Stan's where it has one). */
export const samplerDefaults = {
  chains: 4,
  warmup: 1000,
  draws: 1000,
  stepSize: 1,
  steps: 10,
  maxTreeDepth: 10,
  targetAccept: {
    rwm: 0.234,
    gibbs: 0.44,
    hmc: stanWarmupDefaults.delta,
    nuts: stanWarmupDefaults.delta,
  },
  initBuffer: stanWarmupDefaults.initBuffer,
  termBuffer: stanWarmupDefaults.termBuffer,
  baseWindow: stanWarmupDefaults.baseWindow,
} as const;

export function createChain(
  kind: SamplerKind,
  target: Target,
  options: ChainOptions & SamplerSettings,
): Chain {
  if (options.initial.length !== target.dim) {
    throw new Error(`initial has length ${options.initial.length}, the target has ${target.dim}`);
  }
  switch (kind) {
    case 'rwm':
      return new RwmChain(target, options);
    case 'gibbs':
      return new GibbsChain(target, { ...options, exact: options.exactGibbs });
    case 'hmc':
    case 'nuts': {
      const adapt = options.adapt ?? true;
      const warmup = {
        warmup: options.warmup,
        delta: options.targetAccept ?? samplerDefaults.targetAccept[kind],
        adapt,
        adaptMetric: options.adaptMetric ?? true,
        stepSize: options.stepSize ?? samplerDefaults.stepSize,
        fixedStepSize: options.stepSize !== undefined,
        jitter: options.stepSizeJitter ?? 0,
        windows: {
          initBuffer: options.initBuffer ?? samplerDefaults.initBuffer,
          termBuffer: options.termBuffer ?? samplerDefaults.termBuffer,
          baseWindow: options.baseWindow ?? samplerDefaults.baseWindow,
        },
        initial: options.initial,
        inverseMetric: options.inverseMetric,
      };
      return kind === 'hmc'
        ? new HmcChain(target, {
            ...warmup,
            steps: options.steps ?? samplerDefaults.steps,
            trajectoryLength: options.trajectoryLength,
          })
        : new NutsChain(target, {
            ...warmup,
            maxTreeDepth: options.maxTreeDepth ?? samplerDefaults.maxTreeDepth,
          });
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown sampler ${String(never)}`);
    }
  }
}

/** A start for one chain: the target's own, else Stan's default, uniform on [−2, 2]. */
export function dispersedStart(target: Target, rng: Rng, out: Float64Array): Float64Array {
  if (target.initial) target.initial(rng, out);
  else for (let i = 0; i < target.dim; i++) out[i] = 4 * rng.uniform() - 2;
  return out;
}

export interface RunSettings extends SamplerSettings {
  seed: number;
  chains?: number;
  warmup?: number;
  draws?: number;
}

/** One chain's kept draws and per-draw statistics (warm-up excluded). */
export interface ChainRun {
  /** draws[j][t]: parameter j at draw t. */
  draws: Float64Array[];
  acceptStat: Float64Array;
  logDensity: Float64Array;
  /** Hamiltonian at the start of each transition (hmc/nuts; zeros otherwise). */
  energy: Float64Array;
  treeDepth: Int32Array;
  leapfrogSteps: Int32Array;
  divergences: number;
  /** Gradient / density evaluations in warm-up and in sampling. */
  warmupEvaluations: number;
  samplingEvaluations: number;
  /** Step size (or scale) and inverse metric after warm-up. */
  stepSize: number;
  inverseMetric: Float64Array;
}

/**
 * Runs `chains` chains one after another, each from a dispersed start with its own generator
 * derived from `seed`. The same settings and seed give the same draws.
 */
export function sampleChains(kind: SamplerKind, target: Target, run: RunSettings): ChainRun[] {
  const nChains = run.chains ?? samplerDefaults.chains;
  const warmup = run.warmup ?? samplerDefaults.warmup;
  const draws = run.draws ?? samplerDefaults.draws;
  const master = createRng(run.seed);
  const out: ChainRun[] = [];
  for (let c = 0; c < nChains; c++) {
    const rng = createRng(master.nextSeed());
    const initial = dispersedStart(target, rng, new Float64Array(target.dim));
    const chain = createChain(kind, target, { ...run, warmup, initial });
    let warmupEvaluations = 0;
    for (let t = 0; t < warmup; t++) warmupEvaluations += chain.next(rng, false).evaluations;
    const result: ChainRun = {
      draws: Array.from({ length: target.dim }, () => new Float64Array(draws)),
      acceptStat: new Float64Array(draws),
      logDensity: new Float64Array(draws),
      energy: new Float64Array(draws),
      treeDepth: new Int32Array(draws),
      leapfrogSteps: new Int32Array(draws),
      divergences: 0,
      warmupEvaluations,
      samplingEvaluations: 0,
      stepSize: chain.stepSize,
      inverseMetric: Float64Array.from(chain.inverseMetric),
    };
    for (let t = 0; t < draws; t++) {
      const tr = chain.next(rng, false);
      for (let j = 0; j < target.dim; j++) result.draws[j][t] = chain.q[j];
      result.acceptStat[t] = tr.acceptStat;
      result.logDensity[t] = tr.logDensity;
      result.energy[t] = tr.energy ?? 0;
      result.treeDepth[t] = tr.treeDepth ?? 0;
      result.leapfrogSteps[t] = tr.leapfrogSteps ?? 0;
      if (tr.divergent) result.divergences++;
      result.samplingEvaluations += tr.evaluations;
    }
    out.push(result);
  }
  return out;
}

/** The chains' draws of parameter j, in the shape the diagnostics take. */
export function parameterDraws(runs: readonly ChainRun[], j: number): Float64Array[] {
  return runs.map((r) => r.draws[j]);
}
