/**
 * NUTS speed and efficiency against Stan 2.21 on Neal's 100-D Gaussian (sd_i = i/100) and his
 * centred 10-D funnel: 4 chains × (1000 warm-up + 1000 draws), run one after another as Stan does,
 * with Stan's defaults (diagonal metric, δ = 0.8, max depth 10). Prints one line of JSON.
 *
 * Per target and repeat (different seeds): wall and CPU time of the four chains (warm-up
 * included, as Stan's timing), min bulk ESS over the parameters (rank-normalised, with rstan
 * 2.21's rank offset), min bulk ESS per second, per leapfrog step of the kept draws (Stan's
 * n_leapfrog__ summed over the sampling iterations) and per gradient evaluation of the whole run,
 * divergences.
 *
 * Stan is compared the same way: medians over seeds. The funnel's min ESS varies threefold from
 * seed to seed (for Stan as for us), so one run says little. Stan's figures come from
 *  - NUTS_BENCH_STAN=1: rstan run now, on this machine, for as many seeds (bench/stan/nuts.R;
 *    needs `apt-get install r-cran-rstan`) — the fair comparison of speed;
 *  - otherwise bench/stan/rstan-seeds.json: 30 seeds per target measured with that script on a
 *    machine of this kind (ESS per leapfrog step does not depend on the machine; times do).
 * The single runs of ../shared/reference/perf.json ("nuts") are shown beside them, with ratios.
 * Run: npx tsx bench/nuts.ts   (or npm run bench -- nuts)   [NUTS_BENCH_REPEATS=10]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parameterDraws, sampleChains } from '../src/main/engine/sampling/chains';
import { createPreset } from '../src/main/engine/sampling/presets';
import { essBulk, rankOffsets } from '../src/shared/mcmc-diagnostics';

const CHAINS = 4;
const WARMUP = 1000;
const DRAWS = 1000;
const REPEATS = Math.max(1, Number(process.env.NUTS_BENCH_REPEATS ?? 10));
const RUN_STAN = process.env.NUTS_BENCH_STAN === '1';
const here = path.dirname(fileURLToPath(import.meta.url));

type TargetId = 'gauss100' | 'funnel10';

/** Stan's figures for one target (perf.json's names). */
interface StanFigures {
  min_bulk_ess: number;
  min_bulk_ess_per_second: number;
  min_bulk_ess_per_leapfrog_step: number;
  divergences?: number;
}

/** One seed of bench/stan/nuts.R. */
interface StanSeed {
  seed: number;
  min_bulk_ess: number;
  leapfrog_steps_sampling: number;
  seconds: number;
  divergences: number;
}

function singleRuns(): Partial<Record<'gauss100d' | 'funnel10d', StanFigures>> {
  try {
    const perf = JSON.parse(
      readFileSync(path.resolve(here, '../../shared/reference/perf.json'), 'utf8'),
    ) as { nuts?: Partial<Record<'gauss100d' | 'funnel10d', StanFigures>> };
    return perf.nuts ?? {};
  } catch {
    return {};
  }
}

