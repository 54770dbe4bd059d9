/**
 * MCMC (Metropolis–Hastings, Gibbs) and HMC / NUTS as engine algorithms: one driver for both.
 *
 * It builds the target (a preset, a typed formula, a posterior given the run's data), starts
 * several chains from dispersed points and advances them together one iteration at a time, so
 * the run page can draw all chains growing. Every draw is kept, Stan-style with its sampler
 * statistics in front (lp__, accept_stat__, …), and streamed in chunks ('draws' artifacts); for
 * 2-D targets the first chain's moves are recorded now and then ('trajectory' artifacts: the
 * proposal and verdict, the leapfrog path, the NUTS tree), and at every transition in step mode.
 */
import type { z } from 'zod';
import {
  WATCH_ITERATIONS_PER_SECOND,
  hmcParams,
  mcmcParams,
  type HmcParams,
  type McmcParams,
  type SamplingParams,
} from '../../../shared/algorithms/mcmc';
import {
  drawsColumn,
  samplerStats,
  type AssembledDraws,
  type DrawsChunkMeta,
  type TargetFieldMeta,
  type TransitionMeta,
} from '../../../shared/draws';
import {
  diagnosticThresholds,
  ebfmi,
  essBulk,
  rhat,
  summarizeParameter,
  type ParameterSummary,
} from '../../../shared/mcmc-diagnostics';
import { localText } from '../../../shared/i18n';
import { DataError, type Algorithm, type AlgorithmContext, type EngineData } from '../algorithm';
import type { Rng } from '../../../shared/rng';
import { createBayesGmmChain } from '../sampling/bayes-gmm';
import { createChain, dispersedStart } from '../sampling/chains';
import { formulaTarget } from '../sampling/formula-target';
import { gmmTarget } from '../sampling/gmm-target';
import { createPreset } from '../sampling/presets';
import { linearRegressionTarget, logisticRegressionTarget } from '../sampling/regression';
import type { Chain, SamplerKind, Target } from '../sampling/types';

export interface SamplingSummary extends Record<string, unknown> {
  /** The smallest bulk ESS over parameters: the run's headline (how much it learned). */
  minEssBulk: number;
  maxRhat: number;
  minEssBulkPerSecond: number;
  /** Per gradient (HMC, NUTS) or density (Metropolis, Gibbs) evaluation. */
  minEssBulkPerEvaluation: number;
  acceptance: number;
  divergences: number;
  evaluations: number;
  /** Seconds spent in transitions (the watching pace and pauses not counted). */
  seconds: number;
  /** E-BFMI per chain (HMC, NUTS). */
  ebfmi: number[];
  /** The final step size (or proposal scale) per chain. */
  stepSizes: number[];
  parameters: ParameterSummary[];
  /** Parameters whose R-hat or ESS misses the thresholds. */
  flagged: string[];
}

interface Built {
  target: Target | null;
  names: string[];
  makeChain(initial: Float64Array, rng: Rng): Chain;
  initial(rng: Rng, out: Float64Array): void;
}

/** The target of a run, from its parameters and (for posteriors) its data. */
export function buildTarget(params: SamplingParams, data: EngineData): Target {
  switch (params.target) {
    case 'formula': {
      // The host hands the formula compiled (parsed once per run, see withCompiledFormula).
      if (!data.formula) throw new DataError(localText('refuse.formulaNotCompiled'));
      const target = formulaTarget(data.formula);
      if (params.bounds && target.dim === 2)
        target.bounds = params.bounds.map(([lo, hi]) => [lo, hi] as [number, number]);
      return target;
    }
    case 'logistic-regression':
    case 'linear-regression': {
      const response = params.response ?? '';
      const yIndex = data.columns.indexOf(response);
      if (yIndex < 0) throw new DataError(localText('refuse.responseNotSelected', { response }));
      const predictors = data.columns.filter((_, j) => j !== yIndex);
      const p = predictors.length;
      const X = new Float64Array(data.rows * p);
      const y = new Float64Array(data.rows);
      for (let i = 0; i < data.rows; i++) {
        y[i] = data.values[i * data.cols + yIndex];
        for (let j = 0, k = 0; j < data.cols; j++)
          if (j !== yIndex) X[i * p + k++] = data.values[i * data.cols + j];
      }
      const opts = {
        X,
        y,
        rows: data.rows,
        predictors,
        priorScale: params.priorScale ?? 2.5,
      };
      return params.target === 'logistic-regression'
        ? logisticRegressionTarget(opts)
        : linearRegressionTarget(opts);
    }
    case 'gmm-run':
      if (!data.mixture) throw new DataError(localText('refuse.noFittedMixture'));
      return gmmTarget(data.mixture, {
        names: data.columns.length === data.mixture.means[0].length ? data.columns : undefined,
      });
    case 'bayes-gmm':
      throw new DataError(localText('refuse.bayesGmmOwnChain'));
    default:
      return createPreset(params.target);
  }
}

