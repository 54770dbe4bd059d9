/**
 * The MCMC / HMC engine algorithm end to end, without a worker: the draws it streams assemble
 * into every iteration of every chain, the 2-D views get their target grid and recorded moves,
 * step mode records every move, and its summary agrees with the draws.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  checkSamplingData,
  hmcParams,
  mcmcParams,
  type HmcParams,
  type McmcParams,
} from '../../src/shared/algorithms/mcmc';
import {
  assembleDraws,
  drawsColumn,
  drawsCsv,
  parameterNames,
  parseDrawsCsv,
  samplerStats,
  type TargetFieldMeta,
  type TransitionMeta,
} from '../../src/shared/draws';
import { summarizeParameter } from '../../src/shared/mcmc-diagnostics';
import { DataError, type AlgorithmContext, type EngineData } from '../../src/main/engine/algorithm';
import { hmc, mcmc, type SamplingSummary } from '../../src/main/engine/algorithms/sampling';
import { createRng } from '../../src/shared/rng';
import { inEnglish } from '../../src/shared/i18n';

const noData: EngineData = { values: new Float64Array(0), rows: 0, cols: 0, columns: [] };

interface Recorded {
  metrics: { step: number; values: Record<string, number> }[];
  artifacts: { kind: string; step: number; meta: unknown; data?: Float64Array }[];
  checkpoints: number;
}

function context<P>(
  params: P,
  data: EngineData = noData,
  paused = false,
): { ctx: AlgorithmContext<P>; rec: Recorded } {
  const rec: Recorded = { metrics: [], artifacts: [], checkpoints: 0 };
  const ctx: AlgorithmContext<P> = {
    tf,
    data,
    params,
    seed: 7,
    rng: createRng(7),
    signal: new AbortController().signal,
    checkpoint: async () => void rec.checkpoints++,
    paused: () => paused,
    emit: {
      metrics: (step, values) => rec.metrics.push({ step, values }),
      artifact: (kind, step, meta, d) =>
        rec.artifacts.push({ kind, step, meta, data: d as Float64Array }),
      progress: () => {},
      note: () => {},
    },
  };
  return { ctx, rec };
}

const hmcWith = (p: Partial<HmcParams>) =>
  hmcParams.parse({ pace: 'full', ...p }) as unknown as HmcParams;
const mcmcWith = (p: Partial<McmcParams>) =>
  mcmcParams.parse({ pace: 'full', ...p }) as unknown as McmcParams;

describe('sampling algorithm', () => {
  it('streams every draw of every chain, with the target grid and recorded NUTS trees', async () => {
    const params = hmcWith({ target: 'banana', chains: 3, warmup: 150, draws: 200 });
    const { ctx, rec } = context(params);
    const summary = (await hmc.run(ctx)) as SamplingSummary;

    const chunks = rec.artifacts.filter((a) => a.kind === 'draws');
    const draws = assembleDraws(chunks)!;
    expect(draws.iterations).toBe(350);
    expect(draws.chains).toBe(3);
    expect(draws.warmup).toBe(150);
    expect(draws.names.slice(0, samplerStats.length)).toEqual([...samplerStats]);
    expect(parameterNames(draws)).toHaveLength(2);
    // Steps are unique and increasing, so a view can ask for "after step s".
    const steps = chunks.map((c) => c.step);
    expect(new Set(steps).size).toBe(steps.length);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);

    const field = rec.artifacts.find((a) => a.kind === 'field2d')!;
    const meta = field.meta as TargetFieldMeta;
    expect(field.data!.length).toBe(meta.size * meta.size);
    expect(meta.starts).toHaveLength(3);
    expect(Array.from(field.data!).some(Number.isFinite)).toBe(true);

    const moves = rec.artifacts.filter((a) => a.kind === 'trajectory');
    expect(moves.length).toBeGreaterThan(0);
    const move = moves[0].meta as TransitionMeta;
    expect(move.sampler).toBe('nuts');
    // A NUTS tree: its points (x, y pairs) each with the depth at which they were added.
    expect(moves[0].data!.length).toBe(2 * move.depthOf!.length);

    // The summary is the diagnostics of the kept draws.
    const name = parameterNames(draws)[0];
    const direct = summarizeParameter(name, drawsColumn(draws, name));
    const reported = summary.parameters.find((p) => p.name === name)!;
    expect(reported.mean).toBeCloseTo(direct.mean, 12);
    expect(reported.essBulk).toBeCloseTo(direct.essBulk, 9);
    expect(summary.minEssBulk).toBeLessThanOrEqual(reported.essBulk);
    expect(summary.evaluations).toBeGreaterThan(350 * 3);
    expect(summary.ebfmi).toHaveLength(3);

    const csv = drawsCsv(draws).trim().split('\n');
    expect(csv).toHaveLength(1 + 3 * 350);
    expect(csv[0].split(',').slice(0, 3)).toEqual(['chain', 'draw', 'warmup']);
  });

  it('through the app’s own driver, every sampler finds a known Gaussian’s moments', async () => {
    const runs: [typeof hmc | typeof mcmc, Record<string, unknown>][] = [
      [hmc, { sampler: 'nuts' }],
      [hmc, { sampler: 'hmc', trajectoryLength: 2 }],
      [mcmc, { sampler: 'metropolis' }],
      [mcmc, { sampler: 'gibbs' }],
    ];
    for (const [algorithm, extra] of runs) {
      const params =
        algorithm === hmc
          ? hmcWith({ target: 'correlated', warmup: 500, draws: 1500, ...extra })
          : mcmcWith({ target: 'correlated', warmup: 500, draws: 1500, ...extra });
      const { ctx, rec } = context(params as never);
      const summary = (await algorithm.run(ctx as never)) as SamplingSummary;
      const truth = (rec.artifacts.find((a) => a.kind === 'field2d')!.meta as TargetFieldMeta)
        .truth!;
      summary.parameters.forEach((p, j) => {
        expect(Math.abs(p.mean - truth.mean[j]), `${String(extra.sampler)} ${p.name}`).toBeLessThan(
          4 * p.mcseMean,
        );
        // The sd within 10% (thousands of effective draws make it tighter than that).
        expect(p.sd / Math.sqrt(truth.variance[j])).toBeGreaterThan(0.9);
        expect(p.sd / Math.sqrt(truth.variance[j])).toBeLessThan(1.1);
      });
    }
  });

  it('reports Stan’s energy: H at the draw, so energy + lp is the draw’s kinetic energy', async () => {
    for (const sampler of ['nuts', 'hmc'] as const) {
      const params = hmcWith({ target: 'gaussian', sampler, warmup: 500, draws: 1000 });
      const { ctx, rec } = context(params);
      await hmc.run(ctx);
      const draws = assembleDraws(rec.artifacts.filter((a) => a.kind === 'draws'))!;
      const energy = drawsColumn(draws, 'energy__');
      const lp = drawsColumn(draws, 'lp__');
      let sum = 0;
      let n = 0;
      energy.forEach((e, c) =>
        e.forEach((v, t) => {
          const kinetic = v + lp[c][t];
          expect(kinetic).toBeGreaterThanOrEqual(-1e-9);
          sum += kinetic;
          n++;
        }),
      );
      // At stationarity the momentum at the draw is N(0, M): mean kinetic energy d/2 = 1.
      expect(Math.abs(sum / n - 1), sampler).toBeLessThan(0.15);
    }
  });

  it('records every move while paused (step mode) and stops at every iteration', async () => {
    const params = mcmcWith({ target: 'gaussian', chains: 2, warmup: 5, draws: 10 });
    const { ctx, rec } = context(params, noData, true);
    await mcmc.run(ctx);
    const moves = rec.artifacts.filter((a) => a.kind === 'trajectory');
    expect(moves).toHaveLength(15);
    expect(rec.checkpoints).toBe(15);
    for (const m of moves) {
      const meta = m.meta as TransitionMeta;
      expect(meta.proposal).toHaveLength(2);
      // The verdict is what happened: accepted means the chain is at the proposal.
      if (meta.accepted) expect(meta.to).toEqual(meta.proposal);
      else expect(meta.to).toEqual(meta.from);
    }
  });

  it('static HMC with a trajectory length takes ⌊length / ε⌋ leapfrog steps', async () => {
    const params = hmcWith({
      target: 'gaussian',
      sampler: 'hmc',
      trajectoryLength: 1.5,
      chains: 1,
      warmup: 100,
      draws: 50,
    });
    const { ctx, rec } = context(params);
    await hmc.run(ctx);
    const draws = assembleDraws(rec.artifacts.filter((a) => a.kind === 'draws'))!;
    const [eps] = drawsColumn(draws, 'stepsize__');
    const [steps] = drawsColumn(draws, 'n_leapfrog__');
    for (let t = 0; t < eps.length; t++)
      expect(steps[t]).toBe(Math.max(1, Math.floor(1.5 / eps[t])));
  });

  it('is reproducible from its seed', async () => {
    const params = hmcWith({ target: 'funnel', chains: 2, warmup: 50, draws: 50 });
    const a = context(params);
    const b = context(params);
    await hmc.run(a.ctx);
    await hmc.run(b.ctx);
    const da = assembleDraws(a.rec.artifacts.filter((x) => x.kind === 'draws'))!;
    const db = assembleDraws(b.rec.artifacts.filter((x) => x.kind === 'draws'))!;
    expect(da.values[1]).toEqual(db.values[1]);
  });

  it('samples a regression posterior from the run’s columns', async () => {
    const rng = createRng(3);
    const rows = 200;
    const values = new Float64Array(rows * 2);
    for (let i = 0; i < rows; i++) {
      const x = rng.normal();
      values[2 * i] = x;
      values[2 * i + 1] = 1 + 2 * x + 0.5 * rng.normal();
    }
    const data: EngineData = { values, rows, cols: 2, columns: ['x', 'y'] };
    const params = hmcWith({
      target: 'linear-regression',
      response: 'y',
      chains: 2,
      warmup: 300,
      draws: 300,
    });
    const { ctx } = context(params, data);
    const summary = (await hmc.run(ctx)) as SamplingSummary;
    const byName = Object.fromEntries(summary.parameters.map((p) => [p.name, p]));
    expect(byName.alpha.mean).toBeGreaterThan(0.8);
    expect(byName.alpha.mean).toBeLessThan(1.2);
    expect(byName.x.mean).toBeGreaterThan(1.8);
    expect(byName.x.mean).toBeLessThan(2.2);
    expect(byName.sigma.mean).toBeGreaterThan(0.4);
    expect(byName.sigma.mean).toBeLessThan(0.6);
  });

  it('reads its draws.csv back exactly, and refuses a malformed one naming the line', async () => {
    const params = mcmcWith({ target: 'bimodal', chains: 3, warmup: 20, draws: 30 });
    const { ctx, rec } = context(params);
    await mcmc.run(ctx);
    const draws = assembleDraws(rec.artifacts.filter((a) => a.kind === 'draws'))!;
    const back = assembleDraws([parseDrawsCsv(drawsCsv(draws))])!;
    expect(back.names).toEqual(draws.names);
    expect(back.warmup).toBe(20);
    expect(back.iterations).toBe(50);
    // Metropolis has no energy: NaN survives the round trip as NaN.
    for (let c = 0; c < 3; c++)
      expect(Array.from(back.values[c])).toEqual(Array.from(draws.values[c]));
    const lines = drawsCsv(draws).split('\n');
    lines[5] = lines[5].replace(/^1,5,/, '2,5,');
    expect(() => parseDrawsCsv(lines.join('\n'))).toThrow(/line 6: expected chain 1, draw 5/);
    expect(() => parseDrawsCsv('a,b\n1,2\n')).toThrow(/line 1/);
  });

  it('draws a 2-D formula over the box the user gave, and refuses a box turned inside out', async () => {
    const params = mcmcWith({
      target: 'formula',
      formula: '-((x - 10)^2 + (y + 5)^2)/2',
      bounds: [
        [7, 13],
        [-8, -2],
      ],
      warmup: 10,
      draws: 10,
    });
    const { ctx, rec } = context(params);
    await mcmc.run(ctx);
    const field = rec.artifacts.find((a) => a.kind === 'field2d')!;
    expect((field.meta as TargetFieldMeta).bounds).toEqual([
      [7, 13],
      [-8, -2],
    ]);
    // The mode (10, −5) is inside: the grid's largest value is near its centre.
    const g = field.data!;
    const n = (field.meta as TargetFieldMeta).size;
    const best = g.indexOf(Math.max(...g));
    expect(Math.abs((best % n) - (n - 1) / 2)).toBeLessThan(2);
    expect(Math.abs(Math.floor(best / n) - (n - 1) / 2)).toBeLessThan(2);
    const refusal = checkSamplingData(
      {
        ...params,
        bounds: [
          [1, 0],
          [0, 1],
        ],
      } as McmcParams,
      null,
      [],
    );
    expect(refusal && inEnglish(refusal)).toMatch(/bounds: two rows/);
  });

  it('refuses a formula with an error, saying where', async () => {
    const params = mcmcWith({ target: 'formula', formula: '-(x^2 + z^2)/2' });
    const { ctx } = context(params);
    await expect(mcmc.run(ctx)).rejects.toBeInstanceOf(DataError);
    await expect(mcmc.run(context(params).ctx)).rejects.toThrow(/z/);
  });
});