/** Stan's seeds: run now (NUTS_BENCH_STAN=1) or the committed measurement. */
function stanSeeds(id: TargetId): { source: string; seeds: StanSeed[] } {
  if (RUN_STAN) {
    const seeds = Array.from({ length: REPEATS }, (_, k) => k + 1).join(',');
    // R's own chatter goes to stderr; a failure there ends the benchmark with R's words.
    const out = execFileSync('Rscript', [path.join(here, 'stan', 'nuts.R'), id, seeds], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rows = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as StanSeed);
    if (rows.length === 0) throw new Error(`bench/stan/nuts.R printed no result for ${id}`);
    for (const r of rows) process.stderr.write(`stan ${id} seed ${r.seed}: ${JSON.stringify(r)}\n`);
    return { source: `rstan, this run, ${rows.length} seeds`, seeds: rows };
  }
  const saved = JSON.parse(readFileSync(path.join(here, 'stan', 'rstan-seeds.json'), 'utf8')) as {
    measured: string;
  } & Record<TargetId, StanSeed[]>;
  return {
    source: `bench/stan/rstan-seeds.json (${saved.measured}, ${saved[id].length} seeds)`,
    seeds: saved[id],
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};
const round = (x: number, digits = 4) => Number(x.toPrecision(digits));

function runOnce(id: TargetId, seed: number) {
  const target = createPreset(id);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const runs = sampleChains('nuts', target, {
    seed,
    chains: CHAINS,
    warmup: WARMUP,
    draws: DRAWS,
  });
  const wall = (performance.now() - t0) / 1000;
  const cpuUsed = process.cpuUsage(c0);
  const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;

  let minEss = Infinity;
  let minName = '';
  for (let j = 0; j < target.dim; j++) {
    const ess = essBulk(parameterDraws(runs, j), { rankOffset: rankOffsets.rstan221 });
    if (ess < minEss) {
      minEss = ess;
      minName = target.names[j];
    }
  }
  let samplingLeapfrog = 0,
    evaluations = 0,
    divergences = 0,
    depth = 0,
    accept = 0;
  for (const r of runs) {
    for (let t = 0; t < DRAWS; t++) {
      samplingLeapfrog += r.leapfrogSteps[t];
      depth += r.treeDepth[t];
      accept += r.acceptStat[t];
    }
    evaluations += r.warmupEvaluations + r.samplingEvaluations;
    divergences += r.divergences;
  }
  const n = CHAINS * DRAWS;
  return {
    seed,
    wall_seconds: round(wall),
    cpu_seconds: round(cpu),
    min_bulk_ess: round(minEss),
    min_bulk_ess_parameter: minName,
    min_bulk_ess_per_second: round(minEss / wall),
    min_bulk_ess_per_cpu_second: round(minEss / cpu),
    min_bulk_ess_per_leapfrog_step: round(minEss / samplingLeapfrog),
    min_bulk_ess_per_gradient_all: round(minEss / evaluations),
    leapfrog_steps_sampling: samplingLeapfrog,
    gradient_evaluations_all: evaluations,
    divergences,
    mean_tree_depth: round(depth / n, 3),
    mean_accept_stat: round(accept / n, 3),
    step_sizes: runs.map((r) => round(r.stepSize, 3)),
  };
}

/** Stan's medians over seeds, in perf.json's names. */
function stanMedians(seeds: StanSeed[]): StanFigures {
  return {
    min_bulk_ess: round(median(seeds.map((r) => r.min_bulk_ess))),
    min_bulk_ess_per_second: round(median(seeds.map((r) => r.min_bulk_ess / r.seconds))),
    min_bulk_ess_per_leapfrog_step: round(
      median(seeds.map((r) => r.min_bulk_ess / r.leapfrog_steps_sampling)),
    ),
    divergences: round(median(seeds.map((r) => r.divergences))),
  };
}

type Summary = { min_bulk_ess_per_second: number; min_bulk_ess_per_leapfrog_step: number };
const ratiosTo = (ours: Summary, stan: StanFigures) => ({
  ess_per_second_vs_stan: round(ours.min_bulk_ess_per_second / stan.min_bulk_ess_per_second),
  ess_per_leapfrog_vs_stan: round(
    ours.min_bulk_ess_per_leapfrog_step / stan.min_bulk_ess_per_leapfrog_step,
  ),
});

function measure(id: TargetId, single: StanFigures | undefined, seedBase: number) {
  const repeats = Array.from({ length: REPEATS }, (_, k) => {
    const r = runOnce(id, seedBase + k);
    process.stderr.write(`${id} seed ${r.seed}: ${JSON.stringify(r)}\n`);
    return r;
  });
  const med = (key: keyof (typeof repeats)[number]) =>
    round(median(repeats.map((r) => r[key] as number)));
  const summary = {
    wall_seconds: med('wall_seconds'),
    cpu_seconds: med('cpu_seconds'),
    min_bulk_ess: med('min_bulk_ess'),
    min_bulk_ess_per_second: med('min_bulk_ess_per_second'),
    min_bulk_ess_per_cpu_second: med('min_bulk_ess_per_cpu_second'),
    min_bulk_ess_per_leapfrog_step: med('min_bulk_ess_per_leapfrog_step'),
    divergences: med('divergences'),
  };
  const stan = stanSeeds(id);
  const stanMedian = stanMedians(stan.seeds);
  const ratios = ratiosTo(summary, stanMedian);
  return {
    median: summary,
    stan: { source: stan.source, median: stanMedian },
    ratios,
    targets_met: {
      ess_per_second_at_least_stan: ratios.ess_per_second_vs_stan >= 1,
      // "Within 20%" is about not being less efficient per gradient; doing better is fine.
      ess_per_leapfrog_at_least_80_percent_of_stan: ratios.ess_per_leapfrog_vs_stan >= 0.8,
      ess_per_leapfrog_within_20_percent: Math.abs(ratios.ess_per_leapfrog_vs_stan - 1) <= 0.2,
    },
    stan_single_run: single ? { perf_json: single, ratios: ratiosTo(summary, single) } : null,
    repeats,
  };
}

const single = singleRuns();
const gauss100 = measure('gauss100', single.gauss100d, 1);
const funnel10 = measure('funnel10', single.funnel10d, 101);
console.log(
  JSON.stringify({
    benchmark: 'nuts',
    reference:
      'Stan 2.21 (rstan) NUTS, diag_e, 4 × (1000 + 1000), chains in sequence; medians over seeds',
    node: process.version,
    chains: CHAINS,
    warmup: WARMUP,
    draws: DRAWS,
    repeats: REPEATS,
    gauss100,
    funnel10,
  }),
);