/** How many parameters a run's draws have (the target's, or the Bayesian mixture's). */
export function samplingDimension(params: SamplingParams, data: EngineData): number {
  if (params.target === 'bayes-gmm') {
    const K = (params as McmcParams).components ?? 2;
    const d = data.cols;
    return K + K * d + (K * d * (d + 1)) / 2;
  }
  return buildTarget(params, data).dim;
}

function samplerKind(params: SamplingParams): SamplerKind {
  switch (params.sampler) {
    case 'metropolis':
      return 'rwm';
    case 'gibbs':
      return 'gibbs';
    case 'hmc':
      return 'hmc';
    case 'nuts':
      return 'nuts';
  }
}

function build(params: SamplingParams, data: EngineData): Built {
  if (params.target === 'bayes-gmm') {
    const K = (params as McmcParams).components ?? 2;
    const probe = createBayesGmmChain(data.values, data.rows, data.cols, {
      components: K,
      warmup: params.warmup,
    });
    return {
      target: null,
      names: probe.names,
      // The Gibbs chain draws its own start from the prior and the data.
      makeChain: (_initial, rng) =>
        createBayesGmmChain(data.values, data.rows, data.cols, {
          components: K,
          warmup: params.warmup,
          rng,
        }),
      initial: () => {},
    };
  }
  const target = buildTarget(params, data);
  const kind = samplerKind(params);
  const settings =
    'proposalScale' in params
      ? { scale: params.proposalScale, adapt: params.adapt }
      : {
          stepSize: (params as HmcParams).stepSize,
          steps: (params as HmcParams).leapfrogSteps,
          trajectoryLength: (params as HmcParams).trajectoryLength || undefined,
          maxTreeDepth: (params as HmcParams).maxTreeDepth,
          adapt: (params as HmcParams).adaptStepSize,
          adaptMetric: (params as HmcParams).adaptMetric,
          targetAccept: (params as HmcParams).targetAccept,
        };
  return {
    target,
    names: target.constrain ? (target.constrainedNames ?? target.names) : target.names,
    makeChain: (initial) =>
      createChain(kind, target, { warmup: params.warmup, initial, ...settings }),
    initial: (rng, out) => dispersedStart(target, rng, out),
  };
}

/** How often the live views get new draws and a new move to animate. */
const DRAWS_EVERY_MS = 100;
/** Points per side of the grid the 2-D target's density is drawn from. */
const TARGET_GRID = 120;
const TRAJECTORY_EVERY_MS = 120;
/** At the watching pace: a move every this many ms (the page shows ~20 a second). */
const WATCH_MOVE_EVERY_MS = 40;
/** Moves recorded per run at most, outside step mode. */
const MAX_MOVES = 2000;
const DIAGNOSTICS_EVERY_MS = 1000;
/** At most this many metric points per series, so a million-draw run stays light to chart. */
const MAX_METRIC_POINTS = 5000;

function createSamplingAlgorithm<P extends SamplingParams>(
  id: 'mcmc' | 'hmc',
  schema: z.ZodType<P>,
): Algorithm<P, SamplingSummary> {
  return { id, params: schema, tensors: false, run: (ctx) => runSampling(ctx) };
}

/**
 * The run's data with its formula compiled: as the host handed it, or (a test calling run()
 * directly with only the formula's text) compiled here, mathjs loaded only then.
 */
async function withCompiledFormula(params: SamplingParams, data: EngineData): Promise<EngineData> {
  if (params.target !== 'formula' || data.formula) return data;
  const { compileFormula } = await import('../sampling/formula');
  const result = compileFormula(params.formula ?? '');
  if ('error' in result) throw new DataError(result.error.text);
  return { ...data, formula: result.compiled };
}

