/**
 * A typed formula as the host hands it to the engine: already parsed, checked, differentiated and
 * compiled to plain JavaScript (`formula.ts`, in the host's formula thread), so the engine turns
 * it into a Target without mathjs and without parsing it again.
 */
import { z } from 'zod';
import type { Rng } from '../../../shared/rng';
import type { Target } from './types';

export const compiledFormulaSchema = z.object({
  /** The variables in order: x, y or x1 … xd. */
  names: z.array(z.string()).min(1),
  /** Body of `(q) => log p(q)`: −Infinity outside the support. */
  densitySource: z.string(),
  /** Body of `(q, g) => log p(q)`, filling g with ∂ log p / ∂ q. */
  gradSource: z.string(),
});
export type CompiledFormula = z.infer<typeof compiledFormulaSchema>;

type DensityFn = (q: Float64Array) => number;
type GradFn = (q: Float64Array, g: Float64Array) => number;

/**
 * The Target of a compiled formula. Its sources are the formula compiler's own output (it only
 * ever emits arithmetic on q's entries and Math functions), never text a user typed.
 */
export function formulaTarget(compiled: CompiledFormula): Target {
  const density = new Function('q', compiled.densitySource) as DensityFn;
  const densityGrad = new Function('q', 'g', compiled.gradSource) as GradFn;
  const d = compiled.names.length;
  const target: Target = {
    dim: d,
    names: [...compiled.names],
    logDensity: density,
    logDensityGrad: densityGrad,
    initial(rng: Rng, out: Float64Array) {
      // Stan's uniform(−2, 2), retried (up to 100 times) until it lands inside the support.
      for (let attempt = 0; attempt < 100; attempt++) {
        for (let i = 0; i < d; i++) out[i] = 4 * rng.uniform() - 2;
        if (density(out) > -Infinity) return;
      }
    },
  };
  if (d === 2)
    target.bounds = [
      [-4, 4],
      [-4, 4],
    ];
  return target;
}
