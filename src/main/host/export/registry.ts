/**
 * Each algorithm's exporter, by algorithm id (the ids of src/shared/algorithms). A plain record:
 * a new algorithm adds its line here (a test may add one at run time). A run whose algorithm has
 * none gets only the generic files (galleries, weights, one line chart per metric) and a note in
 * its README saying so (see run.ts).
 */
import { ganExporter } from './algorithms/gan';
import { gmmExporter } from './algorithms/gmm';
import { gmmSweepExporter } from './algorithms/gmm-sweep';
import { rbmExporter } from './algorithms/rbm';
import { samplingExporter } from './algorithms/sampling';
import { vaeExporter } from './algorithms/vae';
import type { RunExporter } from './exporter';

export const runExporters: Record<string, RunExporter> = {
  gmm: gmmExporter,
  'gmm-sweep': gmmSweepExporter,
  vae: vaeExporter,
  rbm: rbmExporter,
  gan: ganExporter,
  mcmc: samplingExporter,
  hmc: samplingExporter,
};

/** The exporter of an algorithm, or undefined when it has none (an own key only). */
export function runExporterOf(algorithm: string): RunExporter | undefined {
  return Object.hasOwn(runExporters, algorithm) ? runExporters[algorithm] : undefined;
}