async function runSampling(ctx: AlgorithmContext<SamplingParams>): Promise<SamplingSummary> {
  const { params, rng, emit } = ctx;
  const started = performance.now();
  const built = build(params, await withCompiledFormula(params, ctx.data));
  const names = built.names;
  const d = names.length;
  const C = params.chains;
  const W = params.warmup;
  const N = W + params.draws;
  const S = samplerStats.length;
  const stride = S + d;
  const twoD = built.target !== null && d === 2 && built.target.bounds !== undefined;
  const watch = twoD && params.pace === 'watch';

  const chains: Chain[] = [];
  for (let c = 0; c < C; c++) {
    const start = new Float64Array(d);
    built.initial(rng, start);
    chains.push(built.makeChain(start, rng));
  }
  const draws = chains.map(() => new Float64Array(N * stride));
  if (twoD) {
    // The target's log density on a grid, so the run page can draw its contours.
    const target = built.target!;
    const [[x0, x1], [y0, y1]] = target.bounds!;
    const n = TARGET_GRID;
    const grid = new Float64Array(n * n);
    const q = new Float64Array(2);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) {
        q[0] = x0 + ((x1 - x0) * i) / (n - 1);
        q[1] = y0 + ((y1 - y0) * j) / (n - 1);
        grid[j * n + i] = target.logDensity(q);
      }
    const meta: TargetFieldMeta = {
      role: 'target',
      names,
      size: n,
      bounds: target.bounds!,
      truth: target.truth ?? null,
      starts: chains.map((ch) => Array.from(ch.q)),
    };
    emit.artifact('field2d', 0, meta, grid);
  }

  let evaluations = 0;
  let divergences = 0;
  // Time spent in transitions only: not the watching pace, not pauses, not the views' data.
  let computeMs = 0;
  let sent = 0; // iterations already streamed
  let lastDraws = performance.now();
  let lastTrajectory = -Infinity;
  let lastDiagnostics = performance.now();
  let diagnosticsEvery = DIAGNOSTICS_EVERY_MS;
  let moves = 0;
  // The watching pace counts from here (moved on after a pause).
  let paceStart = started;
  let paceFrom = 0;
  const columnNames = [...samplerStats, ...names];
  /** The first `iterations` draws of every chain, as the shared draws helpers read them. */
  const view = (iterations: number): AssembledDraws => ({
    names: columnNames,
    chains: C,
    warmup: W,
    iterations,
    values: draws.map((x) => x.subarray(0, iterations * stride)),
  });
  let lastYield = performance.now();
  const metricEvery = Math.max(1, Math.ceil(N / MAX_METRIC_POINTS));
  const previous = new Float64Array(d);
  // Draws are kept as reported (e.g. σ rather than the log σ the sampler moves in).
  const constrain = built.target?.constrain?.bind(built.target);
  const reported = new Float64Array(d);

  const streamDraws = (upTo: number) => {
    const count = upTo - sent;
    if (count <= 0) return;
    const chunk = new Float64Array(C * count * stride);
    for (let c = 0; c < C; c++)
      chunk.set(draws[c].subarray(sent * stride, upTo * stride), c * count * stride);
    const meta: DrawsChunkMeta = {
      role: 'chunk',
      from: sent,
      count,
      chains: C,
      names: columnNames,
      warmup: W,
      total: N,
    };
    emit.artifact('draws', upTo - 1, meta, chunk);
    sent = upTo;
  };

  for (let t = 0; t < N; t++) {
    const now = performance.now();
    const paused = ctx.paused?.() ?? false;
    // Moves are kept a few a second (more would only be skipped by the page) and at most
    // MAX_MOVES of them, except in step mode and the last one, so a finished run shows how it
    // ended however fast it went.
    const record =
      twoD &&
      (paused ||
        t === N - 1 ||
        (moves < MAX_MOVES &&
          now - lastTrajectory >= (watch ? WATCH_MOVE_EVERY_MS : TRAJECTORY_EVERY_MS)));
    const computeStart = performance.now();
    let lpSum = 0;
    let acceptSum = 0;
    let depthSum = 0;
    for (let c = 0; c < C; c++) {
      const chain = chains[c];
      const recordThis = record && c === 0;
      if (recordThis) previous.set(chain.q);
      const tr = chain.next(rng, recordThis);
      evaluations += tr.evaluations;
      if (tr.divergent && t >= W) divergences++;
      const row = draws[c].subarray(t * stride, (t + 1) * stride);
      row[0] = tr.logDensity;
      row[1] = tr.acceptStat;
      row[2] = tr.stepSize ?? chain.stepSize;
      row[3] = tr.treeDepth ?? 0;
      row[4] = tr.leapfrogSteps ?? 0;
      row[5] = tr.divergent ? 1 : 0;
      row[6] = tr.energy ?? NaN;
      if (constrain) {
        constrain(chain.q, reported);
        row.set(reported, S);
      } else row.set(chain.q, S);
      lpSum += tr.logDensity;
      acceptSum += tr.acceptStat;
      depthSum += tr.treeDepth ?? 0;
      if (recordThis) {
        const meta: TransitionMeta = {
          chain: 0,
          iteration: t,
          warmup: t < W,
          sampler: params.sampler,
          from: Array.from(previous),
          to: Array.from(chain.q),
          accepted: tr.accepted,
          acceptStat: tr.acceptStat,
          stepSize: tr.stepSize ?? chain.stepSize,
          treeDepth: tr.treeDepth ?? null,
          leapfrogSteps: tr.leapfrogSteps ?? null,
          divergent: tr.divergent ?? false,
          proposal: tr.detail?.proposal ? Array.from(tr.detail.proposal) : null,
          momentum: tr.detail?.momentum ? Array.from(tr.detail.momentum) : null,
          depthOf: tr.detail?.depthOf ? Array.from(tr.detail.depthOf) : null,
        };
        emit.artifact('trajectory', t, meta, tr.detail?.path ?? new Float64Array(0));
        lastTrajectory = now;
        moves++;
      }
    }
    computeMs += performance.now() - computeStart;
    if (t % metricEvery === 0 || t === N - 1) {
      const values: Record<string, number> = {
        logDensity: lpSum / C,
        acceptance: acceptSum / C,
        stepSize: chains[0].stepSize,
        divergences,
      };
      if (params.sampler === 'nuts') values.treeDepth = depthSum / C;
      emit.metrics(t, values);
    }
    if (now - lastDraws >= DRAWS_EVERY_MS || paused) {
      streamDraws(t + 1);
      lastDraws = now;
    }
    // Convergence so far, on the kept draws (after warm-up, once there are enough to split).
    // It costs more as draws accumulate: never more than a tenth of the run's time.
    if (t + 1 - W >= 20 && now - lastDiagnostics >= diagnosticsEvery) {
      const before = performance.now();
      const { maxRhat, minEss } = convergence(view(t + 1), d);
      emit.metrics(t, { maxRhat, minEssBulk: minEss });
      lastDiagnostics = performance.now();
      diagnosticsEvery = Math.max(DIAGNOSTICS_EVERY_MS, 10 * (lastDiagnostics - before));
    }
    if (watch) {
      // Ahead of the watching pace: wait (cancel and pause are still heard at the checkpoint).
      const due = paceStart + ((t + 1 - paceFrom) * 1000) / WATCH_ITERATIONS_PER_SECOND;
      const ahead = due - performance.now();
      if (ahead > 1) await new Promise((resolve) => setTimeout(resolve, ahead));
    }
    if (paused || watch || now - lastYield > 15) {
      emit.progress((t + 1) / N);
      const before = performance.now();
      try {
        await ctx.checkpoint('transition', t + 1); // iterations done, counted from 1
      } catch (e) {
        streamDraws(t + 1); // cancelled: what was drawn is kept
        throw e;
      }
      lastYield = performance.now();
      // After a pause the watching pace starts again from here, not from the run's start.
      if (lastYield - before > 50) {
        paceStart = lastYield;
        paceFrom = t + 1;
      }
    }
  }
  streamDraws(N);
  emit.progress(1);

  const seconds = computeMs / 1000;
  const all = view(N);
  const parameters = names.map((name) => summarizeParameter(name, drawsColumn(all, name)));
  const { maxRhat, minEss } = convergence(all, d);
  if (N > W) emit.metrics(N - 1, { maxRhat, minEssBulk: minEss });
  const hamiltonian = params.sampler === 'nuts' || params.sampler === 'hmc';
  const acceptance = mean(drawsColumn(all, 'accept_stat__').map(mean)) || 0;
  return {
    minEssBulk: minEss,
    maxRhat,
    minEssBulkPerSecond: minEss / seconds,
    minEssBulkPerEvaluation: minEss / Math.max(1, evaluations),
    acceptance,
    divergences,
    evaluations,
    seconds,
    ebfmi: hamiltonian ? drawsColumn(all, 'energy__').map(ebfmi) : [],
    stepSizes: chains.map((ch) => ch.stepSize),
    parameters,
    flagged: parameters
      .filter(
        (p) => !(p.rhat < diagnosticThresholds.rhat) || !(p.essBulk > diagnosticThresholds.ess),
      )
      .map((p) => p.name),
  };
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** The largest R-hat and smallest bulk ESS over the parameters' kept draws. */
function convergence(draws: AssembledDraws, d: number): { maxRhat: number; minEss: number } {
  let maxRhat = -Infinity;
  let minEss = Infinity;
  for (const name of draws.names.slice(samplerStats.length, samplerStats.length + d)) {
    const chains = drawsColumn(draws, name);
    const r = rhat(chains);
    const e = essBulk(chains);
    // A constant parameter (NaN) says nothing about mixing; skip it rather than poison the max.
    if (Number.isFinite(r)) maxRhat = Math.max(maxRhat, r);
    if (Number.isFinite(e)) minEss = Math.min(minEss, e);
  }
  return {
    maxRhat: Number.isFinite(maxRhat) ? maxRhat : NaN,
    minEss: Number.isFinite(minEss) ? minEss : NaN,
  };
}

export const mcmc = createSamplingAlgorithm('mcmc', mcmcParams);
export const hmc = createSamplingAlgorithm('hmc', hmcParams);
